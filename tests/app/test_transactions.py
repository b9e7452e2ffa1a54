"""How a request's transaction ends: on PostgreSQL a page that only read commits, so that psycopg keeps the
statements it prepared (it forgets them on every rollback) and the server does not plan every query again."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from inbox.extensions import db


@pytest.fixture(autouse=True)
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the rule is for psycopg's prepared statements")


@contextmanager
def endings():
    found = []
    on_commit, on_rollback = (lambda conn: found.append("commit")), (lambda conn: found.append("rollback"))
    sa.event.listen(db.engine, "commit", on_commit)
    sa.event.listen(db.engine, "rollback", on_rollback)
    try:
        yield found
    finally:
        sa.event.remove(db.engine, "commit", on_commit)
        sa.event.remove(db.engine, "rollback", on_rollback)


def test_a_page_that_only_read_ends_with_commit(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    client.get(f"/tickets/{ticket.id}")
    with endings() as found:
        assert client.get(f"/tickets/{ticket.id}").status_code == 200
    assert found == ["commit"]


def test_a_failed_page_or_a_write_ends_as_before(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    with endings() as found:
        assert client.get("/tickets/999999").status_code == 404
    assert "commit" not in found   # it is rolled back when the request's session ends
    with endings() as found:   # the view commits its change; nothing is left to end with a second commit
        client.post(f"/tickets/{ticket.id}/tags", data={"tags": "retour"})
    assert found.count("commit") == 1
