"""The app factory and its configuration."""
import pytest

from inbox import create_app
from inbox.config import from_environment, normalise_database_url


def test_importing_inbox_builds_nothing():
    import inbox
    assert not hasattr(inbox, "app")


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


def test_secret_key_generated_once_and_kept_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("INBOX_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    first.instance_path = str(tmp_path)
    from inbox.config import instance_secret_key
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
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0


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
