"""The reply clock inside the app: when it starts, stops, restarts, and what the badge says."""
from datetime import datetime, timezone

import time_machine

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import sla as sla_service
from inbox.services import tickets as ticket_service


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# 2026-11-16 is a Monday; Amsterdam is UTC+1 in November.
MONDAY_0930_LOCAL = utc(2026, 11, 16, 8, 30)


def test_first_reaction_due_eight_business_hours_after_receipt(shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    assert ticket.due_at == utc(2026, 11, 17, 8, 30)  # Tuesday 09:30 local
    assert ticket.first_reply_due_at == ticket.due_at


def test_question_at_night_starts_counting_at_nine(shop, make_ticket):
    ticket = make_ticket(shop, received_at=utc(2026, 11, 16, 6, 30))  # Monday 07:30 local
    assert ticket.due_at == utc(2026, 11, 16, 16, 0)  # Monday 17:00 local, not Tuesday 09:00


def test_forwarded_question_counts_from_the_forward(shop, make_ticket):
    ticket = make_ticket(shop, received_at=utc(2026, 11, 13, 9, 0), forwarded_at=MONDAY_0930_LOCAL)
    assert ticket.channel == "marketplace"
    assert ticket.due_at == utc(2026, 11, 17, 8, 30)


def test_follow_up_after_reply_starts_a_new_clock(shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    ticket_service.reply(ticket, shop, "Beste Ingrid, we sturen vandaag een nieuwe.", by=staff["agent"],
                         at=utc(2026, 11, 16, 10, 0))
    assert ticket.due_at is None and ticket.status == "pending"
    ticket_service.add_customer_message(ticket, shop, "Dank u, wanneer komt hij?", at=utc(2026, 11, 18, 14, 0))
    assert ticket.status == "open"
    assert ticket.waiting_since == utc(2026, 11, 18, 14, 0)
    assert ticket.due_at == utc(2026, 11, 19, 14, 0)  # Wednesday 15:00 + 8 h = Thursday 15:00 local
    # The first reaction stays recorded as it was.
    assert ticket.first_reply_margin > 0


def test_second_follow_up_does_not_reset_a_running_clock(shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    due = ticket.due_at
    ticket_service.add_customer_message(ticket, shop, "Hallo??", at=utc(2026, 11, 16, 12, 0))
    assert ticket.due_at == due


def test_late_reply_records_how_late(shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    reply = ticket_service.reply(ticket, shop, "Excuses voor het wachten.", by=staff["agent"],
                                 at=utc(2026, 11, 17, 10, 0))  # Tuesday 11:00 local: 1.5 business hours late
    assert reply.sla_margin == -90 * 60
    assert ticket.first_reply_margin == -90 * 60
    assert sla_service.badge(ticket, shop, utc(2026, 11, 17, 11, 0)).state == "answered_late"


def test_badge_states_through_the_day(shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)  # due Tuesday 09:30 local
    assert sla_service.badge(ticket, shop, utc(2026, 11, 16, 9, 0)).state == "on_track"
    soon = sla_service.badge(ticket, shop, utc(2026, 11, 16, 15, 30))  # Monday 16:30: 1 h left
    assert (soon.state, soon.seconds) == ("due_soon", 3600)
    late = sla_service.badge(ticket, shop, utc(2026, 11, 17, 9, 0))  # Tuesday 10:00: 30 min late
    assert (late.state, late.seconds) == ("overdue", -1800)


def test_badge_paused_outside_business_hours(shop, make_ticket):
    ticket = make_ticket(shop, received_at=utc(2026, 11, 20, 14, 0))  # Friday 15:00 local
    badge = sla_service.badge(ticket, shop, utc(2026, 11, 21, 12, 0))  # Saturday
    assert badge.state == "on_track" and badge.seconds == 6 * 3600
    assert badge.paused_until == datetime(2026, 11, 23, 9, 0, tzinfo=badge.paused_until.tzinfo)


def test_badge_html_says_paused_until_monday(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, received_at=utc(2026, 11, 20, 14, 0))
    login_as("agent")
    with time_machine.travel(utc(2026, 11, 21, 12, 0), tick=False):
        body = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "6h left" in body
    assert "paused until Mon 09:00" in body
    assert "due Mon 23 Nov, 15:00" in body  # 2 h on Friday, 6 h on Monday


def test_badge_in_dutch(client, login_as, shop, make_ticket, staff):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    staff["agent"].locale = "nl"
    db.session.commit()
    login_as("agent")
    with time_machine.travel(utc(2026, 11, 17, 9, 40), tick=False):  # Tuesday 10:40: 1 h 10 m late
        body = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "1u 10m te laat" in body


def test_recompute_command_updates_open_tickets(app, shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    ticket.due_at = utc(2030, 1, 1)  # as if computed with older holiday data
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sla", "recompute"])
    assert "1 due times changed" in result.output
    assert db.session.get(Ticket, ticket.id).due_at == utc(2026, 11, 17, 8, 30)


def test_solving_without_reply_stops_the_clock_but_not_the_record(shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_0930_LOCAL)
    ticket_service.change_status(ticket, shop, "solved", by=staff["agent"], at=utc(2026, 11, 16, 9, 0))
    assert ticket.due_at is None
    assert ticket.first_reply_due_at is not None and ticket.first_reply_at is None
