"""Sessions that can be ended: sign-out, a new password, a reset or a deactivation end signed-in browsers on the
server, so a copy of their cookies stops working; and the account page lists and ends them."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from inbox import create_app
from inbox.extensions import db
from inbox.models import AuditEvent, LoginSession, User
from inbox.services import invitations, sessions
from tests.conftest import PASSWORD, sign_in

CHROME_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/131.0.0.0 Safari/537.36")
SAFARI_ON_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture(autouse=True)
def every_request_is_a_fresh_visit(app):
    """The tests share one app context, where Flask-Login caches the signed-in user: forget it before each
    request, so each client is judged by its own cookies, as a separate browser is."""
    def forget_cached_user():
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)


def browser_of(client, user, remember=False, agent=CHROME_ON_WINDOWS):
    """`client` as a browser `user` signed in with (Chrome on Windows unless `agent` says otherwise)."""
    response = sign_in(client, user.email, remember=remember, user_agent=agent)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def copy_of(app, client, *names):
    """Another browser holding copies of these cookies (as someone who took them would)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def signed_in(client) -> bool:
    return client.get("/tickets").status_code == 200


def test_logout_ends_the_session_cookie_on_the_server(app, client, staff):
    browser_of(client, staff["agent"])
    stolen = copy_of(app, client, "session")
    assert signed_in(stolen)
    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(stolen)


def test_logout_ends_the_remember_me_cookie_too(app, client, staff):
    browser_of(client, staff["agent"], remember=True)
    remembered = copy_of(app, client, "remember_token")
    assert signed_in(remembered), "the remember-me cookie alone signs in"
    client.post("/logout")
    assert not signed_in(remembered)


def test_remember_me_lasts_thirty_days_and_a_plain_session_twelve_idle_hours(app, staff, make_user, shop):
    start = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        kept = browser_of(app.test_client(), staff["agent"], remember=True)
        plain = browser_of(app.test_client(), staff["manager"])
        kept_cookie = copy_of(app, kept, "remember_token")
        traveller.move_to(start + timedelta(hours=11))
        assert signed_in(plain), "used within 12 hours"
        traveller.move_to(start + timedelta(hours=11 + 13))
        assert not signed_in(plain), "unused for 13 hours"
        traveller.move_to(start + timedelta(days=29))
        assert signed_in(kept_cookie)
        traveller.move_to(start + timedelta(days=30, minutes=1))
        assert not signed_in(kept_cookie)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_changing_the_password_signs_out_the_other_browsers_only(app, staff):
    laptop = browser_of(app.test_client(), staff["agent"], remember=True)
    phone = browser_of(app.test_client(), staff["agent"], agent=SAFARI_ON_IPHONE)
    phone_remembered = copy_of(app, laptop, "remember_token")
    response = phone.post("/account/password", data={"current": PASSWORD, "new": "a new long password",
                                                      "confirm": "a new long password"})
    assert response.status_code == 303
    assert signed_in(phone), "the browser that changed it stays signed in"
    assert not signed_in(laptop)
    assert not signed_in(phone_remembered)


def test_an_owner_resetting_a_password_signs_the_employee_out_everywhere(app, staff, login_as, client):
    employee = browser_of(app.test_client(), staff["agent"], remember=True)
    remembered = copy_of(app, employee, "remember_token")
    login_as("owner")
    assert client.post(f"/team/{staff['agent'].id}/reset-password").status_code in (200, 303)
    assert not signed_in(employee)
    assert not signed_in(remembered)


def test_deactivating_an_employee_who_leaves_ends_all_their_browsers(app, staff, login_as, client):
    employee = browser_of(app.test_client(), staff["agent"], remember=True)
    remembered = copy_of(app, employee, "remember_token")
    login_as("owner")
    assert client.post(f"/team/{staff['agent'].id}/deactivate", data={"reassign_to": ""}).status_code == 303
    assert not signed_in(employee)
    assert not signed_in(remembered)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == staff["agent"].id)) == 0


def test_setting_a_password_through_a_reset_link_ends_the_old_browsers(app, staff):
    old_browser = browser_of(app.test_client(), staff["agent"], remember=True)
    with app.test_request_context():
        _invitation, token = invitations.reset_password_link(staff["agent"], by=staff["owner"])
        db.session.commit()
    fresh = app.test_client()
    response = fresh.post(f"/invite/{token}", data={"name": "Agent", "password": "brand new secret",
                                                     "confirm": "brand new secret"})
    assert response.status_code == 303
    assert signed_in(fresh)
    assert not signed_in(old_browser)


def test_account_page_lists_my_browsers_and_signs_one_out(app, staff):
    laptop = browser_of(app.test_client(), staff["agent"])
    phone = browser_of(app.test_client(), staff["agent"], agent=SAFARI_ON_IPHONE)
    browser_of(app.test_client(), staff["manager"])
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Windows" in page and "Safari on iPhone" in page
    assert page.count('action="/account/browsers/') == 3, "two of mine and 'everywhere', none of a colleague's"
    phone_session = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_agent == SAFARI_ON_IPHONE))
    response = laptop.post(f"/account/browsers/{phone_session.id}/sign-out")
    assert response.status_code == 303
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_a_colleagues_browser_cannot_be_signed_out_from_my_account(app, staff):
    mine = browser_of(app.test_client(), staff["agent"])
    theirs = browser_of(app.test_client(), staff["manager"])
    their_session = db.session.scalar(sa.select(LoginSession).where(LoginSession.user_id == staff["manager"].id))
    assert mine.post(f"/account/browsers/{their_session.id}/sign-out").status_code == 404
    assert signed_in(theirs)


def test_sign_out_everywhere_ends_this_browser_and_all_others(app, staff):
    laptop = browser_of(app.test_client(), staff["agent"], remember=True)
    remembered = copy_of(app, laptop, "remember_token")
    phone = browser_of(app.test_client(), staff["agent"], agent=SAFARI_ON_IPHONE)
    response = phone.post("/account/browsers/sign-out")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert not any(signed_in(c) for c in (laptop, remembered, phone))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.sessions_end"))
    assert event.new == "2"


def test_team_page_shows_the_owner_when_each_colleague_last_signed_in(app, staff):
    with time_machine.travel(datetime(2026, 11, 16, 8, 30, tzinfo=timezone.utc), tick=False):
        browser_of(app.test_client(), staff["agent"])
    owner = browser_of(app.test_client(), staff["owner"])
    page = owner.get("/team").get_data(as_text=True)
    assert "Last signed in" in page and "Never signed in" in page  # the manager never has
    assert "Last signed in Mon 16 Nov, 09:30" in page  # in the shop's time zone
    agent_view = app.test_client()
    browser_of(agent_view, staff["agent"])
    assert "Last signed in" not in agent_view.get("/team").get_data(as_text=True)


def test_a_deactivated_users_old_token_no_longer_resolves(app, staff):
    with app.test_request_context():
        row = sessions.start(staff["agent"], remember=False)
        token = staff["agent"].session_token
        db.session.commit()
        assert sessions.resolve(token).id == staff["agent"].id
        db.session.execute(sa.update(User).where(User.id == staff["agent"].id).values(active=False))
        db.session.commit()
        assert sessions.resolve(token) is None
        assert row.token_hash != token, "only a hash of the token is stored"


@pytest.mark.parametrize(("agent", "expected"), [
    (CHROME_ON_WINDOWS, ("Chrome", "Windows")), (SAFARI_ON_IPHONE, ("Safari", "iPhone")),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", ("Firefox", "Linux")),
    ("curl/8.5.0", (None, None)), ("", (None, None)),
])
def test_a_browser_is_named_as_a_person_would(agent, expected):
    assert sessions.describe_device(agent) == expected


def test_csrf_token_is_rotated_at_sign_in(csrf_app, staff):
    client = csrf_app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        before = s["csrf_token"]
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": staff["agent"].email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    client.get("/tickets")
    with client.session_transaction() as s:
        assert s["csrf_token"] != before


def test_secure_cookies_make_every_auth_cookie_secure_and_http_only(app, client, staff):
    from inbox.config import from_environment
    assert from_environment({"INBOX_SECURE_COOKIES": "1"}) == {"SECURE_COOKIES": True}
    built = create_app({"TESTING": True, "SECRET_KEY": "test-only", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SECURE_COOKIES": True})
    assert built.config["SESSION_COOKIE_SECURE"] and built.config["REMEMBER_COOKIE_SECURE"]
    app.config.update(SECURE_COOKIES=True, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    response = client.post("https://localhost/login", data={"email": staff["agent"].email, "password": PASSWORD,
                                                            "remember": "y"})
    assert response.status_code == 302
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) >= {"session", "remember_token"}
    for cookie in cookies.values():
        assert "; Secure" in cookie and "; HttpOnly" in cookie


def test_two_copies_of_one_account_are_equal_whatever_browser_loaded_them(app, staff, make_user, shop):
    with app.test_request_context():
        agent_id, manager = staff["agent"].id, staff["manager"]
        sessions.start(staff["agent"], remember=False)
        token = staff["agent"].session_token
        db.session.commit()
        loaded = sessions.resolve(token)
        plain = User(id=agent_id)   # not signed in anywhere: no token
        assert loaded == plain and loaded != manager and plain != manager
