"""The app factory and its configuration."""
import subprocess
import sys

import pytest

from inbox import ROOT, create_app, i18n
from inbox.config import from_environment, instance_secret_key, normalise_database_url


def test_importing_inbox_builds_nothing():
    # A fresh interpreter: importing the package loads no framework, so it can build no app or client either.
    probe = "import sys, inbox; print(sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy'}))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=ROOT).stdout.strip() == "[]"


def test_database_url_from_environment():
    env = {"INBOX_DATABASE_URL": "postgres://u@h/db", "INBOX_SECRET_KEY": "k"}
    config = from_environment(env)
    assert normalise_database_url(config["SQLALCHEMY_DATABASE_URI"]) == "postgresql+psycopg://u@h/db"
    assert config["SECRET_KEY"] == "k"


def test_pooled_server_connections_are_checked_before_use_but_sqlite_files_are_not():
    server = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@h/db", "SECRET_KEY": "k"})
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    own = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@h/db", "SECRET_KEY": "k",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_size": 3}})
    assert own.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False, "pool_size": 3}
    own_file = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k"})
    assert own_file.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_secret_key_generated_once_and_kept_in_instance_folder(tmp_path):
    key = instance_secret_key(str(tmp_path))
    assert len(key) == 64
    assert instance_secret_key(str(tmp_path)) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_htmx_is_served_locally(client):
    with client.get("/assets/vendor/htmx.min.js") as response:
        assert response.status_code == 200
        assert b"htmx" in response.data[:2000]
    assert client.get("/assets/vendor/other.js").status_code == 404


def test_server_timing_is_sent_only_when_asked_for(client):
    assert "Server-Timing" not in client.get("/login").headers
    timed = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SERVER_TIMING": True})
    timing = timed.test_client().get("/login").headers["Server-Timing"]
    wall, cpu = (part.strip().split(";dur=") for part in timing.split(","))
    assert wall[0] == "app" and cpu[0] == "cpu" and float(wall[1]) >= 0 and float(cpu[1]) >= 0


@pytest.mark.parametrize("url", ["/login", "/no-such-page", "/static/app.css"])
def test_every_response_carries_the_security_headers(client, url):
    with client.get(url) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers, "HSTS only once the operator says the site is HTTPS"


def test_hsts_is_sent_when_secure_cookies_are_on(app, client):
    app.config["SECURE_COOKIES"] = True
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_catalogues_compile_into_the_instance_folder_where_the_package_is_read_only(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n.os, "access", lambda path, mode: False)   # as in a wheel installed by root
    folder = i18n.compiled_catalogues(str(tmp_path))
    assert folder == tmp_path / "translations"
    assert (folder / "nl" / "LC_MESSAGES" / "messages.mo").stat().st_size > 10_000
