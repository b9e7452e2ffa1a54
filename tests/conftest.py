"""Fixtures: an app on SQLite (default) or on PostgreSQL when INBOX_TEST_DATABASE_URL is set."""
from __future__ import annotations

import functools
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient

from inbox import create_app
from inbox.extensions import db
from inbox.models import Shop, User
from inbox.schema import install_schema
from inbox.services import smtpd, tickets as ticket_service
from tests.mailservers import dovecot, free_port, smtp_sink  # noqa: F401  (real mail servers, for every test)

# The test mail servers (aiosmtpd, dovecot) listen on this machine, which a shop's settings may not reach in
# production (inbox/netguard.py).
os.environ.setdefault("INBOX_ALLOW_PRIVATE_HOSTS", "127.0.0.0/8,::1/128")


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist (`-n 2`) each worker empties tables of its own PostgreSQL database, `<name>_gw0`, ..."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or url.startswith("sqlite"):
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    server = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("INBOX_TEST_DATABASE_URL", "sqlite://"))
PASSWORD = "correct horse battery"
_schema_ready = {}  # database URL -> its tables, in the order they are emptied


@functools.cache
def _sqlite_template() -> sqlite3.Connection:
    """The schema, made once per test process in memory; each test's in-memory database is a copy of it (SQLite's
    backup API takes under a millisecond, creating the schema anew took ~50 ms of every test)."""
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    install_schema(engine)
    return engine.raw_connection().driver_connection


def _reset_database(app) -> None:
    """A clean schema for each test: recreated on SQLite (in memory), emptied on PostgreSQL (kept)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        with db.engine.connect() as conn:
            _sqlite_template().backup(conn.connection.driver_connection)
        return
    if url not in _schema_ready:
        with db.engine.begin() as conn:  # start from nothing: tables of older runs may differ
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        install_schema(db.engine)
        models = {t.name for t in db.metadata.tables.values()}
        # Tables the schema's extras made (the search index) refer to the models' tables: emptied first.
        _schema_ready[url] = [sa.table(name) for name in sa.inspect(db.engine).get_table_names()
                              if name not in models] + list(reversed(db.metadata.sorted_tables))
    # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE's per-table file work on ~40 tables cost each
    # test a second on a busy machine; DELETE of a few rows costs milliseconds. The sequences start again at 1.
    with db.engine.begin() as conn:
        for table in _schema_ready[url]:
            conn.execute(sa.delete(table))
        conn.execute(sa.text("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                             "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"))


class ClosingClient(FlaskClient):
    """Flask's test client, closing the body it sent. Werkzeug spools a form over 500 KB to a temporary file that
    nothing closes; left to the garbage collector, it warned (an error here) in whichever later test collected it."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.request.environ["wsgi.input"].close()
        return response


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    app.test_client_class = ClosingClient
    with app.app_context():
        _reset_database(app)
        yield app
        db.session.remove()
        db.engine.dispose()   # (its connections closed, not left to the garbage collector)


@pytest.fixture
def shared_db_app(tmp_path, request):
    """An app whose database several threads can share (concurrency tests): a SQLite file, or the PostgreSQL test database."""
    if not TEST_DATABASE_URL.startswith("sqlite"):
        yield request.getfixturevalue("app")
        return
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-not-secret", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'concurrent.sqlite'}",
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")})
    app.test_client_class = ClosingClient
    with app.app_context():
        install_schema(db.engine)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


_hash_cache = {}


@pytest.fixture
def make_shop(app):
    def make(name="Test Shop", country="NL", timezone_name=None, **kw):
        tz = timezone_name or {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels"}.get(country, "UTC")
        shop = Shop(name=name, country=country, timezone=tz, **kw)
        db.session.add(shop)
        db.session.commit()
        return shop
    return make


@pytest.fixture
def make_user(app):
    def make(shop, role="agent", email=None, name=None, password=PASSWORD, **kw):
        email = email or f"{role}{db.session.scalar(sa.select(sa.func.count(User.id))) + 1}@{shop.name.split()[0].lower()}.example.com"
        user = User(shop_id=shop.id, email=email, display_name=name or role.title() + " Person", role=role, **kw)
        # Hashing is slow on purpose; hash each distinct password once per test run.
        if password not in _hash_cache:
            user.set_password(password)
            _hash_cache[password] = user.password_hash
        user.password_hash = _hash_cache[password]
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_ticket(app):
    def make(shop, subject="Waar blijft mijn bestelling?", body="Ik wacht al een week op mijn pakket.",
             customer_name="Ingrid van Dijk", customer_email="ingrid@example.com", received_at=None, **kw):
        ticket = ticket_service.create_ticket(shop, subject=subject, body=body, customer_name=customer_name,
                                              customer_email=customer_email,
                                              received_at=received_at or datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc),
                                              **kw)
        db.session.commit()
        return ticket
    return make


@pytest.fixture
def shop(make_shop):
    return make_shop("Demo Shop", "NL")


@pytest.fixture
def staff(shop, make_user):
    """One user of each role in the shop."""
    return {role: make_user(shop, role=role, email=f"{role}@demo-shop.example.com", name=f"{role.title()} Demo")
            for role in ("owner", "manager", "agent")}


def sign_in(client, email: str, password: str = PASSWORD, *, remember: bool = False, user_agent: str | None = None):
    """The one way tests sign in: the real form (CSRF is off in tests), optionally with "keep me signed in" and
    as a given browser. Answers the response."""
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    return client.post("/login", data=data, headers={"User-Agent": user_agent} if user_agent else {})


@pytest.fixture
def login_as(client, staff):
    """login_as("agent"): sign the test client in as the shop's user of that role; answers the user."""
    def login(role):
        response = sign_in(client, staff[role].email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return staff[role]
    return login


AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=AMS)          # Thursday of ISO week 47


def local(*args) -> datetime:
    """A wall-clock time in Amsterdam: local(2026, 11, 16, 9)."""
    return datetime(*args, tzinfo=AMS)


@pytest.fixture
def frozen():
    """The clock stopped at NOW (a Thursday afternoon in Amsterdam); answers NOW."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def count_queries(app):
    """`with count_queries() as statements:` collects the SQL the app's engine runs inside the block."""
    @contextmanager
    def counting():
        found = []

        def note(_conn, _cursor, statement, *_):
            found.append(statement)
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            yield found
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    return counting


# --------------------------------------------------------------------------- mail in

SAMPLES = Path(__file__).parent / "data" / "mail"   # mail as real clients send it


def customer_mail(subject="Waar blijft mijn pakket?", body="Hallo, ik wacht al een week.\n\nGroet, Ingrid",
                  sender="Ingrid van Dijk <ingrid@example.com>", message_id="<q1@example.com>",
                  date="Mon, 16 Nov 2026 10:00:00 +0100", **headers) -> bytes:
    """A customer's plain mail to shop 1, as on the wire (CRLF); extra headers as keywords (In_Reply_To=...)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "shop-1@inbox.localhost"
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes(policy=policy.SMTP)


@pytest.fixture
def receiver(app):
    """The app's own SMTP receiver, listening on a free port."""
    controller = smtpd.make_controller(app, "127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def team(frozen, make_shop, make_user):
    """make(i): the i-th shop of a property test's run, with an owner and two agents."""
    made = {}

    def make(i):
        shop = make_shop(f"Counted Shop {i}", "NL")
        people = [make_user(shop, role="owner", email=f"owner{i}@counted.example.com"),
                  make_user(shop, role="agent", email=f"a{i}@counted.example.com"),
                  make_user(shop, role="agent", email=f"b{i}@counted.example.com")]
        made[i] = (shop, people)
        return shop, people
    return make
