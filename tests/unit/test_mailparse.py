"""Inbound mail as real mail clients send it, and replies that thread back to the ticket."""
from __future__ import annotations

import base64
import copy
import os
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox.mailparse import (
    MailParseError,
    ParsedMail,
    build_reply,
    find_ticket_tag,
    forwarded_customer,
    html_to_text,
    is_from_own_address,
    make_message_id,
    matches_rule,
    parse,
    split_quoted,
    subject_tag,
)

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
UTC = timezone.utc


def sample(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def parsed(name: str, **kwargs) -> ParsedMail:
    return parse(sample(name), **kwargs)


def test_there_are_at_least_fifteen_samples_and_all_parse():
    names = sorted(p.name for p in MAIL.glob("*.eml"))
    assert len(names) >= 15
    for name in names:
        mail = parse(sample(name))
        assert mail.message_id and mail.from_email, name
        assert mail.date.tzinfo is not None and mail.date.utcoffset() == timedelta(0), name


# --- plain and encoded text -------------------------------------------------------

def test_plain_ascii_mail():
    mail = parsed("plain_ascii.eml")
    assert mail.message_id == "CAB1234.plain@mail.example.com"
    assert not mail.message_id_missing
    assert mail.subject == "Where is my order 10023?"
    assert (mail.from_name, mail.from_email) == ("Piet Pieters", "piet@example.com")  # lowercased
    assert mail.to == ["support@shop.example"]
    assert mail.date == datetime(2024, 6, 3, 8, 14, 58, tzinfo=UTC)
    assert mail.text.startswith("Hello,\n\nI ordered a garden hose")
    assert mail.new_text == mail.text and mail.quoted_text == ""
    assert mail.html is None and mail.attachments == []
    assert mail.language == "en-GB"
    assert not mail.auto_submitted and not mail.is_bounce and mail.ticket_tag is None
    assert mail.headers_size == sample("plain_ascii.eml").index(b"\n\n")


def test_dutch_quoted_printable_utf8_body_and_subject():
    mail = parsed("dutch_quoted_printable_utf8.eml")
    assert mail.subject == "Levering tuinstoel – bestelling 20417"
    assert mail.from_name == "Anneke Gröneveld"
    assert "verzendkosten van €4,95 wil ik graag terug als het niet vóór vrijdag" in mail.text
    assert "'s-Hertogenbosch" in mail.text
    assert mail.language == "nl-NL"


def test_encoded_word_subject_in_iso_8859_1_folded_over_two_lines():
    mail = parsed("subject_iso8859-1_encoded_word.eml")
    assert mail.subject == "Problème avec ma commande n° 5521 à la livraison"
    assert mail.from_name == "François Müller"
    assert mail.text == "Bonjour,\n\nLe colis n°5521 est arrivé abîmé. Que faire ?\n\nFrançois"


def test_encoded_word_in_windows_1252_keeps_euro_sign_and_curly_quotes():
    mail = parsed("subject_windows-1252_encoded_word.eml")
    assert mail.subject == "Factuur € 12,50 “dubbel” betaald"
    assert mail.from_name == "Zoë ‘Quotes’ Jansen"
    assert "€12,50 “dubbel” betaald – graag één" in mail.text


def test_koi8_r_name_subject_and_body():
    mail = parsed("koi8r_russian.eml")
    assert mail.from_name == "Иван Петров"
    assert mail.subject == "Вопрос о заказе 7788"
    assert mail.text == "Здравствуйте! Когда будет доставлен мой заказ 7788?"


def test_gb2312_name_subject_and_base64_body():
    mail = parsed("gb2312_name_and_subject.eml")
    assert mail.from_name == "李明"
    assert mail.subject == "订单问题"
    assert mail.text == "你好，我的订单还没有到。"


def test_unknown_charset_with_latin1_bytes_falls_back_to_latin1():
    mail = parsed("unknown_charset_latin1_bytes.eml")
    assert mail.subject == "Café order"
    assert mail.text == "Mijn bestelling bij het café is niet compleet."


def test_unknown_charset_utf_8x_is_read_as_utf8():
    mail = parsed("unknown_charset_utf8x.eml")
    assert mail.from_name == "Jürgen"
    assert mail.subject == "Rücksendung"
    assert mail.text == "Ich möchte die Jacke zurückschicken. Größe passt nicht."


def test_raw_8bit_utf8_in_headers_is_decoded():
    raw = "From: Zoë Jansen <zoe@example.nl>\nSubject: Vraag over één stoel\nMessage-ID: <r8@x>\n\nhoi\n"
    mail = parse(raw.encode("utf-8"))
    assert mail.from_name == "Zoë Jansen"
    assert mail.subject == "Vraag over één stoel"


def test_iso_2022_jp_encoded_word_subject():
    subject = "=?ISO-2022-JP?B?" + base64.b64encode("注文について".encode("iso-2022-jp")).decode() + "?="
    assert parse(f"From: a@example.jp\nSubject: {subject}\n\nx\n".encode()).subject == "注文について"


def test_multibyte_character_split_over_two_encoded_words():
    euro = "€".encode()
    subject = f"=?utf-8?B?{base64.b64encode(b'Prijs ' + euro[:1]).decode()}?= =?utf-8?B?{base64.b64encode(euro[1:] + b' 5').decode()}?="
    mail = parse(f"From: a@example.com\nSubject: {subject}\n\nx\n".encode())
    assert mail.subject == "Prijs € 5"


def test_broken_base64_body_keeps_what_is_recoverable():
    mail = parsed("broken_base64.eml")
    assert mail.text.startswith("Mijn bestelling 4455 is niet compleet, er mist één st")


def test_missing_content_type_is_plain_text():
    mail = parsed("missing_content_type_no_mime.eml")
    assert mail.text == "Plain old RFC 822 mail without MIME-Version or Content-Type."
    assert mail.date == datetime(2024, 6, 21, 9, 0, tzinfo=UTC)


def test_crlf_and_lf_line_endings_parse_the_same():
    lf = sample("plain_ascii.eml")
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = parse(lf), parse(crlf)
    assert (a.text, a.subject, a.from_email, a.content_hash) == (b.text, b.subject, b.from_email, b.content_hash)
    assert "\r" not in b.text


def test_mbox_from_line_is_ignored():
    mail = parse(b"From piet@example.com Mon Jun  3 10:14:58 2024\n" + sample("plain_ascii.eml"))
    assert mail.subject == "Where is my order 10023?"


def test_format_flowed_lines_are_joined():
    mail = parsed("format_flowed_french_reply.eml")
    assert mail.new_text == ("Merci beaucoup, j'ai bien reçu le remboursement de la commande et tout "
                             "est en ordre maintenant.")
    assert "> Bonjour Chloé, le remboursement a été effectué aujourd'hui." in mail.quoted_text
    assert mail.from_name == "Chloé Martin"


# --- MIME structure and attachments -----------------------------------------------

def test_nested_multipart_with_inline_image_and_attachment():
    mail = parsed("nested_multipart_inline_image_attachment.eml")
    assert mail.text == "De lamp is kapot aangekomen, zie de foto.\nBon zit in de bijlage."
    assert mail.html is not None
    assert "<b>kapot</b>" in mail.html
    assert '<img data-cid="foto1@example.nl" alt="[inline image: foto]">' in mail.html
    image, pdf = mail.attachments
    assert (image.filename, image.content_type, image.content_id, image.inline) == (
        "foto.png", "image/png", "foto1@example.nl", True)
    assert image.data.startswith(b"\x89PNG") and image.size == len(image.data)
    assert (pdf.filename, pdf.content_type, pdf.inline, pdf.rejected_reason) == (
        "bon.pdf", "application/pdf", False, None)
    assert pdf.data.startswith(b"%PDF")


def test_rfc2231_filenames_utf8_continuations_and_encoded_word():
    names = [a.filename for a in parsed("rfc2231_filename.eml").attachments]
    assert names == ["Rechnung März € 99.pdf", "Größe des Schadens (Foto).jpg", "Übersicht.txt"]


def test_message_rfc822_attachment_is_listed_and_not_part_of_the_body():
    mail = parsed("forwarded_as_attachment.eml")
    assert mail.text == "Zie de bijgevoegde bevestiging, het bedrag klopt niet."
    (att,) = mail.attachments
    assert att.content_type == "message/rfc822"
    assert att.filename == "Bevestiging bestelling 3001.eml"
    inner = message_from_bytes(att.data, policy=policy.default)
    assert inner["Message-ID"] == "<confirm.3001@shop.example>"


def test_dangerous_attachments_are_rejected_but_listed_without_data():
    mail = parsed("dangerous_attachments.eml")
    exe, msdownload, js = mail.attachments
    assert exe.filename == "invoice.pdf.exe" and exe.rejected_reason == "dangerous file type (exe)"
    assert msdownload.rejected_reason == "dangerous file type (application/x-msdownload)"
    assert js.filename == "track.JS"  # path parts from the sender are stripped
    assert js.rejected_reason == "dangerous file type (js)"
    for att in mail.attachments:
        assert att.data == b"" and att.size > 0
    assert mail.accepted_attachments == []


def _mail_with_attachment(size: int, name: str = "big.zip") -> bytes:
    data = os.urandom(size)
    return (
        b"From: Bram <bram@example.nl>\nTo: support@shop.example\nSubject: Video van de schade\n"
        b"Message-ID: <big@example.nl>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
        b"--zz\nContent-Type: text/plain\n\nZie de video.\n"
        b"--zz\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n"
        b"Content-Disposition: attachment; filename=" + name.encode() + b"\n\n"
        + base64.encodebytes(data) + b"--zz--\n"
    )


def test_20_mb_attachment_is_rejected_with_reason_and_the_mail_still_parses():
    mail = parse(_mail_with_attachment(20 * 1024 * 1024))
    assert mail.text == "Zie de video."
    (att,) = mail.attachments
    assert att.filename == "big.zip" and att.size == 20 * 1024 * 1024
    assert att.data == b""
    assert att.rejected_reason == "too large (20.0 MB, limit 10 MB)"


def test_attachment_limits_are_parameters_and_total_limit_applies():
    raw = _mail_with_attachment(3000)
    assert parse(raw).attachments[0].rejected_reason is None
    assert parse(raw, max_attachment_bytes=2000).attachments[0].rejected_reason.startswith("too large")
    assert parse(raw, max_total_bytes=2000).attachments[0].rejected_reason.startswith("total attachment size")


# --- HTML -------------------------------------------------------------------------

def test_html_only_mail_is_sanitised_and_converted_to_text():
    mail = parsed("html_only_xss.eml")
    assert mail.text == "Please see your invoice or pay here.\n\nThank you & regards"
    html = mail.html.lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "<form", "<style", "<title"):
        assert bad not in html
    assert 'data-remote-src="https://track.example.net/open.gif?u=42"' in mail.html
    assert 'href="https://evil.example.net/pay"' in mail.html
    assert mail.from_name == "Evil <script>"  # stored as text; escaping is the template's job


def test_html_to_text_quotes_blockquotes_and_skips_scripts():
    text = html_to_text("<p>Hoi&nbsp;Jan</p><blockquote><p>oud</p><blockquote>ouder</blockquote></blockquote>"
                        "<script>x()</script><ul><li>een</li><li>twee</li></ul>")
    assert text == "Hoi Jan\n\n> oud\n>\n> > ouder\n\n- een\n- twee"


def test_blank_plain_alternative_falls_back_to_the_html_text():
    raw = (b"From: a@example.com\nSubject: x\nContent-Type: multipart/alternative; boundary=b\n\n"
           b"--b\nContent-Type: text/plain\n\n  \n--b\nContent-Type: text/html\n\n<p>Alleen <b>html</b></p>\n--b--\n")
    assert parse(raw).text == "Alleen html"


def test_text_split_around_an_inline_image_is_joined():
    raw = (b"From: a@example.com\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n"
           b"--b\nContent-Type: text/plain\n\nDeel 1\n--b\nContent-Type: image/png\nContent-Disposition: inline\n\nxx\n"
           b"--b\nContent-Type: text/plain\n\nDeel 2\n--b--\n")
    mail = parse(raw)
    assert mail.text == "Deel 1\nDeel 2"
    assert [(a.filename, a.inline) for a in mail.attachments] == [("attachment.png", True)]


def test_html_meta_charset_is_used_when_mime_has_none():
    body = '<html><head><meta charset="windows-1252"></head><body>Prijs \x80 5</body></html>'.encode("latin-1")
    raw = b"From: a@example.com\nSubject: x\nContent-Type: text/html\n\n" + body
    assert parse(raw).text == "Prijs € 5"


# --- Message-ID and dates ----------------------------------------------------------

def test_missing_message_id_gets_stable_synthesized_id():
    first, second = parsed("missing_message_id.eml"), parsed("missing_message_id.eml")
    assert first.message_id_missing
    assert first.message_id == second.message_id
    assert first.message_id.startswith("hash-") and first.message_id.endswith("@missing")
    assert len(first.message_id) == len("hash-") + 64 + len("@missing")
    crlf = parse(sample("missing_message_id.eml").replace(b"\n", b"\r\n"))
    assert crlf.message_id == first.message_id  # the same mail over IMAP or from a file
    other = parse(sample("missing_message_id.eml").replace(b"forget", b"omit"))
    assert other.message_id != first.message_id


def test_message_id_without_brackets_is_accepted():
    mail = parse(b"From: a@example.com\nMessage-ID: abc.123@example.com\nSubject: x\n\ny\n")
    assert mail.message_id == "abc.123@example.com" and not mail.message_id_missing


def test_missing_or_garbage_date_falls_back_to_received_at():
    received = datetime(2024, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    for date_header in (b"", b"Date: not a date\n", b"Date: Fri, 31 Dec 2099 10:00:00 +0000\n"):
        raw = b"From: a@example.com\nSubject: x\n" + date_header + b"\nbody\n"
        mail = parse(raw, received_at=received)
        assert mail.date == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
        assert mail.date.tzinfo == UTC


def test_naive_received_at_is_taken_as_utc():
    mail = parse(b"From: a@example.com\nSubject: x\n\nbody\n", received_at=datetime(2024, 7, 1, 12, 0))
    assert mail.date == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def test_without_date_or_received_at_the_received_header_is_used():
    raw = (b"Received: from a by b; Tue, 02 Jul 2024 09:30:00 +0200\n"
           b"From: a@example.com\nSubject: x\n\nbody\n")
    assert parse(raw).date == datetime(2024, 7, 2, 7, 30, tzinfo=UTC)


# --- quote folding ------------------------------------------------------------------

def test_reply_with_op_schreef_quote_is_folded():
    mail = parsed("reply_dutch_op_schreef.eml")
    assert mail.new_text == "Dank u, het retourlabel werkt. Ik stuur het pakket morgen terug.\n\nGroet, Kees"
    assert mail.quoted_text.startswith("Op di 11 jun 2024 om 17:05 schreef Shop Support")
    assert "> In de bijlage vindt u het retourlabel." in mail.quoted_text
    assert mail.in_reply_to == "inbox.abc123@shop.example"
    assert mail.references == ["CAKdeboer.first@mail.example.nl", "inbox.abc123@shop.example"]
    assert mail.ticket_tag == 123


def test_outlook_original_message_reply_with_crlf_is_folded():
    mail = parsed("reply_outlook_original_message.eml")
    assert mail.new_text == ("Hallo,\n\nGraag 12 stuks in het zwart. Kunt u een factuur op naam van het "
                             "bedrijf sturen?\n\nTom")
    assert mail.quoted_text.startswith("-----Original Message-----\nFrom: Shop Support")
    assert mail.from_name == "Vermeulen, Tom" and mail.from_email == "t.vermeulen@bedrijf.example"
    assert mail.ticket_tag == 456


def test_gmail_html_only_reply_with_am_schrieb_is_folded():
    mail = parsed("html_only_gmail_de_reply.eml")
    assert mail.new_text == "Danke, das Paket ist angekommen.\nAlles in Ordnung."
    assert mail.quoted_text.startswith("Am Fr., 21. Juni 2024 um 09:00 Uhr schrieb Shop Support")
    assert "> Ihr Paket wurde versandt." in mail.quoted_text


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 Jun 2024 at 10:00, Shop <support@shop.example> wrote:",
        "Op 3 jun. 2024 om 10:00 heeft Shop <support@shop.example> het volgende geschreven:",
        "Am 03.06.2024 um 10:00 schrieb Shop:",
        "Le lun. 3 juin 2024 à 10:00, Shop <support@shop.example> a écrit :",
    ],
)
def test_attribution_lines_in_several_languages_are_folded(attribution):
    new, quoted = split_quoted(f"Ja, graag.\n\n{attribution}\n> Wilt u de maat?\n")
    assert new == "Ja, graag."
    assert quoted == f"{attribution}\n> Wilt u de maat?"


def test_interleaved_answers_between_quotes_are_kept():
    text = "> Welke kleur?\nRood.\n> Welke maat?\nMaat 42."
    new, quoted = split_quoted(text)
    assert new == "Rood.\nMaat 42."
    assert quoted == "> Welke kleur?\n> Welke maat?"


def test_outlook_header_block_without_separator_is_folded_in_a_reply():
    text = ("Prima, dank.\n\n________________________________\nVan: Shop <support@shop.example>\n"
            "Verzonden: dinsdag 11 juni 2024 17:05\nAan: Kees\nOnderwerp: Uw retour\n\nBeste Kees")
    new, quoted = split_quoted(text)
    assert new == "Prima, dank."
    assert quoted.startswith("________________________________\nVan: Shop")


def test_forwarded_content_is_kept_not_folded():
    text = ("Zie onderstaande vraag.\n\n---------- Forwarded message ---------\n"
            "From: Jan <jan@example.nl>\nDate: Mon, 3 Jun 2024\nSubject: Zadel\nTo: cs@marketplace.example\n\n"
            "Waar is mijn zadel?\n> oude vraag")
    new, quoted = split_quoted(text)
    assert new == text and quoted == ""


def test_outlook_forward_header_block_is_kept_when_the_subject_says_forward():
    text = "FYI\n\nFrom: Jan <jan@example.nl>\nSent: Monday\nTo: info@shop.example\nSubject: Zadel\n\nWaar is het?"
    assert split_quoted(text, is_forward=True) == (text, "")
    assert split_quoted(text)[0] == "FYI"


def test_quote_only_mail_keeps_its_text_rather_than_becoming_empty():
    new, quoted = split_quoted("> alleen een citaat\n> zonder nieuwe tekst")
    assert new == "> alleen een citaat\n> zonder nieuwe tekst" and quoted == ""


# --- automatic mail and bounces ---------------------------------------------------------

def test_auto_reply_with_auto_submitted_header():
    mail = parsed("auto_reply_out_of_office.eml")
    assert mail.auto_submitted and not mail.is_bounce
    assert mail.ticket_tag == 789


def test_mailing_list_with_precedence_bulk():
    assert parsed("mailing_list_bulk.eml").auto_submitted


@pytest.mark.parametrize(
    "header",
    [b"Precedence: list", b"Precedence: junk", b"X-Autoreply: yes", b"X-Autorespond: on",
     b"List-Id: <shop.lists.example>", b"Return-Path: <>", b"Auto-Submitted: auto-generated"],
)
def test_automatic_mail_headers(header):
    assert parse(b"From: a@example.com\nSubject: x\n" + header + b"\n\nbody\n").auto_submitted


def test_auto_submitted_no_is_a_person():
    assert not parse(b"From: a@example.com\nSubject: x\nAuto-Submitted: no\n\nbody\n").auto_submitted


def test_dsn_bounce_gives_original_message_id_and_reason():
    mail = parsed("dsn_bounce.eml")
    assert mail.is_bounce and mail.auto_submitted
    assert mail.bounce_original_message_id == "inbox.18f0a1b2c3.d4e5f6@shop.example"
    assert mail.bounce_reason == "5.1.1 550 5.1.1 <nobody@example.invalid>: Recipient address rejected: User unknown"
    assert mail.ticket_tag is None  # the tag of the returned mail is not this mail's subject


def test_delayed_dsn_is_automatic_but_no_bounce():
    raw = sample("dsn_bounce.eml").replace(b"Action: failed", b"Action: delayed").replace(b"Status: 5.1.1", b"Status: 4.4.1")
    mail = parse(raw)
    assert mail.auto_submitted and not mail.is_bounce


def test_mailer_daemon_plain_text_bounce_finds_original_id_in_the_text():
    mail = parsed("bounce_mailer_daemon_plain_text.eml")
    assert mail.is_bounce
    assert mail.bounce_original_message_id == "inbox.qmail.original@shop.example"
    assert mail.bounce_reason == "Sorry, no mailbox here by that name. (#5.1.1)"


def test_bounce_with_text_rfc822_headers_and_original_message_id_field():
    raw = (b"From: postmaster@mx.example\nSubject: Delivery failure\nMessage-ID: <dsn2@mx.example>\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
           b"--r\nContent-Type: text/plain\n\nFailed.\n"
           b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
           b"Final-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.2.2\n"
           b"Diagnostic-Code: smtp; 552 mailbox full\n"
           b"--r\nContent-Type: text/rfc822-headers\n\nFrom: support@shop.example\n"
           b"Message-ID: <inbox.hdrs@shop.example>\nSubject: Re: x\n--r--\n")
    mail = parse(raw)
    assert mail.is_bounce
    assert mail.bounce_original_message_id == "inbox.hdrs@shop.example"
    assert mail.bounce_reason == "5.2.2 552 mailbox full"


# --- unusable mail ----------------------------------------------------------------------

def test_huge_headers_over_the_limit_raise():
    raw = b"From: a@example.com\n" + b"X-Junk: " + b"a" * 300_000 + b"\nSubject: x\n\nbody\n"
    with pytest.raises(MailParseError, match="headers too large"):
        parse(raw)
    assert parse(raw, max_header_bytes=400_000).subject == "x"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        bytes(range(256)) * 20,
        os.urandom(4096),
        b"\x89PNG\r\n\x1a\n" + os.urandom(500),
        b"just some words without any header at all\n\nand a body\n",
    ],
    ids=["empty", "only-newlines", "all-bytes", "random", "png", "no-headers"],
)
def test_garbage_raises_mail_parse_error(raw):
    with pytest.raises(MailParseError):
        parse(raw)


def test_no_subject_no_body_no_attachments_raises():
    with pytest.raises(MailParseError, match="empty message"):
        parse(b"From: a@example.com\nMessage-ID: <e@x>\n\n   \n")


def test_subject_only_is_enough():
    assert parse(b"From: a@example.com\nSubject: Bel me terug\n\n").subject == "Bel me terug"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(p.name for p in MAIL.glob("*.eml"))),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(max_size=40),
)
def test_mangled_samples_parse_or_raise_mail_parse_error_only(name, cut, junk):
    raw = sample(name)
    cut = min(cut, len(raw))
    mangled = raw[:cut] + junk + raw[cut + len(junk):]
    try:
        parse(mangled)
    except MailParseError as exc:
        assert not exc.reason.startswith("undecodable message ("), exc.reason  # an internal error


# --- ticket tags and rules ----------------------------------------------------------------

def test_subject_tag_and_find_ticket_tag():
    assert subject_tag(123) == "[#123]"
    assert find_ticket_tag("Re: Vraag [#123]") == 123
    assert find_ticket_tag("Re: [# 7 ] and [#8]") == 7
    assert find_ticket_tag("Order #123 [123]") is None
    assert find_ticket_tag("") is None and find_ticket_tag(None) is None
    with pytest.raises(ValueError):
        subject_tag(True)


def test_forwarded_by_marketplace_sample_with_ticket_tag():
    mail = parsed("marketplace_forward.eml")
    assert mail.ticket_tag == 123
    assert matches_rule(mail, "*@marketplace.example", "Doorgestuurd door klantenservice")
    assert "mijn fiets is geleverd zonder zadel" in mail.new_text  # the forwarded question is kept
    assert "> Eerdere vraag die ik stelde" in mail.new_text
    assert forwarded_customer(mail) == ("Jan de Vries", "jan.devries@example.nl")


def test_matches_rule_globs_substrings_and_odd_input():
    mail = parsed("marketplace_forward.eml")
    assert matches_rule(mail, "KLANTENSERVICE@marketplace.EXAMPLE", None)  # substring, any case
    assert matches_rule(mail, "marketplace.example", None)
    assert matches_rule(mail, None, "*[#123]")  # [ is literal, not a character class
    assert matches_rule(mail, "Marketplace Klantenservice <*>", None)
    assert not matches_rule(mail, "*@other.example", None)
    assert not matches_rule(mail, "*@marketplace.example", "retour")  # both must match
    assert not matches_rule(mail, None, None) and not matches_rule(mail, "  ", "")
    for odd in ("(", "[", "*(?", "\\", "a{2,", "+*+"):
        matches_rule(mail, odd, odd)  # never raises


def test_forwarded_customer_from_attached_message_and_reply_to():
    assert forwarded_customer(parsed("forwarded_as_attachment.eml")) == ("Webshop", "noreply@shop.example")
    mail = parse(b"From: cs@marketplace.example\nReply-To: Jan <Jan@Example.nl>\nSubject: x\n\nVraag\n")
    assert forwarded_customer(mail) == ("Jan", "jan@example.nl")
    assert forwarded_customer(parsed("plain_ascii.eml")) is None


def test_forwarded_customer_outlook_mailto_style():
    mail = parse(b"From: cs@marketplace.example\nSubject: FW: vraag\n\nZie onder.\n\n"
                 b"From: Jan Jansen [mailto:jan@example.nl]\nSent: Monday\nTo: cs@marketplace.example\n"
                 b"Subject: vraag\n\nWaar is mijn pakket?\n")
    assert forwarded_customer(mail) == ("Jan Jansen", "jan@example.nl")
    assert "Waar is mijn pakket?" in mail.new_text  # FW: keeps the forwarded block


def test_is_from_own_address():
    mail = parsed("reply_outlook_original_message.eml")
    assert is_from_own_address(mail, ["T.Vermeulen@bedrijf.example"])
    assert is_from_own_address(mail, ["@Bedrijf.example"])
    assert not is_from_own_address(mail, ["support@shop.example", "@shop.example", ""])


# --- replies ----------------------------------------------------------------------------

def _reply(**overrides):
    args = dict(
        from_addr="support@shop.example",
        from_name="Shop Support",
        to_addr="kees@example.nl",
        to_name="Kees de Boer",
        subject="Uw retour",
        body_text="Beste Kees,\n\nUw retour is binnen.\n",
        message_id="<inbox.reply1@shop.example>",
        in_reply_to="CAKdeboer.reply@mail.example.nl",
        references=["<CAKdeboer.first@mail.example.nl>", "<inbox.abc123@shop.example>"],
        ticket_id=123,
        date=datetime(2024, 6, 12, 9, 0, tzinfo=UTC),
    )
    args.update(overrides)
    return build_reply(**args)


def test_build_reply_headers():
    msg = _reply()
    assert msg["From"] == "Shop Support <support@shop.example>"
    assert msg["To"] == "Kees de Boer <kees@example.nl>"
    assert msg["Subject"] == "Re: Uw retour [#123]"
    assert msg["Message-ID"] == "<inbox.reply1@shop.example>"
    assert msg["In-Reply-To"] == "<CAKdeboer.reply@mail.example.nl>"
    assert msg["References"] == ("<CAKdeboer.first@mail.example.nl> <inbox.abc123@shop.example> "
                                 "<CAKdeboer.reply@mail.example.nl>")
    assert msg["Date"] == "Wed, 12 Jun 2024 09:00:00 +0000"
    assert msg["Auto-Submitted"] is None
    assert msg.get_content_type() == "text/plain"


def test_build_reply_date_defaults_to_now_aware():
    msg = _reply(date=None)
    sent = msg["Date"].datetime
    assert sent.tzinfo is not None
    assert abs(datetime.now(UTC) - sent) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Uw retour", "Re: Uw retour [#123]"),
        ("Re: Uw retour [#123]", "Re: Uw retour [#123]"),
        ("RE: Uw retour", "RE: Uw retour [#123]"),
        ("Antw: Uw retour [#123] [#123]", "Antw: Uw retour [#123]"),
        ("AW: [#99] Uw retour", "AW: Uw retour [#123]"),
        ("Fwd: Uw retour", "Re: Fwd: Uw retour [#123]"),
        ("", "Re: [#123]"),
        ("Uw\r\nBcc: evil@example.com", "Re: Uw Bcc: evil@example.com [#123]"),
    ],
)
def test_build_reply_subject_gets_one_re_and_one_tag(subject, expected):
    assert _reply(subject=subject)["Subject"] == expected


def test_build_reply_round_trips_threading_headers_through_parse():
    msg = _reply(references=["<root@example.nl>", "inbox.abc123@shop.example", "<root@example.nl>"])
    mail = parse(msg.as_bytes())
    assert mail.message_id == "inbox.reply1@shop.example"
    assert mail.in_reply_to == "CAKdeboer.reply@mail.example.nl"
    assert mail.references == ["root@example.nl", "inbox.abc123@shop.example", "CAKdeboer.reply@mail.example.nl"]
    assert mail.ticket_tag == 123
    assert mail.new_text == "Beste Kees,\n\nUw retour is binnen."


def test_build_reply_long_ids_are_never_mangled_into_encoded_words():
    long_id = "x" * 150 + "@mail.example.com"
    msg = _reply(in_reply_to=long_id, references=[f"<{i}.{'y' * 60}@example.com>" for i in range(5)])
    raw = msg.as_bytes()
    assert b"=?utf-8?" not in raw
    assert all(len(line) <= 998 for line in raw.splitlines())
    mail = parse(raw)
    assert mail.in_reply_to == long_id and mail.references[-1] == long_id and len(mail.references) == 6


def test_build_reply_accepts_a_raw_references_header_and_survives_deepcopy():
    msg = _reply(references="<a@example.nl>\r\n <b@example.nl>")
    assert msg["References"] == "<a@example.nl> <b@example.nl> <CAKdeboer.reply@mail.example.nl>"
    assert copy.deepcopy(msg).as_bytes() == msg.as_bytes()


def test_build_reply_caps_references_keeping_root_and_newest():
    refs = [f"<m{i}@example.com>" for i in range(50)]
    mail = parse(_reply(references=refs).as_bytes())
    assert len(mail.references) == 20
    assert mail.references[0] == "m0@example.com"
    assert mail.references[-2:] == ["m49@example.com", "CAKdeboer.reply@mail.example.nl"]


def test_build_reply_non_ascii_names_are_encoded():
    msg = _reply(from_name="Zoë's Wörkshop, Support", to_name="Иван Петров", body_text="Één vraag, €5.")
    raw = msg.as_bytes()
    assert raw.isascii()
    from_line = next(line for line in raw.split(b"\n") if line.startswith(b"From:"))
    assert b"=?utf-8?" in from_line
    mail = parse(raw)
    assert mail.from_name == "Zoë's Wörkshop, Support" and mail.from_email == "support@shop.example"
    assert mail.text == "Één vraag, €5."
    assert parse(raw).to == ["kees@example.nl"]
    assert message_from_bytes(raw, policy=policy.default)["To"].addresses[0].display_name == "Иван Петров"


def test_build_reply_with_html_is_multipart_alternative():
    msg = _reply(body_html="<p>Beste Kees,</p><p>Uw retour is binnen.</p>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    mail = parse(msg.as_bytes())
    assert mail.text.startswith("Beste Kees,") and "<p>Uw retour is binnen.</p>" in mail.html


def test_build_reply_auto_acknowledgement_only_when_asked():
    msg = _reply(auto_submitted="auto-replied", reply_to="noreply-tickets@shop.example")
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Reply-To"] == "noreply-tickets@shop.example"
    assert parse(msg.as_bytes()).auto_submitted
    with pytest.raises(ValueError):
        _reply(auto_submitted="yes please")


def test_build_reply_extra_headers_cannot_override_threading_or_inject():
    msg = _reply(extra_headers={"X-Seller-Inbox-Ticket": "123", "X-Note": "a\r\nBcc: evil@example.com"})
    assert msg["X-Seller-Inbox-Ticket"] == "123"
    assert msg["Bcc"] is None and msg["X-Note"] == "a Bcc: evil@example.com"
    for name in ("Message-ID", "References", "in-reply-to", "Subject", "Bad Name:"):
        with pytest.raises(ValueError):
            _reply(extra_headers={name: "x"})


def test_build_reply_rejects_header_injection_in_addresses():
    with pytest.raises(ValueError):
        _reply(to_addr="kees@example.nl>, evil@example.com")
    with pytest.raises(ValueError):
        _reply(to_addr="not-an-address")


def test_make_message_id_is_unique_and_well_formed():
    ids = {make_message_id("shop.example") for _ in range(1000)}
    assert len(ids) == 1000
    for mid in ids:
        assert mid.startswith("<inbox.") and mid.endswith("@shop.example>")
    with pytest.raises(ValueError):
        make_message_id("shop example>")
