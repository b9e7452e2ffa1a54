"""The uploads service: the checks every attached file goes through, thumbnails, and where files wait (a draft, a
template) until a message carries them."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from inbox.extensions import db
from inbox.models import MailAttachment, Message, ReplyTemplate, Upload
from inbox.services import tickets as ticket_service, uploads
from inbox.services.uploads import MB, IncomingFile, Limits

PDF = b"%PDF-1.4\n" + b"x" * 1000


@pytest.fixture
def request_context(app):
    """Messages are in the user's language: a request is needed to know it."""
    with app.test_request_context():
        yield


def photo(size=(1600, 1200), mode="RGB", fmt="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40, 128) if mode == "RGBA" else (200, 80, 40)).save(out, fmt)
    return out.getvalue()


def test_check_takes_good_files_and_says_why_each_other_one_is_refused(request_context):
    limits = Limits(per_file=2000, per_message=3000, files=3)
    taken, problems = uploads.check([
        IncomingFile("factuur.pdf", PDF),
        IncomingFile("setup.pdf", b"MZ\x90\x00" + b"\0" * 100),
        IncomingFile("groot.pdf", b"%PDF-" + b"x" * 2500),
        IncomingFile("leeg.txt", b""),
        IncomingFile("", b""),                     # an empty file input: nothing to say
        IncomingFile("tweede.pdf", PDF),
        IncomingFile("derde.pdf", PDF),            # over the message's 3000 bytes together
    ], limits)
    assert [(f.filename, f.content_type) for f in taken] == [("factuur.pdf", "application/pdf"),
                                                            ("tweede.pdf", "application/pdf")]
    assert problems == [
        '"setup.pdf" was not added: it is a Windows program, and those are never sent, to keep customers safe.',
        '"groot.pdf" is too large (2 KB): a file can be at most 0 MB.',
        '"leeg.txt" was not added: the file is empty.',
        '"derde.pdf" does not fit: the files of one message can be at most 0 MB together.',
    ]


def test_check_counts_what_is_already_on_the_message(request_context):
    taken, problems = uploads.check([IncomingFile("a.pdf", PDF)], Limits(10 * MB, 25 * MB, files=20),
                                    already_bytes=25 * MB - 10, already_count=1)
    assert not taken and "25 MB" in problems[0]
    taken, problems = uploads.check([IncomingFile("a.pdf", PDF)], Limits(10 * MB, 25 * MB, files=2), already_count=2)
    assert not taken and "at most 2 files" in problems[0]


def test_the_shop_sets_its_limits_with_sensible_defaults(shop):
    assert uploads.limits_for(shop) == Limits(10 * MB, 25 * MB)
    shop.attachment_file_mb, shop.attachment_message_mb = 5, 12
    assert uploads.limits_for(shop) == Limits(5 * MB, 12 * MB)


def test_images_get_a_small_thumbnail_upright_and_other_files_none(app):
    thumb = uploads.thumbnail(photo(), "image/jpeg")
    with Image.open(io.BytesIO(thumb)) as small:
        assert small.format == "JPEG" and small.size == (240, 180)
    with Image.open(io.BytesIO(uploads.thumbnail(photo(mode="RGBA", fmt="PNG"), "image/png"))) as small:
        assert small.format == "PNG" and small.mode == "RGBA"   # transparency kept
    assert uploads.thumbnail(PDF, "application/pdf") is None
    assert uploads.thumbnail(b"\x89PNG\r\n\x1a\nbroken", "image/png") is None


def test_a_decompression_bomb_gets_no_thumbnail(app, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 1000)
    assert uploads.thumbnail(photo((100, 100)), "image/jpeg") is None


def test_draft_files_move_onto_the_message_once_and_leave_the_draft(shop, staff, make_ticket):
    ticket, agent = make_ticket(shop), staff["agent"]
    taken, _ = uploads.check_for_draft(ticket, agent, shop, [IncomingFile("foto.jpg", photo()),
                                                              IncomingFile("Überweisung.pdf", PDF)])
    uploads.add_to_draft(ticket, agent, taken)
    db.session.commit()
    assert [u.filename for u in uploads.draft_files(ticket, agent)] == ["foto.jpg", "Überweisung.pdf"]
    assert uploads.draft_files(ticket, staff["owner"]) == []          # a colleague's draft is their own
    assert uploads.draft_usage(ticket, agent) == (len(photo()) + len(PDF), 2)

    message = ticket_service.add_note(ticket, shop, "Foto van de schade.", by=agent)
    db.session.flush()
    assert uploads.move_draft_to_message(ticket, agent, message) == 2
    db.session.commit()
    files = uploads.message_files(message.id, shop.id)
    assert [(f.filename, f.data, f.thumbnail is not None) for f in files] == [
        ("foto.jpg", photo(), True), ("Überweisung.pdf", PDF, False)]
    assert uploads.draft_files(ticket, agent) == []


def test_remove_takes_only_the_users_own_draft_file(shop, staff, make_ticket):
    ticket = make_ticket(shop)
    [mine] = uploads.add_to_draft(ticket, staff["agent"], uploads.check([IncomingFile("a.pdf", PDF)], Limits(MB, MB))[0])
    db.session.commit()
    assert not uploads.remove_from_draft(ticket, staff["owner"], mine.id)
    assert uploads.remove_from_draft(ticket, staff["agent"], mine.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0


def test_a_templates_standard_attachment_is_copied_to_a_draft_once(shop, staff, make_ticket, request_context):
    ticket, agent = make_ticket(shop), staff["agent"]
    template = ReplyTemplate(shop_id=shop.id, title="Retour", body="Beste {customer_name}, …")
    db.session.add(template)
    db.session.flush()
    assert uploads.add_to_template(template, shop, [IncomingFile("Retourvoorwaarden.pdf", PDF),
                                                    IncomingFile("virus.exe", b"MZ")]) == [
        '"virus.exe" was not added: it is a Windows program, and those are never sent, to keep customers safe.']
    db.session.commit()
    assert uploads.template_to_draft(template, ticket, agent) == 1
    assert uploads.template_to_draft(template, ticket, agent) == 0    # inserted twice: still one file
    db.session.commit()
    [copy] = uploads.draft_files(ticket, agent)
    assert copy.filename == "Retourvoorwaarden.pdf" and copy.template_id is None
    # The template keeps its own.
    assert [u.filename for u in uploads.template_files(template)] == ["Retourvoorwaarden.pdf"]


def test_files_on_a_message_store_bytes_that_postgres_and_sqlite_give_back_unchanged(shop, staff, make_ticket):
    ticket = make_ticket(shop)
    every_byte = bytes(range(256)) * 40
    message = ticket_service.add_note(ticket, shop, "Bijlage.", by=staff["agent"])
    db.session.flush()
    taken, problems = uploads.check([IncomingFile("alle-bytes.bin.dat", every_byte)], uploads.limits_for(shop))
    assert not problems
    uploads.store_on_message(message, taken)
    db.session.commit()
    message_id, shop_id, ticket_id = message.id, shop.id, ticket.id
    db.session.expunge_all()
    [row] = uploads.message_files(message_id, shop_id)
    assert row.data == every_byte and row.size == len(every_byte) and row.ticket_id == ticket_id
    assert db.session.get(Message, message_id) is not None
    assert db.session.scalar(sa.select(sa.func.count(MailAttachment.id))) == 1


@pytest.mark.parametrize(("size", "text"), [(512, "512 bytes"), (2048, "2 KB"), (3 * MB + MB // 2, "3.5 MB")])
def test_sizes_read_naturally(request_context, size, text):
    assert uploads.file_size(size) == text
