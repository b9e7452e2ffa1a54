"""The route sweep: every route of the URL map, described in tests/routes.py, is tried signed out (a sign-in
redirect, or 401 for htmx), without a CSRF token (400), with another shop's ids (404) and by every role (403
exactly where its role lacks the permission). A route added without a description fails here."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from inbox import clock
from inbox.extensions import db
from inbox.models import (ApiToken, HelpArticle, InboundMail, Invitation, MailAttachment, Message, OutboundEmail,
                          QuarantinedMail, Rating, ReplyTemplate, Upload, WebhookDelivery, WebhookEndpoint)
from inbox.services import sessions
from inbox.workflow import PERMISSIONS, Role
from tests.routes import ARGUMENTS, FIXED, ROUTES

ROLES = ("agent", "manager", "owner")   # the owner last: what it is allowed to do may change the shop
HX = {"HX-Request": "true"}


def _rules(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_every_route_is_described_and_every_description_is_a_route(app):
    endpoints = set(_rules(app))
    assert not endpoints - set(ROUTES), f"describe these routes in tests/routes.py: {sorted(endpoints - set(ROUTES))}"
    assert not set(ROUTES) - endpoints, f"no such routes any more: {sorted(set(ROUTES) - endpoints)}"
    permissions = set().union(*PERMISSIONS.values()) | {"public", "api", "signed_in"}
    assert {r.access for r in ROUTES.values()} <= permissions


@pytest.fixture
def world(app, make_shop, make_user, make_ticket):
    """Two shops with one of everything a URL can name; the first one's staff sign in."""
    shops = {}
    for key, name in (("mine", "Demo Shop"), ("theirs", "Other Shop")):
        shop = make_shop(name)
        staff = {role: make_user(shop, role=role, email=f"{role}@{key}.example") for role in ROLES}
        ticket = make_ticket(shop, customer_email=f"klant@{key}.example")
        message = db.session.scalar(sa.select(Message).where(Message.ticket_id == ticket.id))
        now = clock.now()
        objects = {
            "ticket": ticket,
            "user": staff["agent"],
            "template": ReplyTemplate(shop_id=shop.id, title="Retour", body="Beste klant, ..."),
            "help_article": HelpArticle(shop_id=shop.id, title_nl="Retour", body_nl="Binnen 30 dagen.", published=True),
            "invitation": Invitation(shop_id=shop.id, token_hash=hashlib.sha256(key.encode()).hexdigest(),
                                     email=f"new@{key}.example", role="agent", expires_at=now + timedelta(days=1)),
            "quarantined": QuarantinedMail(shop_id=shop.id, raw=b"Subject: kapot\r\n\r\n", size=20, error="test",
                                           source="imap"),
            "attachment": MailAttachment(shop_id=shop.id, ticket_id=ticket.id, message_id=message.id,
                                         filename="bon.pdf", content_type="application/pdf", size=3, data=b"pdf"),
            "outbound": OutboundEmail(shop_id=shop.id, ticket_id=ticket.id, idempotency_key=f"sweep:{key}",
                                      to_addr=ticket.customer_email, subject="Re", body="Hallo", state="failed"),
            "inbound": InboundMail(shop_id=shop.id, dedupe_key=f"mid:sweep-{key}", ticket_id=ticket.id,
                                   message_id=message.id, outcome="new", source="import",
                                   raw=b"Subject: kapot\r\n\r\nde lamp\r\n"),
            "api_token": ApiToken(shop_id=shop.id, name="Telefonie", token_hash=hashlib.sha256(b"t" + key.encode())
                                  .hexdigest(), prefix=key[:6]),
        }
        db.session.add_all(o for k, o in objects.items() if k not in ("ticket", "user"))
        objects["message"] = message
        objects["login_session"] = sessions.start(staff["owner"], remember=False)
        objects["webhook_endpoint"] = WebhookEndpoint(shop_id=shop.id, url=f"https://{key}.example/hook",
                                                      events="ticket.created", secret="whsec_sweep")
        db.session.add(objects["webhook_endpoint"])
        db.session.flush()
        objects["webhook_delivery"] = WebhookDelivery(shop_id=shop.id, endpoint_id=objects["webhook_endpoint"].id,
                                                      event_id=f"sweep-{key}", event="ticket.created", payload="{}",
                                                      state="failed")
        db.session.add(objects["webhook_delivery"])
        objects["rating"] = Rating(shop_id=shop.id, ticket_id=ticket.id, channel="email", score="bad")
        db.session.add(objects["rating"])
        objects["upload"] = Upload(shop_id=shop.id, template_id=objects["template"].id, filename="voorwaarden.pdf",
                                   content_type="application/pdf", size=3, data=b"pdf")
        db.session.add(objects["upload"])
        db.session.commit()
        shops[key] = {"ids": {"shop": shop.id, **{kind: obj.id for kind, obj in objects.items()}}, "staff": staff}
    return shops


@pytest.fixture
def browsers(app):
    """Each request is judged by its own cookies, as separate browsers are (the tests share one app context,
    where Flask-Login would keep the last user)."""
    def forget_cached_user():
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)

    def signed_in(user=None):
        client = app.test_client()
        if user is not None:
            with app.test_request_context():
                sessions.start(user, remember=False)
                db.session.commit()
                token = user.session_token
            with client.session_transaction() as cookie_session:
                cookie_session["_user_id"], cookie_session["_fresh"] = token, True
        return client
    return signed_in


def _url(app, rule, ids, swap=None):
    values = {}
    for name in rule.arguments:
        if name in ARGUMENTS:
            values[name] = swap[name] if swap and name in swap else ids[ARGUMENTS[name]]
        else:
            fixed = FIXED[name]
            values[name] = fixed[rule.endpoint] if isinstance(fixed, dict) else fixed
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_keeps_out_whoever_may_not_use_it(endpoint, app, world, browsers):
    rule, route = _rules(app)[endpoint], ROUTES[endpoint]
    mine, theirs = world["mine"]["ids"], world["theirs"]["ids"]
    url = _url(app, rule, mine)
    checked = []

    # Without a CSRF token every form post is refused, signed in or not; only the token-authenticated API is exempt.
    if "POST" in rule.methods and route.access != "api":
        app.config["WTF_CSRF_ENABLED"] = True
        owner = world["mine"]["staff"]["owner"]
        for client in (browsers(), browsers(owner)):
            assert client.post(url, data=route.data).status_code == 400, f"POST {url} without a CSRF token"
        app.config["WTF_CSRF_ENABLED"] = False
        checked.append("csrf")
    if route.access == "public":
        return
    if route.access == "api":   # each of its methods (GET, POST, PATCH) asks for the token first
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert browsers().open(url, method=method, json={}).status_code == 401, f"{method} {url} without a token"
        return

    # Signed out: a page sends to the sign-in; htmx gets 401 with HX-Redirect, never a login page in a table cell.
    for method in _methods(rule):
        response = browsers().open(url, method=method, data=route.data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], f"{method} {url} signed out"
        response = browsers().open(url, method=method, data=route.data, headers=HX)
        assert response.status_code == 401 and "/login" in response.headers["HX-Redirect"], f"htmx {method} {url}"
    checked.append("signed out")

    # Another shop's ids, one at a time: 404, also for the owner, who may do everything in their own shop.
    owner = browsers(world["mine"]["staff"]["owner"])
    for name in rule.arguments & ARGUMENTS.keys():
        other_url = _url(app, rule, mine, swap={name: theirs[ARGUMENTS[name]]})
        for method in _methods(rule):
            for headers in ({}, HX):
                response = owner.open(other_url, method=method, data=route.data, headers=headers)
                assert response.status_code == 404, f"{method} {other_url}: another shop's {name}"
        checked.append(f"other shop's {name}")

    # Every role: 403 exactly where the role lacks the permission.
    for role in ROLES:
        allowed = route.access == "signed_in" or route.access in PERMISSIONS[Role(role)]
        client = browsers(world["mine"]["staff"][role])
        for method in _methods(rule):
            status = client.open(url, method=method, data=route.data).status_code
            if allowed:
                assert status != 403 and status < 500, f"{role} {method} {url}: {status}"
                if method == "GET":   # the same page asked for by htmx (a fragment, or the page)
                    status = client.get(url, headers=HX).status_code
                    assert status != 403 and status < 500, f"{role} htmx GET {url}: {status}"
            else:
                assert status == 403, f"{role} may not {method} {url}, got {status}"
    checked.append("roles")
    assert checked
