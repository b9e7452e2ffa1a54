"""Signing in and out, roles, throttling, CSRF."""
import re
import time
from datetime import datetime, timezone

import pytest
import time_machine
from flask import g

from inbox.models import AuditEvent, LoginAttempt
from inbox.extensions import db
import sqlalchemy as sa


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_root_leads_to_inbox_and_inbox_needs_login(client):
    assert client.get("/").headers["Location"].endswith("/tickets")
    response = client.get("/tickets")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ["owner", "manager", "agent"])
def test_each_role_signs_in_and_sees_inbox(client, login_as, role):
    user = login_as(role)
    response = client.get("/tickets")
    assert response.status_code == 200
    assert user.display_name.encode() in response.data


def test_failed_login_does_not_say_which_part_was_wrong(client, staff):
    wrong_password = client.post("/login", data={"email": staff["agent"].email, "password": "nope"})
    unknown_email = client.post("/login", data={"email": "nobody@example.com", "password": "nope"})
    assert wrong_password.status_code == unknown_email.status_code == 401
    message = "The e-mail address or password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_invalid_login_form_is_rerendered_with_field_errors(client):
    response = client.post("/login", data={"email": "not-an-address", "password": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert 'value="not-an-address"' in body


def test_repeated_failures_for_one_account_are_slowed_down(client, staff, app):
    email = staff["agent"].email
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert client.post("/login", data={"email": email, "password": "wrong"}).status_code == 401
    response = client.post("/login", data={"email": email, "password": "wrong"})
    assert response.status_code == 429
    # Even the right password waits until the pause is over.
    right = client.post("/login", data={"email": email, "password": "correct horse battery"})
    assert right.status_code == 429
    assert re.search(r"Try again in \d+ seconds", right.get_data(as_text=True))


def test_successful_login_clears_failures_and_is_audited(client, staff):
    email = staff["agent"].email
    client.post("/login", data={"email": email, "password": "wrong"})
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)) == 0
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.login")).actor_id == staff["agent"].id


def test_deactivated_user_cannot_sign_in(client, staff):
    staff["agent"].active = False
    db.session.commit()
    assert client.post("/login", data={"email": staff["agent"].email, "password": "correct horse battery"}).status_code == 401


def test_off_site_next_is_ignored(client, staff):
    response = client.post("/login?next=https://evil.example/", data={"email": staff["agent"].email,
                                                                      "password": "correct horse battery"})
    assert response.headers["Location"] == "/tickets"


def test_logout_needs_post_and_signs_out(client, login_as):
    login_as("agent")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/tickets").status_code == 302


def test_password_is_hashed_with_a_modern_scheme(staff):
    assert staff["agent"].password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert "correct horse" not in staff["agent"].password_hash


def test_session_cookie_is_httponly_and_samesite(client, staff):
    response = client.post("/login", data={"email": staff["agent"].email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(csrf_app, staff):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": staff["agent"].email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert b"The form expired" in response.data


def _request(app, client, method, path, **kw):
    # Each request in its own app context: the tests' shared one would carry `g` (the signed-in user, the token)
    # from one client's request into the next.
    with app.app_context():
        return client.open(path, method=method, **kw)


def _page_token(app, client, path):
    html = _request(app, client, "GET", path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _sign_in_with_csrf(app, user):
    client = app.test_client()
    response = _request(app, client, "POST", "/login", data={
        "email": user.email, "password": "correct horse battery", "csrf_token": _page_token(app, client, "/login")})
    assert response.status_code == 302
    return client


def test_a_sessions_form_token_is_signed_once_and_keeps_working(csrf_app, staff):
    anna, bram = _sign_in_with_csrf(csrf_app, staff["agent"]), _sign_in_with_csrf(csrf_app, staff["owner"])
    first = _page_token(csrf_app, anna, "/tickets")
    with time_machine.travel(time.time() + 3600):   # a signature made now would carry a later time
        second = _page_token(csrf_app, anna, "/account")
    assert first == second != _page_token(csrf_app, bram, "/tickets")

    assert _request(csrf_app, bram, "POST", "/logout", data={"csrf_token": first}).status_code == 400  # anna's
    assert _request(csrf_app, anna, "POST", "/logout", data={"csrf_token": first}).status_code == 302


def test_htmx_request_with_expired_session_gets_hx_redirect(client):
    response = client.post("/tickets/1/status", headers={"HX-Request": "true"}, data={"status": "solved"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def _menu(html):
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def test_each_role_sees_the_areas_it_may_open_in_its_language(csrf_app, staff):
    staff["manager"].locale = "nl"
    db.session.commit()
    owner, agent, manager = (_sign_in_with_csrf(csrf_app, staff[role]) for role in ("owner", "agent", "manager"))
    for _ in range(2):   # the second time from what the process kept
        assert _menu(_request(csrf_app, owner, "GET", "/tickets").get_data(as_text=True)) == [
            "Inbox", "Log a question", "Performance", "Templates", "Help articles", "Team", "Settings", "Audit log",
            "Mail"]
        assert _menu(_request(csrf_app, agent, "GET", "/tickets").get_data(as_text=True)) == [
            "Inbox", "Log a question", "Performance", "Team"]
        assert _menu(_request(csrf_app, manager, "GET", "/tickets").get_data(as_text=True)) == [
            "Inbox", "Klantvraag vastleggen", "Prestaties", "Sjablonen", "Hulpartikelen", "Team"]


def _fail(client, email, times):
    for _ in range(times):
        client.post("/login", data={"email": email, "password": "wrong guess"})


def test_a_guesser_elsewhere_cannot_lock_the_owner_out_of_a_known_browser(app, client, staff):
    email = staff["owner"].email
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 302
    client.post("/logout")
    g.pop("_login_user", None)
    attacker = app.test_client()
    _fail(attacker, email, 12)
    assert attacker.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 429
    # The owner's own browser (it signed in before) is not held back by the stranger's failures.
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 302


def test_a_known_browser_is_throttled_on_its_own_failures(app, client, staff):
    email = staff["owner"].email
    client.post("/login", data={"email": email, "password": "correct horse battery"})
    client.post("/logout")
    g.pop("_login_user", None)
    _fail(client, email, app.config["LOGIN_FREE_FAILURES"])
    assert client.post("/login", data={"email": email, "password": "wrong guess"}).status_code == 429


def test_the_wait_never_passes_five_minutes_and_then_the_right_password_gets_in(client, staff):
    email = staff["agent"].email
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc), tick=False) as traveller:
        _fail(client, email, 30)
        wait = client.post("/login", data={"email": email, "password": "correct horse battery"})
        assert wait.status_code == 429
        seconds = int(re.search(r"Try again in (\d+) seconds", wait.get_data(as_text=True)).group(1))
        assert seconds <= 300
        traveller.shift(301)
        assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 302


def test_the_device_cookie_is_signed_and_http_only(client, staff):
    response = client.post("/login", data={"email": staff["agent"].email, "password": "correct horse battery"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("inbox_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and staff["agent"].email not in cookie
    g.pop("_login_user", None)
    forged = client.__class__(client.application)
    forged.set_cookie("inbox_device", "eyJpZCI6ImEiLCJmb3IiOltdfQ.forged")
    assert forged.post("/login", data={"email": staff["agent"].email, "password": "x"}).status_code == 401


def test_an_unknown_address_costs_the_same_hashing_as_a_wrong_password(client, staff, monkeypatch):
    from inbox import passwords
    checked = []
    original = passwords.check
    monkeypatch.setattr(passwords, "check", lambda stored, pw: checked.append(stored.split("$")[0]) or original(stored, pw))
    client.post("/login", data={"email": staff["agent"].email, "password": "wrong"})
    client.post("/login", data={"email": "nobody@example.com", "password": "wrong"})
    assert len(checked) == 2 and checked[0] == checked[1], "one hash of the same method and cost each time"
