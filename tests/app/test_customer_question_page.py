"""The customer's side, §3: a private link in every mail to the question's page, revocable, never a window on
other tickets; a fresh link by e-mail address that never tells whether the address is known."""
from __future__ import annotations

import gc
import re

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import CustomerLink, OutboundEmail, Ticket
from inbox.services import customer_links, outbox, tickets
from inbox.workflow import MessageKind, Status
from tests.conftest import local
from tests.customer import link_in, mailing_shop, send  # noqa: F401  (fixture)
from tests.mailservers import smtp_sink  # noqa: F401  (fixture)


def question_with_link(client, shop, make_ticket, staff, smtp_sink):
    ticket = make_ticket(shop, subject="Waar blijft mijn pakket?")
    tickets.add_note(ticket, shop, "Intern: klant is al 3x gebeld", by=staff["agent"])
    send(ticket, shop, staff["agent"], body="Uw pakket komt morgen.")
    outbox.run_queue()
    [delivered] = smtp_sink.wait_for(1)
    return ticket, link_in(delivered)


def test_reply_mail_carries_a_link_whose_hash_alone_is_stored(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    row = db.session.scalar(sa.select(CustomerLink))
    assert row.ticket_id == ticket.id and row.token_hash == customer_links.token_hash(token)
    assert token not in row.token_hash
    assert all(token not in (o.body or "") for o in db.session.scalars(sa.select(OutboundEmail)))


def test_the_page_shows_the_thread_without_notes(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    response = client.get(f"/q/{token}", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Waar blijft mijn pakket?" in page and "Uw pakket komt morgen." in page
    assert "Ik wacht al een week" in page
    assert "Intern" not in page and "agent@demo-shop" not in page
    assert "We answered and are waiting for your reaction." in page


def test_the_customer_reply_reopens_and_restarts_the_clock_once(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    assert ticket.status == Status.PENDING.value and ticket.due_at is None
    with time_machine.travel(local(2026, 12, 2, 15, 0), tick=False):
        for _ in range(2):  # a double click
            assert client.post(f"/q/{token}", data={"body": "Hij is er nog niet."}).status_code == 303
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    customer = [m for m in ticket.messages if m.kind == MessageKind.CUSTOMER.value]
    assert [m.body for m in customer][-1] == "Hij is er nog niet." and len(customer) == 2
    assert ticket.status == Status.OPEN.value and ticket.due_at is not None
    page = client.get(f"/q/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Thursday 3 December, 15:00" in page and 'datetime="2026-12-03T15:00+01:00"' in page


def test_an_empty_or_oversized_reply_is_refused_with_the_text_kept(client, mailing_shop, make_ticket, staff, smtp_sink):
    _ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    assert client.post(f"/q/{token}", data={"body": ""}).status_code == 422
    response = client.post(f"/q/{token}", data={"body": "x" * 20001 + "\x00"})
    assert response.status_code == 422 and "xxxx" in response.get_data(as_text=True)


def test_unknown_revoked_and_other_tickets_links_all_answer_404(client, mailing_shop, make_ticket, staff, smtp_sink,
                                                                login_as):
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    other = make_ticket(mailing_shop, subject="Iemand anders", customer_email="other@example.com")
    assert client.get("/q/not-a-real-token-but-long-enough-to-look-like-one-xxxxxxxx").status_code == 404
    assert client.get(f"/q/{token}x").status_code == 404
    page = client.get(f"/q/{token}").get_data(as_text=True)
    assert "Iemand anders" not in page and str(other.id) not in re.findall(r"question-(\d+)-thread", page)
    login_as("agent")
    assert client.post(f"/tickets/{ticket.id}/customer-links/revoke").status_code == 303
    client.post("/logout")
    assert client.get(f"/q/{token}").status_code == 404
    assert client.post(f"/q/{token}", data={"body": "Hallo?"}).status_code == 404


def test_revoking_is_for_the_shops_own_staff(client, mailing_shop, make_shop, make_user, make_ticket):
    ticket = make_ticket(mailing_shop)
    stranger = make_user(make_shop("Other Shop"), role="owner", email="o@other.example.com")
    from tests.conftest import sign_in
    sign_in(client, stranger.email)
    assert client.post(f"/tickets/{ticket.id}/customer-links/revoke").status_code == 404


def test_guessing_links_is_slowed_down(client, shop):
    statuses = [client.get(f"/q/guess-{i:040d}").status_code for i in range(22)]
    assert statuses[:20] == [404] * 20 and statuses[-1] == 429


def test_asking_for_a_fresh_link_answers_the_same_for_known_and_unknown(client, mailing_shop, make_ticket, smtp_sink):
    make_ticket(mailing_shop, subject="Retour", customer_email="ingrid@example.com")
    known = client.post(f"/contact/{mailing_shop.id}/link", data={"email": "Ingrid@example.com"})
    unknown = client.post(f"/contact/{mailing_shop.id}/link", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).replace("ingrid@example.com", "X").replace("nobody@example.com", "X")  # noqa: E731
    assert strip(known) == strip(unknown)
    outbox.run_queue()
    [delivered] = smtp_sink.wait_for(1)
    assert delivered.rcpt_tos == ["ingrid@example.com"] and "Retour" in delivered.message.get_body(("plain",)).get_content()
    token = link_in(delivered)
    assert client.get(f"/q/{token}").status_code == 200
    assert db.session.scalar(sa.select(OutboundEmail.body).where(OutboundEmail.footer == "links")) == ""


def test_fresh_links_are_rate_limited_per_address_and_need_a_valid_form(client, mailing_shop, make_ticket):
    make_ticket(mailing_shop, customer_email="ingrid@example.com")
    for _ in range(4):
        client.post(f"/contact/{mailing_shop.id}/link", data={"email": "ingrid@example.com"})
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 3
    assert client.post(f"/contact/{mailing_shop.id}/link", data={"email": "not an address"}).status_code in (422, 429)
    assert client.post("/contact/999/link", data={"email": "a@example.com"}).status_code == 404


def test_the_link_request_needs_a_csrf_token(csrf_app, shop):
    assert csrf_app.test_client().post(f"/contact/{shop.id}/link", data={"email": "a@example.com"}).status_code == 400


def test_a_reply_with_a_nul_byte_is_stored_on_both_databases(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    assert client.post(f"/q/{token}", data={"body": "Hallo\x00 daar, één vraag"}).status_code == 303
    db.session.expire_all()
    last = db.session.get(Ticket, ticket.id).messages[-1]
    assert last.kind == MessageKind.CUSTOMER.value and "\x00" not in last.body and "één vraag" in last.body


def _png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_the_customers_photo_arrives_in_the_staff_thread_as_an_incoming_attachment(
        client, mailing_shop, make_ticket, staff, smtp_sink, login_as):
    import io

    from inbox.models import MailAttachment
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    response = client.post(f"/q/{token}", data={"body": "Zo ziet de scheur eruit.",
                                                  "files": [(io.BytesIO(_png()), "scheur.png")]})
    assert response.status_code == 303
    [row] = db.session.scalars(sa.select(MailAttachment)).all()
    message = db.session.get(type(ticket.messages[0]), row.message_id)
    assert message.kind == MessageKind.CUSTOMER.value and message.body == "Zo ziet de scheur eruit."
    assert row.content_type == "image/png" and row.thumbnail and row.filename == "scheur.png"
    assert "scheur.png" in client.get(f"/q/{token}").get_data(as_text=True)
    login_as("agent")
    assert "scheur.png" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_a_file_alone_is_a_reply_and_the_same_upload_twice_is_one(client, mailing_shop, make_ticket, staff, smtp_sink):
    import io
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    for _ in range(2):   # a double click
        assert client.post(f"/q/{token}", data={"body": "", "files": [(io.BytesIO(_png()), "foto.png")]}
                           ).status_code == 303
    db.session.expire_all()
    customer = [m for m in db.session.get(Ticket, ticket.id).messages if m.kind == MessageKind.CUSTOMER.value]
    assert len(customer) == 2 and customer[-1].body == ""
    response = client.post(f"/q/{token}", data={"body": "  "})
    assert response.status_code == 422 and "Write a message or attach a file." in response.get_data(as_text=True)


# Werkzeug's test client spools a body over 500 KB to a temporary file it never closes (the app closes its own).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_program_or_a_too_large_file_sends_nothing_and_keeps_the_text(
        client, mailing_shop, make_ticket, staff, smtp_sink):
    import io

    from inbox.models import MailAttachment
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    before = len(ticket.messages)
    response = client.post(f"/q/{token}", data={"body": "Hier de factuur", "files": [
        (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "factuur.pdf")]}, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "a Windows program" in page and "Hier de factuur" in page
    mailing_shop.attachment_file_mb = 1
    db.session.commit()
    response = client.post(f"/q/{token}", data={"body": "Nu de foto", "files": [
        (io.BytesIO(_png() + b"\x00" * (1024 * 1024 + 10)), "groot.png")]}, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "is too large" in page and "Nu de foto" in page
    db.session.expire_all()
    assert len(db.session.get(Ticket, ticket.id).messages) == before
    assert db.session.scalar(sa.select(sa.func.count(MailAttachment.id))) == 0
    del response
    gc.collect()   # the spooled file's warning, here where it is ignored


# Werkzeug's test client spools a body over 500 KB to a temporary file it never closes (the app closes its own).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_files_past_the_request_limit_without_javascript_keep_the_text(app, client, mailing_shop, make_ticket, staff,
                                                                        smtp_sink):
    import io
    ticket, token = question_with_link(client, mailing_shop, make_ticket, staff, smtp_sink)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024   # the 32 MB of production, smaller for the test
    response = client.post(f"/q/{token}", data={"body": "Een grote video van het pakket", "files": [
        (io.BytesIO(b"\x00" * (3 * 1024 * 1024)), "video.mp4")]}, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Een grote video van het pakket" in page and "video.mp4" in page
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).messages[-1].body != "Een grote video van het pakket"
    del response
    gc.collect()
