"""A reply sent without JavaScript with files over the request limit (32 MB) loses nothing: the typed text is kept
as a draft and the ticket page says which file did not fit. A form over even the files' limit gets a 413 page in
the app's layout that says what to do."""
from __future__ import annotations

import gc
import io
import re

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Draft, Message, OutboundEmail, Upload
from inbox.upload_limits import Budget, KeptWhileItFits

MB = 1024 * 1024
BODY = "Beste Ingrid,\n\nHierbij de video van de montage; de handleiding stuur ik erbij.\n\nGroet, Anna"
PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n"
# Werkzeug's test client spools a large body to a temporary file it never closes (the app closes its own).
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def video(size: int) -> io.BytesIO:
    return io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (size - 12))


def hidden_fields(page: str) -> dict:
    return dict(re.findall(r'name="(csrf_token|token|seen_message_id)" (?:type="hidden" )?value="([^"]*)"', page))


@pytest.fixture
def ticket_page(app, client, login_as, make_ticket, shop):
    """The agent on a fresh ticket's page, with CSRF protection on as in production (the form's token is read
    before the files): (ticket, hidden fields)."""
    ticket = make_ticket(shop)
    login_as("agent")
    app.config["WTF_CSRF_ENABLED"] = True
    return ticket, hidden_fields(client.get(f"/tickets/{ticket.id}").get_data(as_text=True))


def test_a_reply_with_a_file_over_32_mb_keeps_the_text_as_a_draft_and_names_the_file(client, ticket_page):
    ticket, form = ticket_page
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        **form, "kind": "reply", "body": BODY, "status": "pending",
        "files": [(video(40 * MB), "montage.mp4"), (io.BytesIO(PDF), "handleiding.pdf")]})
    assert response.status_code == 303 and response.location.endswith(f"/tickets/{ticket.id}")
    del response
    gc.collect()
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "reply")) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 0
    assert db.session.scalar(sa.select(Draft.body).where(Draft.ticket_id == ticket.id)) == BODY
    assert db.session.scalars(sa.select(Upload.filename)).all() == ["handleiding.pdf"]   # the one that fitted waits

    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "montage.mp4" in page and "is too large (40 MB): a file can be at most 10 MB" in page
    assert "Hierbij de video van de montage" in page          # back in the composer
    assert "handleiding.pdf" in page


def test_the_add_files_button_without_javascript_keeps_the_text_too(client, ticket_page):
    ticket, form = ticket_page
    response = client.post(f"/tickets/{ticket.id}/attachments", content_type="multipart/form-data", data={
        **form, "kind": "note", "body": "Klant stuurt foto's na.", "files": [(video(33 * MB), "clip.mp4")]})
    assert response.status_code == 303
    del response
    gc.collect()
    draft = db.session.scalar(sa.select(Draft).where(Draft.ticket_id == ticket.id))
    assert (draft.body, draft.kind) == ("Klant stuurt foto's na.", "note")
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0
    assert "clip.mp4" in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_with_javascript_a_file_over_32_mb_is_refused_by_name_in_the_file_box(client, ticket_page):
    ticket, form = ticket_page
    response = client.post(f"/tickets/{ticket.id}/attachments", headers={"HX-Request": "true",
                                                                         "X-CSRFToken": form["csrf_token"]},
                           content_type="multipart/form-data", data={"files": [(video(33 * MB), "clip.mp4")]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "clip.mp4" in html and "is too large (33 MB)" in html


def test_a_form_over_what_the_server_reads_gets_a_page_in_the_layout_with_the_way_back(app, client, ticket_page):
    ticket, form = ticket_page
    app.config["UPLOAD_REQUEST_MAX_BYTES"] = 2 * MB
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data",
                           headers={"Referer": f"http://localhost/tickets/{ticket.id}?view=mine"},
                           data={**form, "body": BODY, "files": [(video(3 * MB), "montage.mp4")]})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<nav" in html and "Too large to send" in html                      # the app's own page, not Werkzeug's
    assert "at most 2 MB" in html and "Back button" in html
    assert f'href="/tickets/{ticket.id}?view=mine"' in html


def test_the_way_back_is_only_to_a_page_of_this_app(app, client, login_as, staff):
    login_as("agent")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/account", data={"name": "x" * 2000}, headers={"Referer": "https://evil.example/x"})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "evil.example" not in html and "Too large to send" in html


def test_a_request_keeps_file_bytes_while_they_fit_and_only_counts_the_rest():
    budget = Budget(10)
    first, second, third = KeptWhileItFits(budget), KeptWhileItFits(budget), KeptWhileItFits(budget)
    first.write(b"12345")
    second.write(b"1234")
    second.write(b"5678")          # does not fit: the file lets go of what it held
    third.write(b"abcde")          # fits in what the second gave back
    assert (first.cut, second.cut, third.cut) == (False, True, False)
    assert (first.size, second.size, third.size) == (5, 8, 5)
    second.seek(0)
    assert second.read() == b""
    third.seek(0)
    assert third.read() == b"abcde"
