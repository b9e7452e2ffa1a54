"""Search: a real full-text index, Dutch and English word forms, highlighted matches, one shop's tickets only."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox import search
from inbox.extensions import db
from inbox.services import tickets as ticket_service

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def tickets(shop, staff):
    with time_machine.travel(MONDAY_11, tick=False):
        make = lambda **kw: ticket_service.create_ticket(shop, received_at=MONDAY_11 - timedelta(hours=1), **kw)  # noqa: E731
        made = {
            "nl": make(subject="Pakketten niet ontvangen", body="Ik heb twee bestellingen gedaan, maar niets gekregen.",
                       customer_name="Jeroen Visser", customer_email="jeroen.visser@example.nl", order_number="1077001122"),
            "en": make(subject="Where are my deliveries?", body="The parcel was delivered to the wrong address.",
                       customer_name="Emily Clarke", customer_email="emily@example.co.uk", language="en"),
            "accent": make(subject="Vraag over café-tafel", body="Is de tafel ook in één kleur leverbaar?",
                           customer_name="Zoë Brouwer"),
            "reply": make(subject="Retour", body="Hoe stuur ik iets terug?", customer_name="Kees Bos"),
        }
        ticket_service.reply(made["reply"], shop, "U kunt het retourlabel gebruiken uit de doos.", by=staff["agent"])
        db.session.commit()
        return made


def found(client, q, view="all"):
    response = client.get("/tickets", query_string={"q": q, "view": view})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def ids_in(body, tickets):
    return {k for k, t in tickets.items() if f'id="ticket-{t.id}-row"' in body}


@pytest.mark.parametrize("q, expected", [
    ("pakket", {"nl"}),               # Dutch plural found by its singular
    ("pakketje", {"nl"}),             # and by the diminutive
    ("bestelling", {"nl"}),           # a word in the message text
    ("bestellingen", {"nl"}),
    ("bestel", {"nl"}),               # a word still being typed
    ("delivery", {"en"}),             # English plural found by its singular
    ("delivered address", {"en"}),    # every word must match
    ("delivered pakket", set()),
    ("Visser", {"nl"}),               # customer name
    ("jeroen.visser@example.nl", {"nl"}),  # customer e-mail
    ("emily@example.co.uk", {"en"}),
    ("1077001122", {"nl"}),           # order number
    ("cafe", {"accent"}),             # without the accent
    ("één", {"accent"}),              # with it
    ("Zoe", {"accent"}),
    ("retourlabel", {"reply"}),       # text of our reply
    ("???", set()),                   # nothing searchable typed
])
def test_search_finds_by_subject_text_customer_email_and_order(client, login_as, tickets, q, expected):
    login_as("agent")
    assert ids_in(found(client, q), tickets) == expected


def test_search_by_ticket_number(client, login_as, tickets):
    login_as("agent")
    assert ids_in(found(client, f"#{tickets['en'].id}", view="needs_reply"), tickets) == {"en"}


def test_matches_are_highlighted_and_escaped(client, login_as, shop, tickets):
    with time_machine.travel(MONDAY_11, tick=False):
        ticket_service.create_ticket(shop, subject="<b>Pakket</b> kapot", body="x", customer_name="A")
        db.session.commit()
    login_as("agent")
    body = found(client, "pakket")
    assert "<mark>Pakketten</mark> niet ontvangen" in body
    assert "&lt;b&gt;<mark>Pakket</mark>&lt;/b&gt; kapot" in body


def test_search_respects_the_view(client, login_as, tickets):
    login_as("agent")
    assert ids_in(found(client, "retour", view="needs_reply"), tickets) == set()
    assert ids_in(found(client, "retour", view="pending"), tickets) == {"reply"}


def test_search_never_shows_another_shops_tickets(client, login_as, tickets, make_shop):
    other = make_shop("Concurrent", "NL")
    with time_machine.travel(MONDAY_11, tick=False):
        foreign = ticket_service.create_ticket(other, subject="Pakketten kwijt", body="Mijn bestellingen zijn weg",
                                               customer_name="Jeroen Visser", received_at=MONDAY_11)
        db.session.commit()
    login_as("agent")
    for q in ("pakket", "Visser", "bestellingen", f"#{foreign.id}"):
        assert f'id="ticket-{foreign.id}-row"' not in found(client, q), q


def test_index_follows_edits_of_subject_and_new_messages(client, login_as, shop, tickets):
    ticket = tickets["en"]
    ticket.subject = "Kapotte lamp"
    with time_machine.travel(MONDAY_11, tick=False):
        ticket_service.add_customer_message(ticket, shop, "Ook de fitting is gebroken.")
    db.session.commit()
    login_as("agent")
    assert ids_in(found(client, "lamp"), tickets) == {"en"}
    assert ids_in(found(client, "fitting"), tickets) == {"en"}
    assert ids_in(found(client, "wrong address"), tickets) == {"en"}  # the first message is still indexed


def test_index_is_a_real_full_text_index(app):
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        if dialect == "postgresql":
            assert conn.scalar(sa.text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_ticket_search_doc'")) == 1
        else:
            sql = conn.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'"))
            assert "fts5" in sql.lower()


@pytest.mark.parametrize("word, prefix", [
    ("pakketten", "pakket"), ("bestellingen", "bestel"), ("deliveries", "deliver"), ("delivery", "deliver"),
    ("1077001122", "1077001122"), ("tas", "tas"), ("Één", "een"),
])
def test_search_terms_are_folded_prefixes(word, prefix):
    assert search.terms(word) == [prefix]


def test_installing_the_index_on_a_database_with_tickets_indexes_them(client, login_as, tickets):
    with db.engine.begin() as conn:
        search.drop_triggers(conn)
        conn.exec_driver_sql("DROP TABLE ticket_search" if conn.dialect.name == "postgresql" else "DROP TABLE ticket_fts")
    search.install(db.engine)
    login_as("agent")
    assert ids_in(found(client, "pakket"), tickets) == {"nl"}


@pytest.mark.parametrize("window", [2, 6, 1000])
def test_search_pages_are_the_newest_matches_whatever_the_first_look_finds(monkeypatch, client, login_as, shop,
                                                                           make_shop, window):
    # PostgreSQL looks among the newest tickets first (search.RECENT_WINDOW): a window holding the whole page,
    # one holding part of it, and one holding everything must all give the same newest-first pages.
    from inbox.services import ticket_list
    monkeypatch.setattr(search, "RECENT_WINDOW", window)
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 3)
    other = make_shop("Other Shop")
    with time_machine.travel(MONDAY_11, tick=False):
        made = []
        for i in range(12):
            matching = i % 3 != 2
            made.append(ticket_service.create_ticket(
                shop, received_at=MONDAY_11 - timedelta(hours=12 - i), customer_name=f"Klant {i}",
                subject=f"Kapot pakket {i}" if matching else f"Factuur {i}", body="Graag een oplossing."))
            ticket_service.create_ticket(other, received_at=MONDAY_11, subject="Kapot pakket elders", body="x")
        db.session.commit()
    login_as("agent")
    newest_first = [t.id for t in reversed(made) if t.subject.startswith("Kapot")]
    pages = []
    for page in (1, 2, 3, 4):
        body = client.get("/tickets", query_string={"q": "kapot", "view": "all", "page": page}).get_data(as_text=True)
        pages.append([tid for tid in newest_first if f'id="ticket-{tid}-row"' in body])
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:8], []]
