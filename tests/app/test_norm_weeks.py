"""Settled weeks of the performance page are kept, and every change to one of their tickets or orders
makes the page count that week again."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine

from inbox import metrics
from inbox.extensions import db
from inbox.models import Call, NormWeek, Order, TicketMeasure
from inbox.services import norm_weeks, norms, product_weeks, tickets as ticket_service
# The performance page's own clock: Thursday 19 November 2026 (ISO week 47), Amsterdam.
from tests.conftest import AMS, NOW, local


@pytest.fixture
def weeks():
    return metrics.weeks_back(NOW, AMS, 4)   # weeks 44 to 47


def week_rows(shop):
    return {row.week_start: row for row in db.session.scalars(sa.select(NormWeek).where(NormWeek.shop_id == shop.id))}


def kept_weeks(shop):
    return {start for start, row in week_rows(shop).items() if row.data is not None}


def counted_afresh(shop, weeks):
    """What the live SQL says, with nothing kept."""
    return norm_weeks._count(shop, weeks, NOW)[0]


def summed(counts):
    """[on time, late, missing, total] over all assignees."""
    return [sum(column) for column in zip(*counts.response.values())] or [0, 0, 0, 0]


def page_counts(shop, weeks, now=NOW):
    db.session.expire_all()
    from flask import g
    g.pop("norm_weeks", None)
    return norm_weeks.week_counts(shop, weeks, now)


def test_settled_weeks_are_kept_and_the_current_week_is_not(frozen, shop, weeks, make_ticket):
    make_ticket(shop, received_at=local(2026, 10, 27, 10))           # week 44, never answered: missed
    make_ticket(shop, received_at=local(2026, 11, 18, 10))           # week 47
    counts = page_counts(shop, weeks)
    assert [summed(c)[3] for c in counts] == [1, 0, 0, 1]
    assert kept_weeks(shop) == {w.start for w in weeks[:3]}
    assert counts == counted_afresh(shop, weeks)


def test_a_week_with_a_question_still_inside_its_hours_is_not_kept(shop, make_ticket):
    monday = local(2026, 11, 16, 10)
    with time_machine.travel(monday, tick=False):
        make_ticket(shop, received_at=local(2026, 11, 13, 16))       # Friday of week 46, due Monday 15:00
        week46 = metrics.weeks_back(monday, AMS, 2)[:1]
        [c] = page_counts(shop, week46, monday)
        assert c.response[None] == [0, 0, 0, 1]                     # still waiting
        assert kept_weeks(shop) == set()
    tuesday = local(2026, 11, 17, 10)
    with time_machine.travel(tuesday, tick=False):
        [c] = page_counts(shop, week46, tuesday)
        assert c.response[None] == [0, 0, 1, 1]                     # missed now, and settled
        assert kept_weeks(shop) == {week46[0].start}


def test_changes_to_a_kept_week_are_counted(frozen, shop, staff, weeks, make_ticket):
    missed = make_ticket(shop, received_at=local(2026, 10, 27, 10), order_number="10042")
    moved = make_ticket(shop, received_at=local(2026, 11, 3, 10))
    page_counts(shop, weeks)
    assert len(kept_weeks(shop)) == 3

    # A late reply to last month's question, a reassignment, a forward into another week: each is seen by the
    # next page view; an order that gives a ticket its product, by the kept products (product_weeks).
    ticket_service.reply(missed, shop, "Sorry voor het late antwoord.", by=staff["agent"], at=NOW)
    db.session.commit()
    assert page_counts(shop, weeks) == counted_afresh(shop, weeks)
    assert summed(page_counts(shop, weeks)[0]) == [0, 1, 0, 1]

    ticket_service.assign(moved, shop, staff["agent"], by=staff["owner"])
    db.session.commit()
    counts = page_counts(shop, weeks)
    assert counts == counted_afresh(shop, weeks) and staff["agent"].id in counts[1].response

    moved.forwarded_at = local(2026, 11, 10, 9)
    db.session.commit()
    counts = page_counts(shop, weeks)
    assert counts == counted_afresh(shop, weeks)
    assert [summed(c)[3] for c in counts] == [1, 0, 1, 0]

    db.session.add(Order(shop_id=shop.id, order_number="10042", ordered_at=local(2026, 10, 20, 12), product="Koffiemolen"))
    db.session.commit()
    assert page_counts(shop, weeks) == counted_afresh(shop, weeks)
    assert [product for product, _category in product_weeks.totals(shop, weeks[:1])] == ["Koffiemolen"]

    assert week_rows(shop)[weeks[0].start].version >= 2 and kept_weeks(shop) == {w.start for w in weeks[:3]}


def test_kept_weeks_keep_their_calls_until_a_call_or_the_phone_rules_change(frozen, shop, staff, weeks):
    def call(day, hour, answered):
        db.session.add(Call(shop_id=shop.id, at=local(2026, 11, day, hour), direction="in", answered=answered,
                            caller=f"+31{day}{hour}"))
        db.session.commit()

    def phone(counts):
        return [c.phone for c in counts]

    call(3, 10, True)                                                # week 45, in opening hours
    call(3, 20, False)                                               # week 45, after hours
    assert phone(page_counts(shop, weeks)) == [[0, 0, 0], [1, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert len(kept_weeks(shop)) == 3

    call(4, 11, False)                                               # logged later for a kept week
    assert phone(page_counts(shop, weeks))[1] == [1, 1, 1]
    norms.save_settings(shop, {wd: (("09:00", "21:00"),) for wd in range(5)}, volume_email=False, by=staff["owner"])
    db.session.commit()
    assert phone(page_counts(shop, weeks))[1] == [1, 2, 0]            # the evening call now counts, missed
    shop.closed_from, shop.closed_until = local(2026, 11, 4), local(2026, 11, 5)
    db.session.commit()
    assert phone(page_counts(shop, weeks))[1] == [1, 1, 1]            # closed that day: not offered
    assert page_counts(shop, weeks) == counted_afresh(shop, weeks)
    assert kept_weeks(shop) == {w.start for w in weeks[:3]}


def test_a_change_committed_while_counting_is_not_hidden(frozen, shop, staff, weeks, make_ticket, monkeypatch):
    late = make_ticket(shop, received_at=local(2026, 10, 27, 10))
    count = norm_weeks._count

    def count_then_another_worker_replies(*args):
        result = count(*args)
        ticket_service.reply(late, shop, "Hier is het antwoord.", by=staff["agent"], at=NOW)
        db.session.flush()   # the other worker's change bumps the week before this view keeps its counts
        return result

    monkeypatch.setattr(norm_weeks, "_count", count_then_another_worker_replies)
    page_counts(shop, weeks)
    monkeypatch.undo()
    db.session.commit()
    assert weeks[0].start not in kept_weeks(shop)
    assert summed(page_counts(shop, weeks)[0]) == [0, 1, 0, 1]


def test_the_performance_page_reads_kept_weeks(frozen, client, login_as, shop, make_ticket):
    make_ticket(shop, received_at=local(2026, 10, 27, 10))
    login_as("owner")
    first = client.get("/reports")
    assert first.status_code == 200
    assert len(kept_weeks(shop)) == 12                               # 13 weeks of calls shown, the current one live
    again = client.get("/reports")
    assert again.data == first.data
    week44 = norms.weekly_tickets(shop, metrics.weeks_back(NOW, AMS, 4), NOW)[0]
    assert (week44.missing, week44.total) == (1, 1)


def test_the_norm_check_counts_ahead_of_page_views(frozen, shop, make_ticket):
    make_ticket(shop, received_at=local(2026, 10, 27, 10))
    recent = make_ticket(shop, received_at=local(2026, 11, 18, 10))
    norms.run_checks(NOW)
    assert len(kept_weeks(shop)) == norms.PAGE_WEEKS - 1
    assert db.session.get(TicketMeasure, recent.id) is not None   # the last four weeks' service measures
