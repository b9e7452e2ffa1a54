"""Employee accounts: who may manage the team, invitations, roles, deactivation, own account."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from inbox.extensions import db
from inbox.models import AuditEvent, Invitation, LoginSession, Shop, Ticket, User
from inbox.services import invitations, team, tickets
from inbox.workflow import Status
from tests.conftest import PASSWORD, sign_in

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)


def switch_browser():
    """Tests share one app context, and Flask-Login caches the signed-in user on it: forget it before
    another test client (another browser) makes a request."""
    g.pop("_login_user", None)


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def _shown_link(response) -> str:
    match = re.search(r'id="shown-link"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no link shown to the owner"
    return match.group(1).replace("http://localhost", "")


@pytest.mark.parametrize("url", ["/team/invite", "/team/1/role", "/team/1/deactivate", "/team/1/reactivate",
                                 "/team/1/reset-password", "/settings/vacation", "/settings/vacation/reopen"])
@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_the_owner_manages_the_team_and_vacation_mode(client, login_as, role, url):
    login_as(role)
    assert client.post(url, data={"email": "x@example.com", "role": "owner"}).status_code == 403


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_the_owner_reads_the_audit_log_and_vacation_page(client, login_as, role):
    login_as(role)
    assert client.get("/audit").status_code == 403
    assert client.get("/settings/vacation").status_code == 403


def test_everyone_sees_the_team_and_who_is_away_until_when(client, login_as, staff):
    staff["manager"].away_from = datetime(2026, 1, 1, tzinfo=timezone.utc)
    staff["manager"].away_until = datetime(2099, 1, 5, 8, tzinfo=timezone.utc)
    db.session.commit()
    login_as("agent")
    page = client.get("/team").get_data(as_text=True)
    assert "Manager Demo" in page and "Away until" in page and "5 Jan, 09:00" in page
    assert "Create invitation" not in page and "Deactivate" not in page


def test_the_planning_page_is_for_owners_and_managers(client, login_as):
    login_as("agent")
    assert client.get("/planning").status_code == 403


# What the invite form's role text promises, page by page: (URL, the roles that may open it).
ROLE_PROMISES = [
    ("/reports", {"agent", "manager", "owner"}),          # agents: their own figures
    ("/reports/calls", {"manager", "owner"}),             # the whole shop's performance, calls and orders
    ("/reports/orders", {"manager", "owner"}),
    ("/planning", {"manager", "owner"}),                  # plan holidays
    ("/templates", {"manager", "owner"}),                 # edit reply templates
    ("/audit", {"owner"}),
    ("/settings/shop", {"owner"}),
    ("/mail/settings", {"owner"}),
    ("/reports/tokens", {"owner"}),
    ("/settings/vacation", {"owner"}),
]


def test_the_role_text_tells_agents_they_see_their_own_figures(client, login_as):
    login_as("owner")
    text = client.get("/team").get_data(as_text=True)
    assert "Agents answer questions and see their own figures on the performance page." in text
    assert "see the whole shop's performance, calls and orders" in text


@pytest.mark.parametrize("role", ["agent", "manager", "owner"])
def test_each_role_opens_exactly_what_the_role_text_promises(client, login_as, role):
    login_as(role)
    opened = {url for url, _roles in ROLE_PROMISES if client.get(url).status_code == 200}
    assert opened == {url for url, roles in ROLE_PROMISES if role in roles}
    performance = client.get("/reports").get_data(as_text=True)
    assert ("Your own figures" in performance) == (role == "agent")


def test_another_shops_user_is_not_found(client, login_as, make_shop, make_user):
    other = make_user(make_shop("Other Shop"), role="agent")
    login_as("owner")
    assert client.post(f"/team/{other.id}/deactivate").status_code == 404
    assert client.post(f"/team/{other.id}/role", data={"role": "owner"}).status_code == 404


def test_invitation_link_sets_a_password_and_signs_in_once(app, client, login_as, shop):
    login_as("owner")
    response = client.post("/team/invite", data={"email": "New.Person@Example.com", "role": "manager"})
    assert response.status_code == 200
    link = _shown_link(response)
    stored = db.session.scalar(sa.select(Invitation))
    assert link.split("/")[-1] not in stored.token_hash  # only the hash is kept
    client.post("/logout")

    response = client.post(link, data={"name": "Nieuwe Collega", "password": "long enough pw", "confirm": "long enough pw"})
    assert response.status_code == 303 and response.headers["Location"] == "/tickets"
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.com"))
    assert user.role == "manager" and user.shop_id == shop.id and user.check_password("long enough pw")
    assert client.get("/tickets").status_code == 200

    switch_browser()
    second = app.test_client().post(link, data={"name": "Someone", "password": "another password", "confirm": "another password"})
    assert second.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "new.person@example.com")) == 1


def test_invitation_expires_after_48_hours(app, shop, staff):
    with time_machine.travel(NOW, tick=False):
        _inv, token = invitations.invite(shop, email="late@example.com", role="agent", by=staff["owner"])
        db.session.commit()
    client = app.test_client()
    with time_machine.travel(NOW + timedelta(hours=47, minutes=59), tick=False):
        assert client.get(f"/invite/{token}").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=48), tick=False):
        response = client.post(f"/invite/{token}", data={"name": "Late", "password": "long enough pw", "confirm": "long enough pw"})
        assert response.status_code == 410
        assert "48 hours" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "late@example.com")) is None


def test_accepting_needs_a_ten_character_password_that_matches(client, shop, staff):
    _inv, token = invitations.invite(shop, email="short@example.com", role="agent", by=staff["owner"])
    db.session.commit()
    assert client.post(f"/invite/{token}", data={"name": "S", "password": "short", "confirm": "short"}).status_code == 422
    assert client.post(f"/invite/{token}", data={"name": "S", "password": "long enough 1", "confirm": "long enough 2"}).status_code == 422
    assert client.post(f"/invite/{token}", data={"name": "S", "password": "long enough 1", "confirm": "long enough 1"}).status_code == 303


def test_a_new_invitation_replaces_the_older_one(shop, staff, in_request):
    _first, old = invitations.invite(shop, email="twice@example.com", role="agent", by=staff["owner"])
    _second, new = invitations.invite(shop, email="twice@example.com", role="agent", by=staff["owner"])
    with pytest.raises(team.TeamError):
        invitations.accept(old, name="Twice", password="long enough pw")
    assert invitations.accept(new, name="Twice", password="long enough pw").email == "twice@example.com"


def test_inviting_a_colleague_already_in_the_team_is_refused(client, login_as, staff):
    login_as("owner")
    response = client.post("/team/invite", data={"email": staff["agent"].email, "role": "agent"})
    assert response.status_code == 422
    assert f"{staff['agent'].email} is already in your team." in response.get_data(as_text=True)


def test_the_invite_form_does_not_tell_whether_an_address_has_an_account_in_another_shop(
        client, login_as, staff, make_shop, make_user):
    elsewhere = make_user(make_shop("Other Shop"), role="agent", email="someone@other-shop.example")
    login_as("owner")
    taken = client.post("/team/invite", data={"email": elsewhere.email, "role": "agent"})
    free = client.post("/team/invite", data={"email": "nobody-yet@example.com", "role": "agent"})
    assert taken.status_code == free.status_code == 200

    for response, email in ((taken, elsewhere.email), (free, "nobody-yet@example.com")):
        page = response.get_data(as_text=True)
        assert f"Invitation created for {email}." in page and f"Link for {email}" in page
        assert "already" not in page.lower() and "another shop" not in page.lower()
    # The link fails as a spent one would; the other shop's account is untouched.
    client.post("/logout")
    switch_browser()
    response = client.post(_shown_link(taken), data={"name": "Indringer", "password": "long enough pw",
                                                     "confirm": "long enough pw"})
    assert response.status_code == 422 and "This link is no longer valid" in response.get_data(as_text=True)
    assert db.session.get(User, elsewhere.id).shop_id != staff["owner"].shop_id


def test_two_concurrent_uses_of_one_reset_link_sign_in_once(shared_db_app, monkeypatch):
    """Both submits pass the "is the link still good?" check before either claims it: a real race, on SQLite too."""
    app = shared_db_app
    shop = Shop(name="Race Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.flush()
    owner = User(shop_id=shop.id, email="owner@race.example", display_name="Olga", role="owner")
    agent = User(shop_id=shop.id, email="agent@race.example", display_name="Anna", role="agent")
    owner.set_password(PASSWORD)
    db.session.add_all([owner, agent])
    db.session.flush()
    with app.test_request_context():
        _invitation, token = invitations.reset_password_link(agent, by=owner)
    db.session.commit()

    # Generous: on a loaded CI machine one thread may take long to reach the lookup; the race is the same.
    barrier = threading.Barrier(2, timeout=60)
    original = invitations.invitation_for

    def racing_lookup(raw):
        found = original(raw)
        barrier.wait()
        return found
    monkeypatch.setattr(invitations, "invitation_for", racing_lookup)
    statuses = []

    def submit(password):
        response = app.test_client().post(f"/invite/{token}", data={"name": "Anna", "password": password,
                                                                    "confirm": password})
        statuses.append(response.status_code)
    threads = [threading.Thread(target=submit, args=(pw,)) for pw in ("first password!", "second password")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [303, 422], statuses
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == agent.id)) == 1


def test_deactivating_hands_open_tickets_to_a_colleague_in_the_same_step(client, login_as, shop, staff, make_ticket):
    agent, manager = staff["agent"], staff["manager"]
    open_t = make_ticket(shop, assignee=agent)
    pending = make_ticket(shop, assignee=agent)
    tickets.reply(pending, shop, "We kijken ernaar.", by=agent)
    solved = make_ticket(shop, assignee=agent)
    tickets.change_status(solved, shop, Status.SOLVED.value, by=agent)
    db.session.commit()
    login_as("owner")
    response = client.post(f"/team/{agent.id}/deactivate", data={"reassign_to": str(manager.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, agent.id).active
    assert db.session.get(Ticket, open_t.id).assignee_id == manager.id
    assert db.session.get(Ticket, pending.id).assignee_id == manager.id
    assert db.session.get(Ticket, solved.id).assignee_id == agent.id  # history stays
    orphans = db.session.scalar(sa.select(sa.func.count(Ticket.id)).join(User, Ticket.assignee_id == User.id).where(
        User.active.is_(False), Ticket.status != Status.SOLVED.value))
    assert orphans == 0


def test_deactivating_without_a_colleague_puts_tickets_in_the_unassigned_queue(client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, assignee=staff["agent"])
    login_as("owner")
    client.post(f"/team/{staff['agent'].id}/deactivate", data={"reassign_to": ""})
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id is None


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(app, client, login_as, staff):
    other = app.test_client()
    assert sign_in(other, staff["agent"].email).status_code == 302
    switch_browser()
    login_as("owner")
    assert client.post(f"/team/{staff['agent'].id}/deactivate", data={}).status_code == 303
    switch_browser()
    assert other.get("/tickets").status_code == 302  # back to the login page
    switch_browser()
    assert sign_in(app.test_client(), staff["agent"].email).status_code == 401


def test_reactivating_lets_them_sign_in_again(app, client, login_as, staff):
    login_as("owner")
    client.post(f"/team/{staff['agent'].id}/deactivate", data={})
    client.post(f"/team/{staff['agent'].id}/reactivate")
    switch_browser()
    assert sign_in(app.test_client(), staff["agent"].email).status_code == 302


def test_the_last_active_owner_cannot_be_demoted_or_deactivated(app, client, login_as, shop, staff, make_user):
    owner = staff["owner"]
    with app.test_request_context():
        with pytest.raises(team.TeamError):
            team.change_role(owner, "manager", by=owner)
        with pytest.raises(team.TeamError):
            team.deactivate(owner, by=staff["manager"], reassign_to=None)
    login_as("owner")
    response = client.post(f"/team/{owner.id}/role", data={"role": "agent"}, follow_redirects=True)
    assert "last active owner" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == "owner"
    # With a second owner, the first may step down.
    second = make_user(shop, role="owner", email="second-owner@demo-shop.example.com")
    team.change_role(owner, "manager", by=second)
    assert owner.role == "manager"


def test_role_changes_and_deactivations_are_in_the_audit_log(client, login_as, staff):
    login_as("owner")
    client.post(f"/team/{staff['agent'].id}/role", data={"role": "manager"})
    client.post(f"/team/{staff['manager'].id}/deactivate", data={})
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"user.login", "user.role", "user.deactivate"} <= actions
    page = client.get("/audit?action=account").get_data(as_text=True)
    assert "changed a role" in page and "deactivated an account" in page and "signed in" not in page


def test_password_reset_link_replaces_the_old_password(app, client, login_as, staff):
    login_as("owner")
    link = _shown_link(client.post(f"/team/{staff['agent'].id}/reset-password"))
    fresh = app.test_client()
    switch_browser()
    assert sign_in(fresh, staff["agent"].email).status_code == 401
    assert fresh.post(link, data={"name": "Agent Demo", "password": "brand new secret", "confirm": "brand new secret"}).status_code == 303
    switch_browser()
    assert sign_in(app.test_client(), staff["agent"].email, "brand new secret").status_code == 302


def test_everyone_changes_their_own_name_language_and_password(client, login_as, staff):
    login_as("agent")
    assert client.post("/account", data={"display_name": "Anna B.", "locale": "nl"}).status_code == 303
    assert db.session.get(User, staff["agent"].id).locale == "nl"
    assert "Mijn account" in client.get("/account").get_data(as_text=True) or client.get("/account").status_code == 200
    wrong = client.post("/account/password", data={"current": "not it", "new": "new password!", "confirm": "new password!"})
    assert wrong.status_code == 422
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "new password!", "confirm": "new password!"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, staff["agent"].id).check_password("new password!")
    assert client.post("/account", data={"display_name": "", "locale": ""}).status_code == 422


def test_the_deactivate_page_counts_every_open_question_and_lists_the_first_eight(client, login_as, shop, staff,
                                                                                   make_ticket):
    agent = staff["agent"]
    made = [make_ticket(shop, subject=f"Vraag {i}", assignee=agent) for i in range(10)]
    tickets.change_status(made[0], shop, Status.SOLVED.value, by=agent)
    tickets.reply(made[1], shop, "We kijken ernaar.", by=agent)   # waiting for the customer: still theirs
    db.session.commit()
    login_as("owner")
    page = client.get(f"/team/{agent.id}/deactivate").get_data(as_text=True)
    assert "9 questions are still open with" in page
    assert [f"Vraag {i}" in page for i in range(10)] == [False] + [True] * 8 + [False]
    assert "…" in page
    team_page = client.get("/team").get_data(as_text=True)
    assert re.search(rf'{agent.display_name}.*?<td class="num">9</td>', team_page, re.S)
