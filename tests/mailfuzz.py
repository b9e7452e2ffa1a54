"""A deterministic corpus of malformed mail, generated instead of kept as a pile of files.

`corpus(count, seed)` gives `count` (name, raw bytes) pairs, the same ones for the same seed on every machine.
Each mail is a plausible customer question broken in one or more of the ways real mail breaks: broken MIME,
bad charsets, NULs and control characters in every header, over-long headers and names, 100-deep nesting,
base64 garbage, missing From/Date/Message-ID, huge attachments, raw 8-bit headers, mixed line endings. Some are
follow-ups of earlier ones (In-Reply-To, or the subject tag of the ticket the first mail made) and some are
exact repeats, so threading and dedupe are fuzzed as well.

`huge` is the size of a "huge" attachment: the test lowers the app's attachment limit to below it, so the
over-limit path is taken without moving megabytes per mail.
"""
from __future__ import annotations

import base64
import random

CONTROL = [bytes([c]) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]
NAMES = [b"Ingrid van Dijk", b"Jan de Vries", b"Zo\xc3\xab Peeters", b"Marek Nowak", b"J\xc3\xbcrgen M\xc3\xbcller"]
SUBJECTS = [b"Waar blijft mijn pakket?", b"Retour aanvragen", b"Kapotte lamp ontvangen", b"Factuur klopt niet",
            b"Wann kommt meine Bestellung?", b"Zwrot towaru"]
BODIES = [b"Hallo,\r\n\r\nIk wacht al een week op mijn bestelling 12345.\r\n\r\nGroet",
          b"Goedendag, de lamp was kapot bij aankomst. Wat nu?",
          b"Dzien dobry, chcialbym zwrocic towar.", b"Guten Tag, meine Bestellung ist noch nicht da."]
CHARSETS = [b"utf-8", b"iso-8859-1", b"x-unknown-charset", b"utf-7", b"koi8-r", b"\"", b"utf-8\x00", b"big5",
            b"unicode-1-1-utf-7", b"idna", b"", b"windows-1252; format=flowed"]


class _Mail:
    """One mail being broken: its headers in order and its body, as bytes."""

    def __init__(self, rnd: random.Random, index: int):
        self.rnd = rnd
        self.index = index
        name = rnd.choice(NAMES)
        self.address = b"customer%d@example.com" % rnd.randrange(200)
        self.headers: list[tuple[bytes, bytes]] = [
            (b"From", name + b" <" + self.address + b">"),
            (b"To", b"shop@inbox.localhost"),
            (b"Subject", rnd.choice(SUBJECTS)),
            (b"Date", b"Mon, 16 Nov 2026 %02d:%02d:00 +0100" % (rnd.randrange(8, 18), rnd.randrange(60))),
            (b"Message-ID", b"<fuzz-%d@example.com>" % index),
            (b"MIME-Version", b"1.0"),
            (b"Content-Type", b"text/plain; charset=utf-8"),
        ]
        self.body = rnd.choice(BODIES)
        self.newline = b"\r\n"

    def set(self, name: bytes, value: bytes | None) -> None:
        self.headers = [(n, v) for n, v in self.headers if n.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))

    def get(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def raw(self) -> bytes:
        nl = self.newline
        return nl.join(n + b": " + v for n, v in self.headers) + nl + nl + self.body + nl


# -- the ways mail breaks; each takes the mail and its random source ------------------------------------------

def nul_or_control_in_a_header(m: _Mail, rnd: random.Random) -> None:
    name = rnd.choice([b"From", b"Subject", b"Message-ID", b"To", b"Date", b"Content-Type", b"In-Reply-To",
                       b"References", b"Reply-To", b"Cc"])
    value = m.get(name) or b"<x@y> plain value"
    at = rnd.randrange(len(value) + 1)
    m.set(name, value[:at] + b"".join(rnd.choice(CONTROL) for _ in range(rnd.randrange(1, 4))) + value[at:])


def nul_everywhere(m: _Mail, rnd: random.Random) -> None:
    m.headers = [(n, v.replace(b" ", b"\x00 ", 1) + b"\x00") for n, v in m.headers]
    m.body = m.body.replace(b" ", b"\x00", 3)


def over_long_name(m: _Mail, rnd: random.Random) -> None:
    m.set(b"From", b"Ingrid " * rnd.randrange(40, 600) + b"<" + m.address + b">")


def over_long_message_id(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Message-ID", b"<" + b"%d-" % m.index + b"x" * rnd.randrange(300, 5000) + b"@example.com>")


def over_long_subject(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Subject", b"pakket " * rnd.randrange(50, 3000))


def over_long_header_line(m: _Mail, rnd: random.Random) -> None:
    m.set(b"X-Tracking", b"a" * (rnd.randrange(100_000, 200_000) if rnd.random() < 0.1 else rnd.randrange(1000, 20_000)))


def huge_header_section(m: _Mail, rnd: random.Random) -> None:
    """Over the parser's limit for the header section (256 KiB) now and then; else thousands of small headers."""
    if rnd.random() < 0.2:
        m.set(b"X-Junk", b"b" * rnd.randrange(270_000, 300_000))
    else:
        m.headers += [(b"X-Hop-%d" % i, b"relay%d.example" % i) for i in range(rnd.randrange(100, 400))]


def long_address(m: _Mail, rnd: random.Random) -> None:
    m.set(b"From", b"Jan <" + b"j" * rnd.randrange(250, 3000) + b"@example.com>")


def missing_headers(m: _Mail, rnd: random.Random) -> None:
    for name in rnd.sample([b"From", b"Date", b"Message-ID", b"Subject", b"MIME-Version", b"Content-Type"],
                           rnd.randrange(1, 5)):
        m.set(name, None)


def garbage_date(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Date", rnd.choice([b"yesterday", b"Mon, 99 Foo 20261 99:99:99 +9999", b"", b"\xff\xfe",
                               b"Thu, 01 Jan 1970 00:00:00 +0000", b"Fri, 31 Dec 9999 23:59:59 -1200"]))


def bad_charset(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Content-Type", b"text/plain; charset=" + rnd.choice(CHARSETS))
    if rnd.random() < 0.5:
        m.body = "Caf\u00e9 cr\u00e8me \u20ac 10".encode("latin-1", "replace") + b" \xff\xfe\xfd"


def bad_encoded_words(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Subject", rnd.choice([b"=?utf-8?B?////?=", b"=?x-bogus?Q?caf=E9?=", b"=?utf-8?Q?unterminated",
                                  b"=?utf-8?B?" + base64.b64encode(b"\x00\x01 nul") + b"?=",
                                  b"=?iso-8859-1?q?=FF=FE=00?= end", b"=??B??=", b"=?utf-7?B?K0FHRS0=?="]))
    if rnd.random() < 0.5:
        m.set(b"From", b"=?utf-8?B?" + base64.b64encode(b"Na\x00me \xff") + b"?= <" + m.address + b">")


def raw_8bit_headers(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Subject", bytes(rnd.randrange(128, 256) for _ in range(rnd.randrange(5, 60))))
    if rnd.random() < 0.5:
        m.set(b"From", b"\xc3\x28\xa0\xa1 <" + m.address + b">")


def base64_garbage(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Content-Transfer-Encoding", b"base64")
    m.body = bytes(rnd.choice(b"ABCDabcd0123+/=!@#\x00\xff \r\n") for _ in range(rnd.randrange(10, 3000)))


def quoted_printable_garbage(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Content-Transfer-Encoding", rnd.choice([b"quoted-printable", b"x-uuencode", b"8bit", b"bogus"]))
    m.body = b"=ZZ=\r\n=0=00=FF soft break=" + bytes(rnd.randrange(256) for _ in range(50))


def broken_multipart(m: _Mail, rnd: random.Random) -> None:
    kind = rnd.randrange(5)
    if kind == 0:  # no boundary parameter
        m.set(b"Content-Type", b"multipart/mixed")
        m.body = b"--x\r\nContent-Type: text/plain\r\n\r\nhallo\r\n--x--"
    elif kind == 1:  # never closed
        m.set(b"Content-Type", b'multipart/mixed; boundary="zz"')
        m.body = b"--zz\r\nContent-Type: text/plain\r\n\r\nbegin maar nooit af"
    elif kind == 2:  # boundary that never appears
        m.set(b"Content-Type", b'multipart/alternative; boundary="nope"')
        m.body = b"--other\r\n\r\ntekst\r\n--other--"
    elif kind == 3:  # empty multipart
        m.set(b"Content-Type", b'multipart/mixed; boundary="e"')
        m.body = b"--e--"
    else:  # garbage content type
        m.set(b"Content-Type", rnd.choice([b"multipart/", b";;;", b"text/plain; charset", b"\x00/\x00",
                                           b"message/rfc822", b"application/octet-stream"]))


def deep_nesting(m: _Mail, rnd: random.Random) -> None:
    """Multiparts (and, now and then, attached messages) inside each other, up to well past 100 levels."""
    depth = rnd.choice([20, 60, 100, 120])
    rfc822 = rnd.random() < 0.3
    body, content_type = b"de binnenste tekst", b"text/plain"
    for level in range(depth):
        if rfc822 and level % 2:
            body = b"Subject: level %d\r\nContent-Type: %s\r\n\r\n%s" % (level, content_type, body)
            content_type = b"message/rfc822"
            continue
        boundary = b"b%d" % level
        body = b"--%s\r\nContent-Type: %s\r\n\r\n%s\r\n--%s--" % (boundary, content_type, body, boundary)
        content_type = b'multipart/mixed; boundary="%s"' % boundary
    m.set(b"Content-Type", content_type)
    m.body = body


def attachment(m: _Mail, rnd: random.Random, huge: int) -> None:
    size = rnd.choice([0, 10, huge + 1, huge * 2]) if rnd.random() < 0.5 else rnd.randrange(1, 2000)
    name = rnd.choice([b"foto.jpg", b"f\x00ct\x01uur.pdf", b"x" * 400 + b".pdf", b"../../etc/passwd",
                       b"=?utf-8?B?" + base64.b64encode("r\u00e9\u00e7u.pdf".encode()) + b"?=", b"", b"\xff\xfe.doc",
                       b"evil.exe", b"con.txt"])
    data = base64.b64encode(bytes(rnd.randrange(256) for _ in range(min(size, 64))) * (size // 64 + 1))[:size * 4 // 3]
    m.set(b"Content-Type", b'multipart/mixed; boundary="att"')
    m.body = (b'--att\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' + m.body
              + b'\r\n--att\r\nContent-Type: ' + rnd.choice([b"image/jpeg", b"application/pdf", b"x/\x00", b""])
              + b'\r\nContent-Disposition: attachment; filename="' + name + b'"\r\n'
              + b"Content-Transfer-Encoding: base64\r\n\r\n" + data + b"\r\n--att--")


def mixed_line_endings(m: _Mail, rnd: random.Random) -> None:
    m.newline = rnd.choice([b"\n", b"\r", b"\r\n"])
    m.body = m.body.replace(b"\r\n", rnd.choice([b"\n", b"\r", b"\r\r\n"]))


def header_without_colon(m: _Mail, rnd: random.Random) -> None:
    at = rnd.randrange(len(m.headers) + 1)
    m.headers.insert(at, (b"This is not a header", b"") if rnd.random() < 0.5 else (b" folded-orphan", b"x"))


def html_only(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Content-Type", b"text/html; charset=utf-8")
    m.body = rnd.choice([b"<p>Hallo<script>alert(1)</script><img src=http://x/y onerror=z>",
                         b"<html><body><table>" * 50, b"<p>\x00nul</p>", b"<!-- unterminated"])


def bounce_like(m: _Mail, rnd: random.Random) -> None:
    m.set(b"From", b"MAILER-DAEMON <mailer-daemon@example.net>")
    m.set(b"Content-Type", b'multipart/report; report-type=delivery-status; boundary="r"')
    m.body = (b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--r\r\n"
              b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--r--")


def auto_reply(m: _Mail, rnd: random.Random) -> None:
    m.set(b"Auto-Submitted", b"auto-replied")
    m.set(b"Subject", b"Afwezig: " + (m.get(b"Subject") or b""))


BREAKERS = [nul_or_control_in_a_header, nul_everywhere, over_long_name, over_long_message_id, over_long_subject,
            over_long_header_line, huge_header_section, long_address, missing_headers, garbage_date, bad_charset,
            bad_encoded_words, raw_8bit_headers, base64_garbage, quoted_printable_garbage, broken_multipart,
            deep_nesting, mixed_line_endings, header_without_colon, html_only, bounce_like, auto_reply]


def corpus(count: int, seed: int = 14, *, huge: int = 16 * 1024):
    """`count` malformed mails, (name, raw), the same for the same seed. About one in twenty is a follow-up of
    an earlier mail of the corpus and one in thirty an exact repeat."""
    rnd = random.Random(seed)
    made: list[tuple[bytes, bytes, int]] = []  # (raw, from address, index) of earlier mails, for follow-ups
    for index in range(count):
        roll = rnd.random()
        if made and roll < 1 / 30:
            raw, _address, first = rnd.choice(made)
            yield f"{index:05d}-repeat-of-{first:05d}", raw
            continue
        m = _Mail(rnd, index)
        if made and roll < 1 / 30 + 1 / 20:
            _raw, address, first = rnd.choice(made)
            m.set(b"From", b"Klant <" + address + b">")
            m.set(b"Subject", b"Re: vraag")
            m.set(b"In-Reply-To", b"<fuzz-%d@example.com>" % first)
            m.set(b"References", b"<fuzz-%d@example.com>" % first)
            name = f"{index:05d}-follow-up-of-{first:05d}"
            breakers = rnd.sample(BREAKERS[:2] + BREAKERS[10:14], 1) if rnd.random() < 0.5 else []
        else:
            breakers = rnd.sample(BREAKERS, rnd.choice([1, 1, 1, 2, 3]))
            if rnd.random() < 0.1:
                breakers.append(attachment)
            name = f"{index:05d}-" + "+".join(b.__name__ for b in breakers)
        for breaker in breakers:
            if breaker is attachment:
                attachment(m, rnd, huge)
            else:
                breaker(m, rnd)
        raw = m.raw()
        made.append((raw, m.address, index))
        yield name, raw
