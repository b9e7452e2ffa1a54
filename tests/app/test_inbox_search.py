"""Search: a real full-text index, Dutch and English word forms, highlighted matches, one shop's tickets only."""
import html
import re
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


def _kapot_history(shop, make_shop, *, pending_every: int = 0):
    """12 questions, an hour apart, 8 of them about "kapot", and as many in another shop; every
    `pending_every`-th one waits on the customer. Answers the matching ones, newest first."""
    other = make_shop("Other Shop")
    with time_machine.travel(MONDAY_11, tick=False):
        made = []
        for i in range(12):
            matching = i % 3 != 2
            made.append(ticket_service.create_ticket(
                shop, received_at=MONDAY_11 - timedelta(hours=12 - i), customer_name=f"Klant {i}",
                subject=f"Kapot pakket {i}" if matching else f"Factuur {i}", body="Graag een oplossing."))
            if pending_every and i % pending_every == 0:
                made[-1].status = "pending"
            ticket_service.create_ticket(other, received_at=MONDAY_11, subject="Kapot pakket elders", body="x")
        db.session.commit()
    return [t for t in reversed(made) if t.subject.startswith("Kapot")]


def _links(body: str) -> dict:
    """The page's Next and "Search older questions" links."""
    found = {}
    for name, pattern in (("next", r'rel="next" href="([^"]+)"'), ("older", r'id="search-reach".*?href="([^"]+)"')):
        m = re.search(pattern, body, re.S)
        if m:
            found[name] = html.unescape(m.group(1))
    return found


@pytest.mark.parametrize("budget", [search.GIN_BUDGET, -1])
def test_search_pages_are_the_newest_matches(monkeypatch, client, login_as, shop, make_shop, budget):
    # Within the bound (search.HORIZON) a search reads every match; on PostgreSQL through the GIN index when the
    # words are rare (GIN_BUDGET), else ticket by ticket: both give the same newest-first pages.
    from inbox.services import ticket_list
    monkeypatch.setattr(search, "GIN_BUDGET", budget)
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 3)
    newest_first = [t.id for t in _kapot_history(shop, make_shop)]
    login_as("agent")
    pages = []
    for page in (1, 2, 3, 4):
        body = client.get("/tickets", query_string={"q": "kapot", "view": "all", "page": page}).get_data(as_text=True)
        pages.append([tid for tid in newest_first if f'id="ticket-{tid}-row"' in body])
        assert 'id="search-reach"' not in body
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:8], []]


@pytest.mark.parametrize("horizon", [2, 4, 5])
def test_a_search_looks_at_the_newest_candidates_and_offers_the_older_ones(monkeypatch, client, login_as, shop,
                                                                          make_shop, horizon):
    # A page reads at most search.HORIZON candidates (SQLite: matches; PostgreSQL: the shop's tickets, for a
    # common word): when its view holds few of them the page says how far back it looked and links on, and
    # following Next and "Search older questions" shows every match in the view once, newest first.
    from inbox.services import ticket_list
    monkeypatch.setattr(search, "HORIZON", {"postgresql": horizon, "sqlite": horizon})
    monkeypatch.setattr(search, "GIN_BUDGET", -1)   # every word counts as common
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 2)
    wanted = [t.id for t in _kapot_history(shop, make_shop, pending_every=2) if t.status == "pending"]
    login_as("agent")
    url, seen, told = "/tickets?view=pending&q=kapot", [], 0
    for _ in range(20):
        body = client.get(url).get_data(as_text=True)
        seen += [tid for tid in wanted if f'id="ticket-{tid}-row"' in body]
        if 'id="search-reach"' in body:
            told += 1
            assert "Searched the questions from" in body
        links = _links(body)
        if not links:
            break
        url = links.get("next") or links["older"]
    assert seen == wanted
    assert told > 0


def test_previous_pages_after_searching_older_ones_are_whole(monkeypatch, client, login_as, shop, make_shop):
    # The page before lies above the cursor wherever its matches are, beyond the window a page forward used.
    from inbox.services import ticket_list
    monkeypatch.setattr(search, "HORIZON", {"postgresql": 2, "sqlite": 2})
    monkeypatch.setattr(search, "GIN_BUDGET", -1)
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 2)
    wanted = [t.id for t in _kapot_history(shop, make_shop, pending_every=2) if t.status == "pending"]
    login_as("agent")
    url, pages = "/tickets?view=pending&q=kapot", []
    for _ in range(20):
        body = client.get(url).get_data(as_text=True)
        pages.append([tid for tid in wanted if f'id="ticket-{tid}-row"' in body])
        links = _links(body)
        if not links:
            break
        url = links.get("next") or links["older"]
    shown = [tid for page in pages for tid in page]
    last = re.findall(r'id="ticket-(\d+)-row"', body)
    assert shown == wanted and last
    back = []
    while m := re.search(r'rel="prev" href="([^"]+)"', body):
        body = client.get(html.unescape(m.group(1))).get_data(as_text=True)
        back.append([tid for tid in wanted if f'id="ticket-{tid}-row"' in body])
    # Going back from the last page shown: every match once, newest first, each page whole up to the first.
    assert [tid for page in reversed(back) for tid in page] + [int(t) for t in last] == wanted
    assert back and all(len(page) == 2 for page in back[:-1]) and back[-1] == pages[0]


def test_a_page_without_recent_matches_says_so_and_offers_the_older_ones(monkeypatch, client, login_as, shop,
                                                                        make_shop):
    monkeypatch.setattr(search, "HORIZON", {"postgresql": 1, "sqlite": 1})
    monkeypatch.setattr(search, "GIN_BUDGET", -1)
    _kapot_history(shop, make_shop, pending_every=4)
    login_as("agent")
    body = client.get("/tickets", query_string={"q": "kapot", "view": "pending"}).get_data(as_text=True)
    assert "No recent questions match “kapot”." in body
    assert "Search older questions" in body


@pytest.mark.parametrize("q", ["kapot\x00", "\x00", '"kapot', "kapot OR factuur", "kapot*", "NOT kapot", "kapot -pakket",
                               "'; DROP TABLE ticket; --", "kapot & !pakket", "kapot:*", "a" * 200, "NEAR(kapot pakket)",
                               "{kapot}", "^kapot", "kapot + pakket"])
def test_hostile_search_input_is_only_words(client, login_as, shop, make_shop, q):
    # Operators of FTS5 and tsquery, quotes and NUL bytes are not passed on: only the words are searched.
    _kapot_history(shop, make_shop)
    login_as("agent")

    def rows(query):
        response = client.get("/tickets", query_string={"q": query, "view": "all"})
        assert response.status_code == 200
        return re.findall(r'id="ticket-(\d+)-row"', response.get_data(as_text=True))

    assert rows(q) == rows(" ".join(search.terms(q)) or "?")
