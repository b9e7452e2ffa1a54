"""The search index stays in step with the tickets in the same transaction (database triggers), on SQLite (FTS5)
and PostgreSQL (tsvector + GIN), and the migration installs it with a backfill and takes it away again."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox import search
from inbox.extensions import db
from inbox.models import Message, Ticket
from inbox.services import tickets as ticket_service

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)


def matching(shop, words: str) -> set[int]:
    """The shop's ticket ids whose document holds every word (by prefix), straight from the index."""
    query = search.match(sa.select(Ticket.id).where(Ticket.shop_id == shop.id), Ticket, db.engine.dialect.name,
                         shop.id, search.terms(words))
    return set(db.session.scalars(query))


def documents() -> int:
    table = "ticket_search" if db.engine.dialect.name == "postgresql" else "ticket_fts"
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # nosec B608 (a literal name)


@pytest.fixture
def ticket(shop):
    with time_machine.travel(MONDAY_11, tick=False):
        made = ticket_service.create_ticket(shop, subject="Kapotte lamp", body="De fitting is gebroken.",
                                            customer_name="Ingrid van Dijk", customer_email="ingrid@example.nl",
                                            order_number="1077001122", received_at=MONDAY_11 - timedelta(hours=1))
        db.session.commit()
    return made


def test_a_new_ticket_is_found_by_its_head_and_its_first_message(shop, ticket):
    for words in ("lamp", "fitting gebroken", "Dijk", "ingrid@example.nl", "1077001122"):
        assert matching(shop, words) == {ticket.id}, words


def test_changes_to_the_head_replace_the_old_words(shop, ticket):
    ticket.subject = "Scheur in gordijn"
    ticket.customer_name = "Pieter Smit"
    ticket.order_number = "2088"
    db.session.commit()
    assert matching(shop, "gordijn") == matching(shop, "Smit") == matching(shop, "2088") == {ticket.id}
    assert matching(shop, "lamp") == matching(shop, "Dijk") == matching(shop, "1077001122") == set()
    assert matching(shop, "fitting") == {ticket.id}   # the messages stay indexed


def test_a_new_message_is_found_and_an_edited_one_loses_its_old_words(shop, ticket, staff):
    with time_machine.travel(MONDAY_11, tick=False):
        ticket_service.add_customer_message(ticket, shop, "Ook de schakelaar doet het niet.")
        db.session.commit()
    assert matching(shop, "schakelaar") == {ticket.id}
    message = db.session.scalar(sa.select(Message).where(Message.ticket_id == ticket.id, Message.body.like("Ook%")))
    message.body = "Ook de stekker is los."
    db.session.commit()
    assert matching(shop, "stekker") == {ticket.id} and matching(shop, "schakelaar") == set()
    assert matching(shop, "fitting") == {ticket.id}


def test_a_deleted_ticket_leaves_the_index(shop, ticket):
    before = documents()
    db.session.execute(sa.delete(Message).where(Message.ticket_id == ticket.id))
    db.session.execute(sa.delete(Ticket).where(Ticket.id == ticket.id))
    db.session.commit()
    assert documents() == before - 1 and matching(shop, "lamp") == set()


def test_a_change_rolled_back_leaves_the_index_as_it_was(shop, ticket):
    ticket.subject = "Scheur in gordijn"
    db.session.flush()
    assert matching(shop, "gordijn") == {ticket.id}   # in step inside the transaction
    db.session.rollback()
    assert matching(shop, "gordijn") == set() and matching(shop, "lamp") == {ticket.id}


def test_the_migration_installs_the_index_with_the_tickets_already_there_and_removes_it(shop, ticket):
    ticket_id = ticket.id
    db.session.commit()   # no transaction of the session may hold the tables the DDL changes
    with db.engine.begin() as conn:
        search.uninstall_on(conn)
        assert not sa.inspect(conn).has_table("ticket_search" if conn.dialect.name == "postgresql" else "ticket_fts")
    try:
        with db.engine.begin() as conn:
            search.install_on(conn)        # what the migration's upgrade runs
            search.install_on(conn)        # and again: idempotent, no second document
        assert matching(shop, "fitting lamp") == {ticket_id} and documents() == 1
    finally:
        db.session.commit()
        search.install(db.engine)


def test_an_sqlite_index_of_the_earlier_shape_is_made_anew_with_every_prefix_length(shop, ticket):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    db.session.commit()
    with db.engine.begin() as conn:
        search.uninstall_on(conn)
        conn.exec_driver_sql("CREATE VIRTUAL TABLE ticket_fts USING fts5(head, body, "
                             "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')")   # empty, as before
    with db.engine.begin() as conn:
        search.install_on(conn)
        made = conn.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'"))
    assert "prefix='2 3 4 5 6 7 8 9 10'" in made
    assert matching(shop, "gebroken") == {ticket.id}
