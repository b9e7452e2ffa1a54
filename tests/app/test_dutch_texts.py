"""A Dutch inbox speaks Dutch: audit details, call sources and mail-import outcomes are worded when shown, in the
reader's language, from codes the rows store (the norm e-mail's Dutch lines: test_norms_mail.py)."""
from __future__ import annotations

import ast
import html as htmlmod
import re
from datetime import datetime, timezone
from pathlib import Path

import time_machine

from inbox import csvimport
from inbox.audit_texts import ACTION_LABELS
from inbox.extensions import db
from inbox.i18n import force_locale
from inbox.services import audit, imports, team, tickets as ticket_service
from inbox.services.intake import IntakeResult

ROOT = Path(__file__).resolve().parents[2]
MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)


def text_of(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(htmlmod.unescape(page).split())


def owner_in(login_as, locale: str):
    owner = login_as("owner")
    owner.locale = locale
    db.session.commit()
    return owner


@time_machine.travel(MONDAY_11, tick=False)
def test_audit_details_are_worded_in_the_readers_language(client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11)
    owner = owner_in(login_as, "nl")
    ticket_service.change_status(ticket, shop, "pending", by=owner)
    ticket_service.assign(ticket, shop, staff["agent"], by=owner)
    audit.record(shop.id, "calls.import", actor=owner, new="12 added, 1 rejected")
    imports.add_call(shop, csvimport.CallRow(at=MONDAY_11, direction="in", answered=True, duration_s=65,
                                             caller="0612345678"), by=owner)
    db.session.commit()

    dutch = text_of(client.get("/audit"))
    assert "Status: Open → Wacht op klant" in dutch
    assert "Behandelaar: Agent Demo" in dutch
    assert "12 toegevoegd, 1 geweigerd" in dutch
    assert "importeerde gesprekken" in dutch and "legde een gesprek vast" in dutch
    assert "ma 16 nov, 11:00" in dutch                      # the logged call's moment, in the shop's time
    for english in ("status:", "assignee", "pending", "added", "rejected", "calls.add", "calls.import",
                    "2026-11-16T10:00"):
        assert english not in dutch, english


@time_machine.travel(MONDAY_11, tick=False)
def test_the_same_audit_rows_read_in_english_for_an_english_reader(client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11)
    owner = owner_in(login_as, "en")
    ticket_service.change_status(ticket, shop, "pending", by=owner)
    ticket_service.assign(ticket, shop, staff["agent"], by=owner)
    audit.record(shop.id, "calls.import", actor=owner, new="12 added, 1 rejected")
    db.session.commit()
    english = text_of(client.get("/audit"))
    assert "Status: Open → Pending" in english and "Assignee: Agent Demo" in english
    assert "12 added, 1 rejected" in english and "imported calls" in english


@time_machine.travel(MONDAY_11, tick=False)
def test_deactivation_detail_names_where_the_tickets_went(client, login_as, shop, staff, make_ticket):
    make_ticket(shop, received_at=MONDAY_11)
    owner = owner_in(login_as, "nl")
    agent = staff["agent"]
    ticket_service.assign(make_ticket(shop, received_at=MONDAY_11), shop, agent, by=owner)
    team.deactivate(agent, by=owner, reassign_to=staff["manager"])
    db.session.commit()
    assert "1 open ticket naar Manager Demo" in text_of(client.get("/audit"))


@time_machine.travel(MONDAY_11, tick=False)
def test_a_call_typed_in_by_hand_says_so_in_dutch(client, login_as, shop):
    owner = owner_in(login_as, "nl")
    imports.add_call(shop, csvimport.CallRow(at=MONDAY_11, direction="in", answered=True, duration_s=65,
                                             caller="0612345678"), by=owner)
    db.session.commit()
    page = text_of(client.get("/reports/calls"))
    assert "Met de hand ingevoerd" in page
    assert "manual" not in page


def test_every_audited_action_has_a_label():
    actions = set()
    for path in (ROOT / "inbox").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record" and len(node.args) >= 2:
                for arg in ast.walk(node.args[1]):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                        actions.add(arg.value)
    assert len(actions) > 30
    assert actions - ACTION_LABELS.keys() == set()


def test_mail_import_outcomes_are_worded_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert IntakeResult("new", ticket_id=3).describe() == "nieuw ticket #3"
            assert IntakeResult("duplicate", ticket_id=3).describe() == "dubbel (staat al in ticket #3)"
        assert IntakeResult("threaded", ticket_id=3).describe() == "threaded into ticket #3"
