"""A stranger must not write into a customer's thread: a follow-up from an address the conversation does not know
becomes a new question that refers to the old one; people the conversation knows thread under their own name."""
from __future__ import annotations

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import MailSettings, Message, Ticket, TicketParticipant
from inbox.services import intake
from inbox.workflow import MessageKind, Status
from tests.conftest import customer_mail


def first_question(shop, **kw):
    result = intake.receive_email(shop, customer_mail(**kw), source="smtp")
    assert result.outcome == "new"
    return db.session.get(Ticket, result.ticket_id)


def solve(ticket, shop):
    from inbox.services import tickets as ticket_service
    ticket_service.change_status(ticket, shop, Status.SOLVED.value, by=None)
    db.session.commit()


def test_a_strangers_follow_up_with_the_subject_tag_becomes_a_new_question_referring_to_the_old(app, shop):
    ticket = first_question(shop)
    solve(ticket, shop)
    result = intake.receive_email(shop, customer_mail(subject=f"Re: Waar blijft mijn pakket? [#{ticket.id}]",
                                                      sender="Ingrid van Dijk <mallory@evil.example>",
                                                      message_id="<m1@evil.example>", body="Betaal hier: evil.example"),
                                  source="smtp")
    assert result.outcome == "new" and result.ticket_id != ticket.id
    new = db.session.get(Ticket, result.ticket_id)
    assert new.refers_to_id == ticket.id
    assert (new.customer_name, new.customer_email) == ("Ingrid van Dijk", "mallory@evil.example")
    db.session.refresh(ticket)
    # The customer's ticket is exactly as it was: not reopened, no clock, nothing written into its thread.
    assert ticket.status == Status.SOLVED.value and ticket.due_at is None and ticket.message_count == 1
    assert db.session.scalars(sa.select(Message.kind).where(Message.ticket_id == ticket.id)).all() == [
        MessageKind.CUSTOMER.value]


def test_a_stranger_answering_our_message_id_is_not_threaded_either(app, shop):
    ticket = first_question(shop)
    result = intake.receive_email(shop, customer_mail(subject="Re: Waar blijft mijn pakket?",
                                                      sender="Mallory <mallory@evil.example>",
                                                      message_id="<m2@evil.example>", In_Reply_To="<q1@example.com>"),
                                  source="imap")
    assert result.outcome == "new"
    assert db.session.get(Ticket, result.ticket_id).refers_to_id == ticket.id


def test_the_customer_and_a_reply_to_do_not_let_a_stranger_in(app, shop):
    ticket = first_question(shop)
    # Reply-To naming the customer costs a stranger nothing: the From decides.
    result = intake.receive_email(shop, customer_mail(subject=f"Re: [#{ticket.id}]", sender="mallory@evil.example",
                                                      message_id="<m3@evil.example>", Reply_To="ingrid@example.com"),
                                  source="smtp")
    assert result.outcome == "new"
    customer = intake.receive_email(shop, customer_mail(subject=f"Re: [#{ticket.id}]", sender="INGRID@example.com",
                                                        message_id="<c2@example.com>"), source="smtp")
    assert customer.outcome == "threaded" and customer.ticket_id == ticket.id
    assert db.session.get(Message, customer.message_id).sender_email is None


def test_someone_copied_in_threads_under_their_own_name_marked_not_the_customer(app, shop, staff, login_as, client):
    ticket = first_question(shop, Cc="Partner <partner@example.com>")
    assert db.session.scalars(sa.select(TicketParticipant.email)).all() == ["partner@example.com"]
    result = intake.receive_email(shop, customer_mail(subject=f"Re: [#{ticket.id}]", sender="Piet <partner@example.com>",
                                                      message_id="<p1@example.com>", body="Ik vul aan: het is de rode."),
                                  source="smtp")
    assert result.outcome == "threaded" and result.ticket_id == ticket.id
    message = db.session.get(Message, result.message_id)
    assert (message.sender_name, message.sender_email) == ("Piet", "partner@example.com")
    login_as("agent")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    thread = page[page.index(f'id="message-{message.id}"'):]
    thread = thread[:thread.index("</li>")]
    assert "Piet" in thread and "partner@example.com" in thread and "Not the customer" in thread
    assert "Ingrid van Dijk" not in thread


def test_the_from_behind_a_reply_to_and_the_marketplace_are_participants(app, shop):
    db.session.add(MailSettings(shop_id=shop.id, marketplace_sender="*@marketplace.example"))
    db.session.commit()
    form = first_question(shop, sender="Webwinkel <noreply@webshop.example>", Reply_To="Ingrid <ingrid@example.com>")
    assert form.customer_email == "ingrid@example.com"
    again = intake.receive_email(shop, customer_mail(subject=f"Re: [#{form.id}]", sender="noreply@webshop.example",
                                                     message_id="<f2@webshop.example>"), source="smtp")
    assert again.outcome == "threaded"
    marketplace = intake.receive_email(shop, customer_mail(subject=f"Re: [#{form.id}]",
                                                           sender="Klantenservice <service@marketplace.example>",
                                                           message_id="<mp@marketplace.example>"), source="smtp")
    assert marketplace.outcome == "threaded"
    assert db.session.get(Message, marketplace.message_id).sender_email == "service@marketplace.example"


def test_the_two_questions_point_at_each_other_on_their_pages(app, shop, staff, login_as, client):
    ticket = first_question(shop)
    result = intake.receive_email(shop, customer_mail(subject=f"Re: [#{ticket.id}]", sender="mallory@evil.example",
                                                      message_id="<m4@evil.example>"), source="smtp")
    login_as("agent")
    new_page = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    assert f'href="/tickets/{ticket.id}"' in new_page and "not part of that conversation" in new_page
    old_page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "mallory@evil.example" in old_page and f"#{result.ticket_id}" in old_page
