"""The customer's side, §4: "How did we do?" when a question is solved; one rating per ticket, changeable for a
week; a bad one becomes a follow-up; never a reaction for the reply clock; never asked of machines or for spam."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from babel.dates import format_datetime
import sqlalchemy as sa
import time_machine

from inbox import clock
from inbox.extensions import db
from inbox.models import MailSettings, OutboundEmail, Rating, Ticket
from inbox.services import composer, outbox, tickets
from tests.customer import LINK, link_in
from tests.mailservers import smtp_sink  # noqa: F401  (fixture)


@pytest.fixture
def mailing_shop(shop, smtp_sink):
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    return shop


def solve(ticket, shop, user, body="Uw nieuwe jas is onderweg. Fijne dag!"):
    composer.send(ticket, shop, user, body=body, kind="reply", status="solved", token=f"s-{ticket.id}-{len(ticket.messages)}")
    db.session.commit()


def test_the_solve_reply_asks_how_we_did_over_smtp(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket = make_ticket(mailing_shop)
    solve(ticket, mailing_shop, staff["agent"])
    outbox.run_queue()
    [delivered] = smtp_sink.wait_for(1)
    body = delivered.message.get_body(("plain",)).get_content()
    token = link_in(delivered)
    assert "How did we do?" in body or "Hoe hebben we het gedaan?" in body
    for score in ("good", "okay", "bad"):
        assert f"/q/{token}/rate/{score}" in body


def test_a_reply_that_does_not_solve_asks_nothing(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket = make_ticket(mailing_shop)
    composer.send(ticket, mailing_shop, staff["agent"], body="Ik zoek het uit.", kind="reply", status="pending", token="p1")
    db.session.commit()
    outbox.run_queue()
    [delivered] = smtp_sink.wait_for(1)
    assert "/rate/" not in delivered.message.get_body(("plain",)).get_content()


def test_following_a_rating_link_changes_nothing_until_the_form_is_sent(client, mailing_shop, make_ticket, staff,
                                                                       smtp_sink):
    ticket = make_ticket(mailing_shop)
    solve(ticket, mailing_shop, staff["agent"])
    outbox.run_queue()
    token = link_in(smtp_sink.wait_for(1)[0])
    page = client.get(f"/q/{token}/rate/bad", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and db.session.scalar(sa.select(sa.func.count(Rating.id))) == 0
    html = page.get_data(as_text=True)
    assert 'value="bad" checked' in html or 'checked value="bad"' in html or ('value="bad"' in html and "checked" in html)
    assert client.post(f"/q/{token}/rate", data={"score": "good", "comment": "Snel en vriendelijk"}).status_code == 303
    rating = db.session.scalar(sa.select(Rating))
    assert (rating.score, rating.comment, rating.agent_id, rating.channel) == ("good", "Snel en vriendelijk",
                                                                                staff["agent"].id, "email")


def test_one_rating_per_ticket_changeable_for_seven_days(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket = make_ticket(mailing_shop)
    solve(ticket, mailing_shop, staff["agent"])
    outbox.run_queue()
    token = link_in(smtp_sink.wait_for(1)[0])
    start = clock.now()
    assert client.post(f"/q/{token}/rate", data={"score": "okay"}).status_code == 303
    final_at = format_datetime(db.session.scalar(sa.select(Rating.created_at)).replace(tzinfo=timezone.utc)
                               + timedelta(days=7), "EEEE d MMMM y, HH:mm", tzinfo=mailing_shop.tz, locale="en")
    english = {"Accept-Language": "en"}
    assert f"You can change your rating until {final_at}." in client.get(f"/q/{token}", headers=english).text
    with time_machine.travel(start + timedelta(days=6), tick=False):
        assert client.post(f"/q/{token}/rate", data={"score": "good"}).status_code == 303
    with time_machine.travel(start + timedelta(days=8), tick=False):
        late = client.post(f"/q/{token}/rate", data={"score": "bad"}, headers=english)
        assert late.status_code == 422 and "can no longer be changed" in late.get_data(as_text=True)
        assert f"could be changed until {final_at}; it is final now" in client.get(f"/q/{token}", headers=english).text
    assert [r.score for r in db.session.scalars(sa.select(Rating))] == ["good"]


def test_a_bad_rating_opens_a_follow_up_and_is_no_reaction(client, mailing_shop, make_ticket, staff, smtp_sink,
                                                           login_as):
    ticket = make_ticket(mailing_shop)
    solve(ticket, mailing_shop, staff["agent"])
    outbox.run_queue()
    token = link_in(smtp_sink.wait_for(1)[0])
    before = db.session.get(Ticket, ticket.id)
    state = (before.status, before.due_at, before.first_reply_at, before.last_reply_margin)
    assert client.post(f"/q/{token}/rate", data={"score": "bad", "comment": "Te laat <b>en</b> onvriendelijk"}).status_code == 303
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.due_at, ticket.first_reply_at, ticket.last_reply_margin) == state
    assert "bad-rating" in ticket.tags
    notes = [m.body for m in ticket.messages if m.kind == "note"]
    assert notes and "Te laat <b>en</b> onvriendelijk" in notes[-1]
    login_as("manager")
    page = client.get("/reports", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="follow-up"' in page and "Te laat &lt;b&gt;en&lt;/b&gt; onvriendelijk" in page
    rating = db.session.scalar(sa.select(Rating))
    assert client.post(f"/ratings/{rating.id}/followed-up").status_code == 303
    assert 'id="follow-up"' not in client.get("/reports").get_data(as_text=True)
    assert "bad-rating" not in db.session.get(Ticket, ticket.id).tags


def test_performance_page_shows_satisfaction_per_week_agent_and_channel(client, mailing_shop, make_ticket, staff,
                                                                       login_as):
    from inbox.services import satisfaction
    for i, score in enumerate(("good", "good", "bad")):
        t = make_ticket(mailing_shop, subject=f"Vraag {i}", customer_email=f"c{i}@example.com")
        t.assignee_id = staff["agent"].id
        satisfaction.rate(t, mailing_shop, score, "Top!" if i == 0 else None)
    db.session.commit()
    login_as("owner")
    page = client.get("/reports", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="satisfaction-weeks"' in page and 'id="satisfaction-groups"' in page
    groups = page.split('id="satisfaction-groups"')[1].split("</table>")[0]
    assert "Agent Demo" in groups and "67%" in groups and "E-mail" in groups
    assert "Top!" in page


@pytest.mark.parametrize("address, tags", [("no-reply@shop.example", []), ("ingrid@example.com", ["spam"])])
def test_never_asked_of_machines_or_for_spam(client, mailing_shop, make_ticket, staff, address, tags):
    ticket = make_ticket(mailing_shop, customer_email=address, tags=tags)
    solve(ticket, mailing_shop, staff["agent"])
    assert db.session.scalar(sa.select(OutboundEmail.footer)) is None


def test_separate_mode_sends_a_short_mail_when_solved_by_status(client, mailing_shop, make_ticket, staff, smtp_sink):
    mailing_shop.rating_mode = "separate"
    ticket = make_ticket(mailing_shop)
    tickets.change_status(ticket, mailing_shop, "solved", by=staff["agent"])
    db.session.commit()
    outbox.run_queue()
    [delivered] = smtp_sink.wait_for(1)
    body = delivered.message.get_body(("plain",)).get_content()
    assert "/rate/good" in body and LINK.search(body)
    mailing_shop.rating_mode = "off"
    other = make_ticket(mailing_shop, subject="Nog een")
    tickets.change_status(other, mailing_shop, "solved", by=staff["agent"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 1


def test_rating_form_rejects_an_unknown_score(client, mailing_shop, make_ticket, staff, smtp_sink):
    ticket = make_ticket(mailing_shop)
    solve(ticket, mailing_shop, staff["agent"])
    outbox.run_queue()
    token = link_in(smtp_sink.wait_for(1)[0])
    assert client.post(f"/q/{token}/rate", data={"score": "excellent"}).status_code == 422
    assert client.get(f"/q/{token}/rate/excellent").status_code == 200  # nothing pre-selected
    assert db.session.scalar(sa.select(sa.func.count(Rating.id))) == 0


def test_the_demo_shop_has_ratings_with_comments_and_open_follow_ups(client, shop, staff, make_ticket, login_as):
    import random

    from inbox.demo import ratings
    from inbox.services import satisfaction
    from inbox.workflow import Status
    now = clock.now()
    for n in range(60):
        t = make_ticket(shop, subject=f"Vraag {n}", customer_email=f"klant{n}@example.com",
                        received_at=now - timedelta(days=n % 30 + 1), language="nl" if n % 3 else "en")
        tickets.reply(t, shop, "Opgelost.", by=staff["agent"], at=now - timedelta(days=n % 30),
                      status=Status.SOLVED.value)
    db.session.commit()
    count = ratings.seed(random.Random(3), shop, now)
    db.session.commit()
    rows = db.session.scalars(sa.select(Rating)).all()
    assert count == len(rows) and 10 <= count <= 35
    assert {r.score for r in rows} >= {"good", "bad"} and any(r.comment for r in rows)
    waiting = [r for r in rows if r.score == "bad" and r.followed_up_at is None]
    assert 1 <= len(waiting) <= ratings.STILL_OPEN
    assert all(satisfaction.FOLLOW_UP_TAG in db.session.get(Ticket, r.ticket_id).tags for r in waiting)
    login_as("manager")
    page = client.get("/reports").get_data(as_text=True)
    assert 'id="satisfaction-weeks"' in page
