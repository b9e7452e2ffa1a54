"""Hostile input on every public form of the customer's side (issue 17, "Bad input and abuse"): NUL bytes and
over-long values answer a page (a field error, or the thing done with the text made storable), never a 500, on
SQLite and PostgreSQL alike."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import ContactSubmission, HelpArticle, Rating, Ticket
from inbox.services import customer_links, help as help_service, tickets
from inbox.workflow import Status

NUL = "Hallo\x00 daar"
LONG = "x" * 100_000
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "Accept-Language": "en"}


@pytest.fixture
def article(shop, staff):
    found = help_service.save(HelpArticle(shop_id=shop.id), category="return", published=True,
                              texts={"nl": ("Retour", "Zo stuur je iets terug."), "en": ("", "")}, by=staff["owner"])
    db.session.commit()
    return found


@pytest.fixture
def link(shop, make_ticket, staff):
    ticket = make_ticket(shop)
    tickets.reply(ticket, shop, "Opgelost.", by=staff["agent"], status=Status.SOLVED.value)
    key = customer_links.make_link(ticket).rpartition("/")[2]
    db.session.commit()
    return key, ticket


@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "overlong"])
def test_the_contact_form(client, shop, value):
    data = {"name": value, "email": "els@example.com", "order_number": value, "subject": value, "body": value,
            "shown": [value, "12"]}
    response = client.post(f"/contact/{shop.id}", data=data, headers=BROWSER)
    assert response.status_code in (303, 422)
    if value is NUL:   # valid after cleaning: stored without the NUL
        assert response.status_code == 303
        stored = db.session.scalar(sa.select(Ticket))
        assert "\x00" not in stored.subject and "\x00" not in stored.customer_name
    else:
        assert "at most" in response.get_data(as_text=True).lower() or "longer" in response.get_data(as_text=True)
    bad_mail = client.post(f"/contact/{shop.id}", data={**data, "email": value + "@example.com"}, headers=BROWSER)
    assert bad_mail.status_code == 422


@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "overlong"])
def test_the_help_search_suggestions_and_answered(client, shop, article, value):
    assert client.get(f"/help/{shop.id}", query_string={"q": value, "lang": value}, headers=BROWSER).status_code == 200
    suggest = client.post(f"/help/{shop.id}/suggest", data={"subject": value, "body": value, "lang": value,
                                                            "shown": [value, str(article.id)]}, headers=BROWSER)
    assert suggest.status_code == 200
    answered = client.post(f"/help/{shop.id}/{article.id}/answered", data={"lang": value}, headers=BROWSER)
    assert answered.status_code == 303
    assert client.get(f"/help/{shop.id}/{article.id}-{value[:300]}", headers=BROWSER).status_code in (200, 301)


@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "overlong"])
def test_asking_for_a_fresh_link(client, shop, value):
    response = client.post(f"/contact/{shop.id}/link", data={"email": value, "website": ""}, headers=BROWSER)
    assert response.status_code == 422
    assert client.post(f"/contact/{shop.id}/link", data={"email": "els@example.com", "website": value},
                       headers=BROWSER).status_code == 422   # the honeypot


@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "overlong"])
def test_the_question_page_reply_and_rating(client, shop, link, value):
    key, ticket = link
    reply = client.post(f"/q/{key}", data={"body": value}, headers=BROWSER)
    assert reply.status_code == (303 if value is NUL else 422)
    rating = client.post(f"/q/{key}/rate", data={"score": value, "comment": value}, headers=BROWSER)
    assert rating.status_code == 422
    rated = client.post(f"/q/{key}/rate", data={"score": "okay", "comment": value}, headers=BROWSER)
    assert rated.status_code == (303 if value is NUL else 422)
    if value is NUL:
        assert "\x00" not in db.session.scalar(sa.select(Rating.comment))
    assert client.get(f"/q/{key}/rate/{value[:200]}", headers=BROWSER).status_code == 200
    assert client.get(f"/q/{value[:5000]}", headers=BROWSER).status_code == 404


def test_nothing_was_stored_half(client, shop):
    """A refused form leaves no trace: no ticket, no submission counted."""
    client.post(f"/contact/{shop.id}", data={"name": LONG, "email": "x@example.com", "subject": "s", "body": "b"},
                headers=BROWSER)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ContactSubmission.id))) == 0
