"""The performance page: the weekly warning, who sees what, the banner, CSVs, imports and the API."""
from __future__ import annotations

from datetime import date, timedelta, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from flask import render_template

from inbox import i18n, metrics
from inbox.extensions import db
from inbox.models import ApiToken, Call, Message, Order, Ticket
from inbox.services import norms, tickets as ticket_service
from inbox.tokens import hash_token
from inbox.workflow import MessageKind
from tests.conftest import AMS, NOW, local

def miss(make_ticket, shop, at, **kw):
    """A question of this week still without a first reaction two business days later: a miss."""
    return make_ticket(shop, received_at=at, **kw)


def test_week_counts_late_and_missing_but_not_auto_acknowledgements(frozen, shop, staff, make_ticket):
    late = make_ticket(shop, received_at=local(2026, 11, 16, 9))
    ticket_service.reply(late, shop, "Sorry voor het wachten.", by=staff["agent"], at=local(2026, 11, 17, 12))
    on_time = make_ticket(shop, received_at=local(2026, 11, 16, 10))
    ticket_service.reply(on_time, shop, "Hier is het antwoord.", by=staff["agent"], at=local(2026, 11, 16, 11))
    acked = make_ticket(shop, received_at=local(2026, 11, 16, 11))
    # An automatic acknowledgement is no reaction: the ticket stays unanswered and is missed once due.
    acked.messages.append(Message(shop_id=shop.id, kind=MessageKind.AUTO.value, body="We received your message.",
                                  created_at=local(2026, 11, 16, 11, 1)))
    make_ticket(shop, received_at=local(2026, 11, 19, 14))   # still within its 8 hours
    db.session.commit()
    weeks = norms.metrics.weeks_back(NOW, AMS, 1)
    [week] = norms.weekly_tickets(shop, weeks, NOW)
    assert (week.on_time, week.late, week.missing, week.waiting) == (1, 1, 1, 1)
    assert norms.miss_count(shop, NOW) == 2
    misses = {m.ticket_id: m for m in norms.week_misses(shop, weeks[0], NOW)}
    assert set(misses) == {late.id, acked.id}
    assert misses[late.id].late_seconds == 3 * 3600   # due Tue 09:00, answered Tue 12:00


def test_forwarded_question_counts_in_the_week_it_was_forwarded(frozen, shop, make_ticket):
    # Received Sunday 23:30 of week 46, forwarded by the marketplace on Monday of week 47.
    forwarded = make_ticket(shop, received_at=local(2026, 11, 15, 23, 30), forwarded_at=local(2026, 11, 16, 9))
    sunday = make_ticket(shop, received_at=local(2026, 11, 15, 23, 30))
    weeks = norms.metrics.weeks_back(NOW, AMS, 2)
    w46, w47 = norms.weekly_tickets(shop, weeks, NOW)
    assert w46.total == 1 and w47.total == 1
    assert forwarded.first_reply_due_at == local(2026, 11, 16, 17).astimezone(timezone.utc)
    assert [m.ticket_id for m in norms.week_misses(shop, weeks[1], NOW)] == [forwarded.id]
    assert sunday.id not in [m.ticket_id for m in norms.week_misses(shop, weeks[1], NOW)]
    # The inbox banner's count takes another path through the indexes and must agree.
    forwarded_this_week = make_ticket(shop, received_at=local(2026, 11, 16, 10), forwarded_at=local(2026, 11, 17, 9))
    assert forwarded_this_week.id in [m.ticket_id for m in norms.week_misses(shop, weeks[1], NOW)]
    assert norms.miss_count(shop, NOW) == len(norms.week_misses(shop, weeks[1], NOW)) == 2


def test_a_page_of_misses_is_the_latest_of_all_the_weeks_misses_in_clock_order(frozen, shop, make_ticket):
    # Received, forwarded in the week, received in the week but forwarded before it, forwarded after the week:
    # read in three parts, they must come out as one list in clock-start order.
    make_ticket(shop, received_at=local(2026, 11, 16, 10))
    make_ticket(shop, received_at=local(2026, 11, 16, 11), forwarded_at=local(2026, 11, 16, 11))
    make_ticket(shop, received_at=local(2026, 11, 13, 10), forwarded_at=local(2026, 11, 16, 12))
    make_ticket(shop, received_at=local(2026, 11, 16, 13), forwarded_at=local(2026, 11, 12, 10))
    make_ticket(shop, received_at=local(2026, 11, 16, 14), forwarded_at=local(2026, 11, 24, 10))
    make_ticket(shop, received_at=local(2026, 11, 17, 9))
    [week] = norms.metrics.weeks_back(NOW, AMS, 1)
    every = norms.week_misses(shop, week, NOW)
    assert [m.clock_start for m in every] == sorted((m.clock_start for m in every), reverse=True)
    assert len(every) == norms.miss_count(shop, NOW) == 5
    assert every[-1].clock_start == local(2026, 11, 12, 10)
    for limit in range(1, 7):
        assert norms.week_misses(shop, week, NOW, limit=limit) == every[:limit]


@pytest.mark.parametrize("country, expected_due", [("NL", local(2026, 4, 28, 17)), ("BE", local(2026, 4, 27, 17))])
def test_kings_day_skipped_only_by_a_dutch_shop(make_shop, make_ticket, country, expected_due):
    shop = make_shop(f"{country} shop", country, timezone_name="Europe/Amsterdam")
    ticket = make_ticket(shop, received_at=local(2026, 4, 24, 17))   # Friday after closing
    assert ticket.first_reply_due_at == expected_due.astimezone(timezone.utc)


def test_belgian_national_day_skipped_by_dutch_and_belgian_shops(make_shop, make_ticket):
    for country in ("NL", "BE"):
        shop = make_shop(f"{country} shop", country, timezone_name="Europe/Amsterdam")
        ticket = make_ticket(shop, received_at=local(2026, 7, 20, 17))   # Monday evening; Tuesday 21 July closed
        assert ticket.first_reply_due_at == local(2026, 7, 22, 17).astimezone(timezone.utc)


def test_manager_sees_warning_forecast_and_misses(frozen, client, shop, staff, login_as, make_ticket):
    overdue = make_ticket(shop, received_at=local(2026, 11, 16, 10), subject="Kapotte lamp", assignee=staff["agent"])
    waiting = make_ticket(shop, received_at=local(2026, 11, 19, 11), subject="Welke maat?")
    login_as("manager")
    html = client.get("/reports").get_data(as_text=True)
    assert 'id="warning"' in html and f"/tickets/{overdue.id}" in html and "Agent Demo" in html
    assert f"#{waiting.id} Welke maat?" in html
    assert "Fri 20 Nov, 11:00" in html                      # latest time to answer, shop time
    assert 'role="img"' in html and "<title" in html and "norm 90%" in html
    assert 'id="table-response"' in html and "/reports/phone.csv" in html


def test_at_risk_lists_this_weeks_waiting_questions_soonest_due_first(frozen, shop, staff, make_ticket):
    """Read by due time from now on: the week's questions past due, answered, or of another week are passed over,
    and the list stops at its limit; the week's "still waiting" counts the same questions."""
    def waiting(received, hours_left, **kw):
        ticket = make_ticket(shop, received_at=received, **kw)
        ticket.first_reply_due_at = NOW + timedelta(hours=hours_left)   # e.g. a closure moved it
        return ticket
    last_week = waiting(local(2026, 11, 13, 16), 1)
    soon = waiting(local(2026, 11, 19, 9), 2, assignee=staff["agent"])
    later = waiting(local(2026, 11, 19, 10), 5)
    latest = waiting(local(2026, 11, 19, 11), 9, assignee=staff["agent"])
    answered = waiting(local(2026, 11, 19, 12), 3)
    ticket_service.reply(answered, shop, "Hier is het antwoord.", by=staff["agent"], at=local(2026, 11, 19, 13))
    make_ticket(shop, received_at=local(2026, 11, 16, 9))                # past due
    db.session.commit()
    weeks = metrics.weeks_back(NOW, shop.tz, 2)
    assert [r.ticket_id for r in norms.week_forecast(shop, weeks[-1], NOW, limit=2)] == [soon.id, later.id]
    assert [r.ticket_id for r in norms.week_forecast(shop, weeks[-1], NOW)] == [soon.id, later.id, latest.id]
    assert [(r.ticket_id, r.assignee) for r in norms.week_forecast(shop, weeks[-1], NOW, staff["agent"].id)] == [
        (soon.id, "Agent Demo"), (latest.id, "Agent Demo")]
    assert [r.ticket_id for r in norms.week_forecast(shop, weeks[0], NOW)] == [last_week.id]
    assert [w.waiting for w in norms.weekly_tickets(shop, weeks, NOW)] == [1, 3]
    assert [w.waiting for w in norms.weekly_tickets(shop, weeks, NOW, staff["agent"].id)] == [0, 2]
    for _ in range(4):   # read past in pages of rows: four times the limit, after the last row read
        waiting(local(2026, 11, 13, 16), 1)
    db.session.commit()
    assert [r.ticket_id for r in norms.week_forecast(shop, weeks[-1], NOW, limit=1)] == [soon.id]


def test_agent_sees_only_own_figures(frozen, client, shop, staff, login_as, make_ticket):
    mine = make_ticket(shop, received_at=local(2026, 11, 16, 10), subject="Mijn vraag", assignee=staff["agent"])
    theirs = make_ticket(shop, received_at=local(2026, 11, 16, 10), subject="Andermans vraag",
                         assignee=staff["manager"])
    login_as("agent")
    response = client.get("/reports")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/tickets/{mine.id}" in html and f"/tickets/{theirs.id}" not in html
    assert 'id="phone"' not in html and "Call log" not in html
    assert client.get("/reports/phone.csv").status_code == 404
    assert client.get("/reports/calls").status_code == 403
    csv = client.get("/reports/misses.csv").get_data(as_text=True)
    assert "Mijn vraag" in csv and "Andermans vraag" not in csv


def test_other_shops_questions_never_count(frozen, client, shop, staff, login_as, make_shop, make_ticket):
    other = make_shop("Other Shop", "NL")
    make_ticket(other, received_at=local(2026, 11, 16, 10), subject="Elders")
    login_as("owner")
    assert "Elders" not in client.get("/reports/misses.csv").get_data(as_text=True)


def test_bad_period_answers_422_with_field_errors(frozen, client, staff, login_as):
    login_as("manager")
    response = client.get("/reports?start=2026-11-10&end=2026-11-01")
    assert response.status_code == 422
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)
    assert client.get("/reports?start=not-a-date").status_code == 422
    assert client.get("/reports?start=2026-10-01&end=2026-11-01").status_code == 200


def test_csv_download_has_the_chart_numbers(frozen, client, staff, login_as, shop, make_ticket):
    make_ticket(shop, received_at=local(2026, 11, 16, 10))
    login_as("manager")
    response = client.get("/reports/response.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Week,Monday,Questions") and len(lines) == 14
    assert lines[-1].startswith("2026-W47,2026-11-16,1,0,0,1,0,0%")
    assert client.get("/reports/nonsense.csv").status_code == 404


def _solved_in_two_hours_39(shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=local(2026, 11, 16, 9), subject="Zoë's pakket")
    ticket_service.reply(ticket, shop, "Opgelost.", by=staff["agent"], at=local(2026, 11, 16, 11, 39), status="solved")
    db.session.commit()


def test_a_dutch_manager_gets_csv_for_dutch_excel_with_units(frozen, client, shop, staff, login_as, make_ticket):
    _solved_in_two_hours_39(shop, staff, make_ticket)
    staff["manager"].locale = "nl"
    db.session.commit()
    login_as("manager")
    body = client.get("/reports/service.csv?start=2026-11-16&end=2026-11-19").get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    header, everyone = body.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Wie / kanaal;Klantvragen;Initiële reactie, mediaan (uren);")
    assert everyone.startswith("Iedereen;1;2,65;2,65;2,65;2,65;") and ";100%;" in everyone
    # The other format on request: commas and points, for English Excel and scripts.
    standard = client.get("/reports/service.csv?start=2026-11-16&end=2026-11-19&format=standard")
    assert standard.get_data(as_text=True).lstrip("\ufeff").splitlines()[1].startswith("Iedereen,1,2.65,2.65,")


def test_the_page_shows_durations_with_units_and_offers_both_csv_formats(frozen, client, shop, staff, login_as,
                                                                           make_ticket):
    _solved_in_two_hours_39(shop, staff, make_ticket)
    login_as("manager")
    html = client.get("/reports?start=2026-11-16&end=2026-11-19").get_data(as_text=True)
    service = html[html.index('id="table-service"'):]
    service = service[:service.index("</table>")]
    assert "<td>2h 39m</td>" in service and "<td>100%</td>" in service and "2.65" not in service
    assert "/reports/service.csv?format=excel-nl&amp;start=2026-11-16&amp;end=2026-11-19" in html
    assert "/reports/service.csv?format=standard&amp;start=2026-11-16&amp;end=2026-11-19" in html


@pytest.mark.parametrize("language, shown", [("en", "277,615"), ("nl", "277.615")])
def test_a_count_in_a_table_of_figures_has_the_readers_thousands_separator(app, language, shown):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert i18n.table_value(277615) == shown
        assert i18n.table_value(12) == "12"


def test_service_measures_are_kept_and_refreshed_when_the_ticket_changes(frozen, shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=local(2026, 11, 16, 9))
    ticket_service.reply(ticket, shop, "Opgelost.", by=staff["agent"], at=local(2026, 11, 16, 11), status="solved")
    db.session.commit()
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    first = norms.service_measures(shop, start, end, NOW)[("everyone", None)]
    assert first.first_contact_share == 1 and first.first_response_median == 2 * 60
    ticket_service.add_customer_message(ticket, shop, "Toch nog een vraag.", at=local(2026, 11, 17, 9))
    ticket_service.reply(ticket, shop, "Bij deze.", by=staff["agent"], at=local(2026, 11, 17, 10), status="solved")
    db.session.commit()
    again = norms.service_measures(shop, start, end, NOW)[("everyone", None)]
    assert again.first_contact_share == 0 and again.between_responses_avg == 7 * 60   # Mon 11:00 to Tue 10:00


def test_banner_in_inbox_for_managers_from_five_misses(frozen, client, shop, staff, login_as, make_ticket):
    for hour in range(9, 14):
        make_ticket(shop, received_at=local(2026, 11, 16, hour))
    login_as("manager")
    assert "questions this week got no first reaction" in client.get("/tickets").get_data(as_text=True)
    client.post("/logout")
    login_as("agent")
    assert "questions this week got no first reaction" not in client.get("/tickets").get_data(as_text=True)


def test_banner_agrees_with_the_performance_page_at_once(client, shop, staff, login_as, make_ticket):
    """No per-process lag: a question another process adds, or one whose due time passes, shows at once."""
    banner = "questions this week got no first reaction"
    with time_machine.travel(NOW, tick=False) as traveller:
        for hour in range(9, 13):
            make_ticket(shop, received_at=local(2026, 11, 16, hour))
        login_as("owner")
        assert banner not in client.get("/tickets").get_data(as_text=True)
        # Another app process logs a late question: a plain INSERT, none of this process's model events.
        late = make_ticket(shop, received_at=local(2026, 11, 16, 14))
        assert "5 " + banner in client.get("/tickets").get_data(as_text=True)
        assert "5 " + banner in client.get("/tickets").get_data(as_text=True)   # kept while nothing moved
        # Another process answers one (an UPDATE behind this process's back): the count follows.
        db.session.execute(sa.update(Ticket).where(Ticket.id == late.id).values(
            first_reply_at=local(2026, 11, 16, 15), first_reply_margin=3600, updated_at=NOW))
        db.session.commit()
        assert banner not in client.get("/tickets").get_data(as_text=True)
        # Time alone: a question still waiting passes its due time.
        waiting = make_ticket(shop, received_at=NOW - timedelta(minutes=5))
        assert banner not in client.get("/tickets").get_data(as_text=True)
        traveller.move_to(waiting.first_reply_due_at + timedelta(seconds=1))
        assert "5 " + banner in client.get("/tickets").get_data(as_text=True)


def test_banner_absent_below_five(frozen, client, shop, staff, login_as, make_ticket):
    for hour in range(9, 13):
        make_ticket(shop, received_at=local(2026, 11, 16, hour))
    login_as("owner")
    assert "questions this week got no first reaction" not in client.get("/tickets").get_data(as_text=True)


CALLS_CSV = """Datum;Tijd;Richting;Status;Duur;Beller
16-11-2026;10:05;inkomend;beantwoord;0:02:15;+31612345678
16-11-2026;10:20;inkomend;gemist;0;+31687654321
16-11-2026;25:99;inkomend;gemist;0;+31600000000
17-11-2026;11:00;sideways;beantwoord;30;+31611111111
17-11-2026;11:30;uitgaand;beantwoord;45;+31622222222
""".encode()


def test_call_import_keeps_good_rows_and_reports_bad_lines(frozen, client, shop, staff, login_as):
    from io import BytesIO
    login_as("manager")
    response = client.post("/reports/calls", data={"upload-file": (BytesIO(CALLS_CSV), "calls.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 rows added." in html
    assert "<th scope=\"row\">4</th><td>cannot read the time &#39;25:99&#39;</td>" in html
    assert "<th scope=\"row\">5</th><td>unknown direction" in html
    calls = db.session.scalars(sa.select(Call).where(Call.shop_id == shop.id).order_by(Call.at)).all()
    assert [(c.direction, c.answered, c.duration_s) for c in calls] == [("in", True, 135), ("in", False, 0),
                                                                        ("out", True, 45)]
    assert calls[0].at == local(2026, 11, 16, 10, 5)
    again = client.post("/reports/calls", data={"upload-file": (BytesIO(CALLS_CSV), "calls.csv")},
                        content_type="multipart/form-data")
    assert "0 rows added." in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Call.id))) == 3


def test_call_import_with_english_comma_export(frozen, client, shop, staff, login_as):
    from io import BytesIO
    data = b"time,direction,status,duration,from\n2026-11-16 10:05:00,inbound,no-answer,0,+3161\n" \
           b"2026-11-16T11:00:00+01:00,incoming,answered,61,+3162\n"
    login_as("owner")
    html = client.post("/reports/calls", data={"upload-file": (BytesIO(data), "c.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2 rows added." in html


def test_unreadable_call_file_is_422(frozen, client, staff, login_as):
    from io import BytesIO
    login_as("owner")
    response = client.post("/reports/calls", data={"upload-file": (BytesIO(b"foo;bar\n1;2\n"), "c.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "No column with the time" in response.get_data(as_text=True)


def test_order_import_rejects_bad_rows_and_does_not_duplicate(frozen, client, shop, staff, login_as):
    from io import BytesIO
    data = ("bestelnummer,datum,product,ean,aantal\n1001,2026-11-16 09:00,Regenjas,8712345678906,1\n"
            "1001,2026-11-16 09:00,Sokken,,2\n,2026-11-16,Muts,,1\n1002,gisteren,Muts,,1\n1003,2026-11-16,,,1\n"
            "1004,2026-11-17,,8712345678913,0\n").encode()
    login_as("manager")
    html = client.post("/reports/orders", data={"upload-file": (BytesIO(data), "o.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2 rows added." in html
    for line in ("4", "5", "6", "7"):
        assert f'<th scope="row">{line}</th>' in html
    client.post("/reports/orders", data={"upload-file": (BytesIO(data), "o.csv")}, content_type="multipart/form-data")
    assert db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.shop_id == shop.id)) == 2


def test_manual_call_entry(frozen, client, shop, staff, login_as):
    login_as("manager")
    response = client.post("/reports/calls", data={"call-at": "2026-11-18T10:15", "call-direction": "in",
                                                    "call-answered": "0", "call-duration_s": "0", "call-caller": ""})
    assert response.status_code == 303
    call = db.session.scalar(sa.select(Call))
    assert call.at == local(2026, 11, 18, 10, 15) and not call.answered and call.source == "manual"
    assert client.post("/reports/calls", data={"call-at": "yesterday"}).status_code == 422


def make_token(shop, user, raw="inb_test-token-123456789"):
    db.session.add(ApiToken(shop_id=shop.id, name="Telephony", token_hash=hash_token(raw), prefix=raw[:10],
                            created_by=user.id))
    db.session.commit()
    return raw


def test_api_requires_a_valid_token(client, shop, staff):
    assert client.post("/api/v1/calls", json={}).status_code == 401
    response = client.post("/api/v1/calls", json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.get_json()["error"] == "Unknown or revoked token."


def test_api_stores_calls_and_orders_in_the_tokens_shop(frozen, client, shop, staff, make_shop, make_user):
    other = make_shop("Other Shop", "NL")
    token = make_token(other, make_user(other, role="owner"))
    auth = {"Authorization": f"Bearer {token}"}
    call = {"at": "2026-11-18T10:05:00+01:00", "direction": "inbound", "answered": False, "caller": "+3161"}
    assert client.post("/api/v1/calls", json=call, headers=auth).status_code == 201
    assert client.post("/api/v1/calls", json=call, headers=auth).get_json() == {"stored": False, "duplicate": True}
    bad = client.post("/api/v1/calls", json={"at": "soon", "answered": True}, headers=auth)
    assert bad.status_code == 422 and "error" in bad.get_json()
    orders = [{"order_number": "9", "ordered_at": "2026-11-18T09:00:00+01:00", "product": "Jas"},
              {"order_number": "", "ordered_at": "2026-11-18", "product": "Jas"}]
    response = client.post("/api/v1/orders", json=orders, headers=auth)
    assert response.status_code == 201
    assert response.get_json() == {"added": 1, "duplicates": 0, "errors": [{"index": 1, "error": "no order number"}]}
    assert db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.shop_id == other.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.shop_id == shop.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.shop_id == other.id)) == 1


def test_revoked_token_stops_working(frozen, client, shop, staff, login_as):
    token = make_token(shop, staff["owner"])
    login_as("owner")
    row = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/reports/tokens/{row.id}/revoke").status_code == 303
    response = client.post("/api/v1/calls", json={"at": "2026-11-18T10:05", "answered": True},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_owner_creates_token_shown_once(client, shop, staff, login_as):
    login_as("owner")
    html = client.post("/reports/tokens", data={"name": "Voys"}).get_data(as_text=True)
    assert "shown only once" in html
    raw = html.split('id="new-token">')[1].split("<")[0]
    assert db.session.scalar(sa.select(ApiToken.token_hash)) == hash_token(raw)
    assert raw not in client.get("/reports/tokens").get_data(as_text=True)
    client.post("/logout")
    login_as("manager")
    assert client.get("/reports/tokens").status_code == 403


def test_phone_hours_extended_and_validated(frozen, client, shop, staff, login_as):
    login_as("owner")
    data = {f"day-{d}": "09:00-17:00, 19:00-21:00" for d in range(5)}
    data.update({"day-5": "10:00-14:00", "day-6": ""})
    assert client.post("/reports/settings", data=data).status_code == 303
    cal = norms.phone_calendar(shop)
    assert cal.is_open(local(2026, 11, 17, 20)) and cal.is_open(local(2026, 11, 21, 11))
    assert not cal.is_open(local(2026, 11, 22, 11))
    data["day-2"] = "9-17"
    response = client.post("/reports/settings", data=data)
    assert response.status_code == 422 and "not a time like 09:00" in response.get_data(as_text=True)


def test_phone_week_leaves_out_closure_of_the_shop(frozen, shop, staff):
    shop.closed_from, shop.closed_until = local(2026, 11, 17), local(2026, 11, 18)
    for at, answered in ((local(2026, 11, 16, 10), True), (local(2026, 11, 17, 10), False),
                         (local(2026, 11, 18, 10), False)):
        db.session.add(Call(shop_id=shop.id, at=at, direction="in", answered=answered, caller=str(at)))
    db.session.commit()
    [week] = norms.phone_weekly(shop, norms.metrics.weeks_back(NOW, AMS, 1), NOW)
    assert (week.answered, week.missed, week.outside_hours) == (1, 1, 1)


def test_open_tickets_wait_keeps_running_after_it_was_stored(shop, staff, make_ticket):
    make_ticket(shop, received_at=local(2026, 11, 16, 9))
    db.session.commit()
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    first = norms.service_measures(shop, start, end, local(2026, 11, 16, 11))[("everyone", None)]
    later = norms.service_measures(shop, start, end, local(2026, 11, 17, 10))[("everyone", None)]
    assert (first.waiting_median, later.waiting_median) == (2 * 60, 9 * 60)


def test_a_customers_subject_cannot_become_a_formula_in_the_export(frozen, client, shop, staff, login_as, make_ticket):
    make_ticket(shop, received_at=local(2026, 11, 16, 10), subject='=HYPERLINK("http://evil.example","Klik")')
    login_as("owner")
    csv = client.get("/reports/misses.csv").get_data(as_text=True)
    assert '"\'=HYPERLINK(""http://evil.example"",""Klik"")"' in csv


def test_the_page_lists_the_latest_misses_and_the_soonest_due_while_the_csv_has_every_miss(
        frozen, client, shop, staff, login_as, make_ticket):
    for i in range(52):
        miss(make_ticket, shop, local(2026, 11, 16, 9) + timedelta(minutes=i), subject=f"Gemist {i}")
    for i in range(17):
        make_ticket(shop, received_at=local(2026, 11, 19, 9) + timedelta(minutes=i), subject=f"Bijna {i}")
    login_as("manager")
    html = client.get("/reports").get_data(as_text=True)
    assert "Gemist 51" in html and "Gemist 1<" not in html and "the CSV has all 52" in html
    assert "17 open questions will also miss" in html and "and 2 more." in html
    assert "Bijna 0" in html and "Bijna 16" not in html
    csv = client.get("/reports/misses.csv").get_data(as_text=True)
    assert all(f"Gemist {i}" in csv for i in range(52))


@pytest.mark.parametrize("language, added, more", [("en", "12,000", "1,300"), ("nl", "12.000", "1.300")])
def test_an_import_of_thousands_of_rows_says_how_many_with_the_readers_separator(app, language, added, more):
    result = SimpleNamespace(error=None, added=12000, duplicates=0,
                             rejected=[SimpleNamespace(line=n, reason="?") for n in range(1500)])
    with app.test_request_context(headers={"Accept-Language": language}):
        html = render_template("reports/_import_result.html", result=result)
    assert added in html and more in html and "12000" not in html and "1300" not in html
