"""How a request's transaction ends on PostgreSQL: a page that only read ends it with COMMIT.

psycopg forgets the statements it has prepared on every ROLLBACK, and Flask-SQLAlchemy rolls back at the end of
each request, so PostgreSQL would parse and plan every query of every page afresh (the inbox's view counts take
longer to plan than to run). A request that wrote anything, failed, or left changes pending ends as before.
"""
from __future__ import annotations

from flask import request
from sqlalchemy import event

from inbox.extensions import db

WROTE = "inbox_wrote"


def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany):
    if not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[WROTE] = True


def _transaction_over(conn):
    conn.info.pop(WROTE, None)


def init_app(app) -> None:
    """On PostgreSQL: the app's engine notes writes, and a request that only read ends with COMMIT."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        event.listen(db.engine, "before_cursor_execute", _note_writes)
        event.listen(db.engine, "commit", _transaction_over)
        event.listen(db.engine, "rollback", _transaction_over)

    @app.after_request
    def end_reads_with_commit(response):
        if request.method not in ("GET", "HEAD") or response.status_code >= 400 or not db.session.registry.has():
            return response
        session = db.session()
        if (session.in_transaction() and db.engine.dialect.name == "postgresql"
                and not (session.new or session.dirty or session.deleted)
                and not session.connection().info.get(WROTE)):
            session.commit()
        return response
