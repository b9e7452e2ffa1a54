"""The ticket API: a shop's integrations read and change its questions with a scoped token, and every answer,
also every error, is JSON that the OpenAPI document describes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.api.core import limiter
from inbox.extensions import db
from inbox.models import ApiToken, AuditEvent, MailAttachment, MailSettings, Message, OutboundEmail, SendToken, Ticket
from inbox.services import outbox
from inbox.tokens import hash_token

MONDAY_10 = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)   # 10:00 in Amsterdam
NOW = MONDAY_10 + timedelta(hours=2)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter._windows.clear()
    yield
    limiter._windows.clear()


def make_token(shop, user, scope="write", raw=None):
    raw = raw or f"inb_{scope}-{shop.id}-{user.id}"
    db.session.add(ApiToken(shop_id=shop.id, name=scope, token_hash=hash_token(raw), prefix=raw[:10],
                            created_by=user.id, scope=scope))
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(shop, staff):
    return make_token(shop, staff["owner"])


def assert_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    if field is not None:
        assert field in [f["field"] for f in body["fields"]], body
    return body


# --------------------------------------------------------------------------- reading

def test_list_filters_and_pages_with_a_stable_cursor(frozen, client, api, shop, staff, make_ticket):
    tickets = [make_ticket(shop, subject=f"Vraag {i}", received_at=MONDAY_10 - timedelta(minutes=i)) for i in range(7)]
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        client.patch(f"/api/v1/tickets/{tickets[3].id}", json={"status": "solved", "tags": ["Retour"]}, headers=api)
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/tickets", query_string={"limit": 3, **({"cursor": cursor} if cursor else {})},
                          headers=api).get_json()
        seen += [t["id"] for t in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(t.id for t in tickets) and len(seen) == 7
    assert seen[-1] == tickets[3].id   # changed last, listed last

    def ids(**params):
        response = client.get("/api/v1/tickets", query_string=params, headers=api)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [t["id"] for t in response.get_json()["data"]]

    assert ids(status="solved") == [tickets[3].id]
    assert ids(tag="retour") == [tickets[3].id]
    assert tickets[3].id not in ids(view="needs_reply")
    assert ids(updated_since=(NOW + timedelta(minutes=1)).isoformat()) == [tickets[3].id]
    assert ids(channel="phone") == []
    assert ids(order="-updated", limit=1) == [tickets[3].id]
    assert len(ids(assignee="none")) == 7


def test_read_one_ticket_with_messages_attachments_and_sla(frozen, client, api, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    message = ticket.messages[0]
    db.session.add(MailAttachment(shop_id=shop.id, ticket_id=ticket.id, message_id=message.id, filename="bon.pdf",
                                  content_type="application/pdf", size=4, data=b"%PDF"))
    db.session.commit()
    body = client.get(f"/api/v1/tickets/{ticket.id}", headers=api).get_json()
    assert body["subject"] == ticket.subject and body["customer"]["email"] == "ingrid@example.com"
    [first] = body["messages"]
    assert first["kind"] == "customer"
    [file] = first["attachments"]
    assert file["filename"] == "bon.pdf" and file["size"] == 4
    download = client.get(file["download_url"], headers=api)
    assert download.data == b"%PDF" and download.mimetype == "application/octet-stream"
    assert "bon.pdf" in download.headers["Content-Disposition"]
    # Received Monday 11:00 in Amsterdam, due Tuesday 11:00; now Monday 12:00: 5 + 2 business hours left.
    assert body["sla"]["state"] == "on_track" and body["sla"]["remaining_business_seconds"] == 7 * 3600
    sla = client.get(f"/api/v1/tickets/{ticket.id}/sla", headers=api).get_json()
    assert sla["due_at"] == "2026-11-17T10:00:00Z"


def test_customer_lookup_users_and_week_norms(frozen, client, api, shop, staff, make_ticket):
    make_ticket(shop)
    make_ticket(shop, subject="Nog een vraag", customer_email="INGRID@example.com")
    customer = client.get("/api/v1/customers", query_string={"email": "Ingrid@Example.com"}, headers=api).get_json()
    assert customer["name"] == "Ingrid van Dijk" and len(customer["tickets"]) == 2
    assert_error(client.get("/api/v1/customers", query_string={"email": "nobody@example.com"}, headers=api), 404)
    users = client.get("/api/v1/users", headers=api).get_json()["data"]
    assert {u["role"] for u in users} == {"owner", "manager", "agent"}
    week = client.get("/api/v1/norms/week", headers=api).get_json()
    assert week["week"] == "2026-W47" and week["response"]["waiting"] == 2 and week["questions"] == 2
    assert client.get("/api/v1/norms/week", query_string={"date": "2026-11-09"},
                      headers=api).get_json()["week"] == "2026-W46"



def test_week_norms_while_the_shop_is_recounted_answer_503_as_documented(frozen, app, client, api, shop, staff):
    """After an upgrade the worker counts the figures again in steps; meanwhile the week's norms answer 503 with
    Retry-After, and the document says so, so a generated client expects it."""
    from inbox.services import recount
    recount.again(db.session.connection(), shop.id)
    db.session.commit()
    answer = client.get("/api/v1/norms/week", headers=api)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert "being recounted" in answer.get_json()["error"]
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/norms/week"]["get"]["responses"]
    assert "Retry-After" in documented["503"]["headers"]

# --------------------------------------------------------------------------- writing

def test_a_bearer_token_is_the_credential_so_no_csrf_token_is_asked(frozen, csrf_app, shop, staff):
    client = csrf_app.test_client()
    new = {"subject": "Pakket kwijt", "body": "Waar blijft mijn pakket?", "customer_name": "Jan"}
    response = client.post("/api/v1/tickets", json=new, headers=make_token(shop, staff["owner"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert client.post("/logout").status_code == 400   # the pages next to it still want one



def test_create_follows_the_forms_rules_for_marketplace_questions(frozen, client, api, shop):
    new = {"subject": "Pakket kwijt", "body": "Doorgestuurd door de klantenservice.", "customer_name": "Jan",
           "channel": "marketplace"}
    assert_error(client.post("/api/v1/tickets", json=new, headers=api), 422, "forwarded_at")
    late = {**new, "received_at": "2026-11-16T10:00:00+01:00", "forwarded_at": "2026-11-16T09:00:00+01:00"}
    assert_error(client.post("/api/v1/tickets", json=late, headers=api), 422, "forwarded_at")
    future = {**new, "forwarded_at": "2026-11-20T09:00:00+01:00"}
    assert_error(client.post("/api/v1/tickets", json=future, headers=api), 422, "forwarded_at")
    ok = {**new, "received_at": "2026-11-13T16:00:00+01:00", "forwarded_at": "2026-11-16T10:00:00+01:00",
          "tags": ["Marktplaats"], "order_number": "1042"}
    response = client.post("/api/v1/tickets", json=ok, headers=api)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/tickets/{body['id']}"
    # The 8 business hours count from the forward (Monday 10:00), not from Friday's receipt.
    assert body["channel"] == "marketplace" and body["due_at"] == "2026-11-17T09:00:00Z"
    assert body["tags"] == ["marktplaats"] and body["order_number"] == "1042"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ticket.create"))
    assert event.actor_id is not None


def test_change_status_assignee_and_tags(frozen, client, api, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    agent = staff["agent"]
    response = client.patch(f"/api/v1/tickets/{ticket.id}",
                            json={"assignee_id": agent.id, "tags": ["spoed", "Retour"], "status": "solved"}, headers=api)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["assignee_id"] == agent.id and body["tags"] == ["retour", "spoed"] and body["status"] == "solved"
    assert_error(client.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "pending"}, headers=api), 422, "status")
    assert_error(client.patch(f"/api/v1/tickets/{ticket.id}", json={"assignee_id": 99999}, headers=api), 422,
                 "assignee_id")
    assert_error(client.patch(f"/api/v1/tickets/{ticket.id}", json={"colour": "red"}, headers=api), 422, "colour")
    unassigned = client.patch(f"/api/v1/tickets/{ticket.id}", json={"assignee_id": None}, headers=api).get_json()
    assert unassigned["assignee_id"] is None


def test_note_stays_internal_and_keeps_the_clock(frozen, client, api, shop, make_ticket):
    ticket = make_ticket(shop)
    response = client.post(f"/api/v1/tickets/{ticket.id}/messages", json={"kind": "note", "body": "Bel DHL."},
                           headers=api)
    assert response.status_code == 201
    assert response.get_json()["emailed"] is False and response.get_json()["message"]["kind"] == "note"
    db.session.refresh(ticket)
    assert ticket.due_at is not None and db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 0


def test_a_retried_reply_with_the_same_idempotency_key_is_emailed_once(app, client, api, shop, staff, make_ticket,
                                                                      smtp_sink):
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    app.config["SEND_ON_REPLY"] = True
    ticket = make_ticket(shop)
    reply = {"body": "Goedemorgen Ingrid, uw pakket komt morgen.", "status": "pending"}
    headers = {**api, "Idempotency-Key": "order-1042-reply"}
    first = client.post(f"/api/v1/tickets/{ticket.id}/messages", json=reply, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()["emailed"] is True and first.get_json()["duplicate"] is False
    outbox.wait_background()   # the in-memory test database has one connection: no overlap
    again = client.post(f"/api/v1/tickets/{ticket.id}/messages", json=reply, headers=headers)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["message"]["id"] == first.get_json()["message"]["id"]
    outbox.wait_background()
    [delivered] = smtp_sink.wait_for(1)
    assert "<ingrid@example.com>" in delivered.message["To"]
    assert "uw pakket komt morgen" in delivered.message.get_content()
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "reply")) == 1
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "pending"
    assert len(smtp_sink.received) == 1
    # A new key is a new reply; the same key on another ticket is refused, naming the header.
    other = make_ticket(shop, subject="Andere vraag")
    assert_error(client.post(f"/api/v1/tickets/{other.id}/messages", json=reply, headers=headers), 422,
                 "Idempotency-Key")
    assert db.session.scalar(sa.select(sa.func.count(SendToken.id))) == 1


# --------------------------------------------------------------------------- scopes, shops, errors

def test_scopes_limit_what_a_token_may_do(frozen, client, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    read = make_token(shop, staff["owner"], "read")
    imports = make_token(shop, staff["owner"], "imports")
    assert client.get("/api/v1/tickets", headers=read).status_code == 200
    assert_error(client.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "solved"}, headers=read), 403)
    assert_error(client.post("/api/v1/calls", json={"at": "2026-11-16T10:00", "answered": True}, headers=read), 403)
    assert_error(client.get("/api/v1/tickets", headers=imports), 403)
    assert client.post("/api/v1/calls", json={"at": "2026-11-16T10:00", "answered": True},
                       headers=imports).status_code == 201


def test_other_shops_ids_answer_404(frozen, client, shop, staff, make_shop, make_user, make_ticket):
    other = make_shop("Other Shop", "BE")
    theirs = make_ticket(other)
    db.session.add(MailAttachment(shop_id=other.id, ticket_id=theirs.id, message_id=theirs.messages[0].id,
                                  filename="x.txt", content_type="text/plain", size=1, data=b"x"))
    db.session.commit()
    attachment_id = db.session.scalar(sa.select(MailAttachment.id))
    api = make_token(shop, staff["owner"])
    for method, path, kw in [("get", f"/api/v1/tickets/{theirs.id}", {}),
                             ("get", f"/api/v1/tickets/{theirs.id}/sla", {}),
                             ("patch", f"/api/v1/tickets/{theirs.id}", {"json": {"status": "solved"}}),
                             ("post", f"/api/v1/tickets/{theirs.id}/messages", {"json": {"body": "Hallo"}}),
                             ("get", f"/api/v1/attachments/{attachment_id}", {})]:
        assert_error(getattr(client, method)(path, headers=api, **kw), 404)
    assert client.get("/api/v1/tickets", headers=api).get_json()["data"] == []
    assert_error(client.get("/api/v1/customers", query_string={"email": "ingrid@example.com"}, headers=api), 404)
    their_user = make_user(other, role="agent")
    mine = make_ticket(shop)
    assert_error(client.patch(f"/api/v1/tickets/{mine.id}", json={"assignee_id": their_user.id}, headers=api), 422,
                 "assignee_id")
    db.session.refresh(theirs)
    assert theirs.status == "open"


def test_every_error_is_json_with_a_fitting_status(app, client, api, shop, make_ticket):
    assert_error(client.get("/api/v1/tickets"), 401)
    assert client.get("/api/v1/tickets").headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.get("/api/v1/tickets", headers={"Authorization": "Bearer nope"}), 401)
    assert_error(client.get("/api/v1/no-such-thing", headers=api), 404)
    assert_error(client.get("/api/v1/tickets/12345", headers=api), 404)
    assert_error(client.get("/api/v1/tickets/99999999999999999999", headers=api), 404)
    response = client.delete("/api/v1/tickets", headers=api)
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error(client.post("/api/v1/tickets", data="subject=x", headers=api,
                             content_type="application/x-www-form-urlencoded"), 415)
    assert_error(client.post("/api/v1/tickets", data="{not json", headers=api, content_type="application/json"), 400)
    app.config["API_MAX_BODY_BYTES"] = 1000
    assert_error(client.post("/api/v1/tickets", json={"subject": "x" * 2000}, headers=api), 413)
    body = assert_error(client.post("/api/v1/tickets", json={"subject": "", "body": "a\x00b"}, headers=api), 422)
    assert {f["field"] for f in body["fields"]} >= {"subject", "body", "customer_name"}
    assert_error(client.get("/api/v1/tickets", query_string={"limit": 1000}, headers=api), 422, "limit")
    assert_error(client.get("/api/v1/tickets", query_string={"cursor": "bogus"}, headers=api), 422, "cursor")
    assert_error(client.get("/api/v1/tickets", query_string={"updated_since": "0001-01-01T00:00:00Z"}, headers=api),
                 422, "updated_since")


def test_rate_limit_answers_429_with_retry_after_per_token(frozen, app, client, api, shop, staff):
    app.config["API_RATE_LIMIT"] = 3
    other = make_token(shop, staff["owner"], "read")
    for _ in range(3):
        assert client.get("/api/v1/users", headers=api).status_code == 200
    response = client.get("/api/v1/users", headers=api)
    assert_error(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/users", headers=other).status_code == 200  # each token has its own budget
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/users", headers=api).status_code == 200


# --------------------------------------------------------------------------- the document and its page

def test_openapi_document_validates_and_covers_every_operation(app, client):
    from openapi_spec_validator import validate

    from inbox.api.core import OPERATIONS
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    routed = {(m, "/api/v1" + rule.rule[len("/api/v1"):].replace("<int:", "{").replace(">", "}"))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              and rule.endpoint != "api.openapi_document" for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented and len(OPERATIONS) == len(documented)
    create = doc["paths"]["/api/v1/tickets"]["post"]
    assert set(create["responses"]) >= {"201", "401", "403", "413", "415", "422", "429"}


def test_reference_page_is_linked_from_the_tokens_page(client, login_as):
    login_as("owner")
    page = client.get("/reports/tokens").get_data(as_text=True)
    assert 'href="/api/reference"' in page
    reference = client.get("/api/reference").get_data(as_text=True)
    assert "/api/v1/tickets/{ticket_id}/messages" in reference and "Idempotency-Key" in reference


def test_owner_picks_the_scope_when_creating_a_token(client, login_as):
    login_as("owner")
    client.post("/reports/tokens", data={"name": "Dashboard", "scope": "read"})
    assert db.session.scalar(sa.select(ApiToken.scope)) == "read"
    assert "Read only" in client.get("/reports/tokens").get_data(as_text=True)


def test_the_documented_statuses_and_channels_are_the_workflows():
    from inbox.api.schemas import ChannelName, StatusName
    from inbox.workflow import Channel, Status
    assert set(StatusName.__args__) == {s.value for s in Status}
    assert set(ChannelName.__args__) == {c.value for c in Channel}
