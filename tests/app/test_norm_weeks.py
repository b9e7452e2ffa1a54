"""The phone norm's weeks of the performance page are kept once over, and a change to one of their calls or to the
phone's rules makes the page count that week again; a change to one of their tickets moves the week's version."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inbox import metrics
from inbox.extensions import db
from inbox.models import Call, NormWeek, TicketMeasure
from inbox.services import norm_weeks, norms, tickets as ticket_service
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
    """What the live count says, with nothing kept."""
    return norm_weeks._count(shop, weeks)


def page_counts(shop, weeks, now=NOW):
    db.session.expire_all()
    from flask import g
    g.pop("norm_weeks", None)
    return norm_weeks.week_counts(shop, weeks, now)


def call(shop, at, answered=True):
    db.session.add(Call(shop_id=shop.id, at=at, direction="in", answered=answered, caller=f"+31{at:%d%H%M}"))
    db.session.commit()


def test_weeks_that_are_over_are_kept_and_the_current_week_is_not(frozen, shop, weeks):
    call(shop, local(2026, 10, 27, 10))                              # week 44
    call(shop, local(2026, 11, 18, 10), answered=False)              # week 47
    counts = page_counts(shop, weeks)
    assert [c.phone for c in counts] == [[1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 1, 0]]
    assert kept_weeks(shop) == {w.start for w in weeks[:3]}
    assert counts == counted_afresh(shop, weeks)


def test_a_ticket_change_moves_its_weeks_version_and_keeps_their_calls(frozen, shop, staff, weeks, make_ticket):
    missed = make_ticket(shop, received_at=local(2026, 10, 27, 10))
    call(shop, local(2026, 10, 28, 10))
    page_counts(shop, weeks)
    version = week_rows(shop)[weeks[0].start].version
    # A late reply to last month's question: the inbox banner of every process must hear of it (its count is
    # keyed on the version), but the week's calls did not change.
    ticket_service.reply(missed, shop, "Sorry voor het late antwoord.", by=staff["agent"], at=NOW)
    db.session.commit()
    assert week_rows(shop)[weeks[0].start].version > version
    assert kept_weeks(shop) == {w.start for w in weeks[:3]}
    assert page_counts(shop, weeks) == counted_afresh(shop, weeks)


def test_kept_weeks_keep_their_calls_until_a_call_or_the_phone_rules_change(frozen, shop, staff, weeks):
    def phone(counts):
        return [c.phone for c in counts]

    call(shop, local(2026, 11, 3, 10))                               # week 45, in opening hours
    call(shop, local(2026, 11, 3, 20), answered=False)               # week 45, after hours
    assert phone(page_counts(shop, weeks)) == [[0, 0, 0], [1, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert len(kept_weeks(shop)) == 3

    call(shop, local(2026, 11, 4, 11), answered=False)               # logged later for a kept week
    assert phone(page_counts(shop, weeks))[1] == [1, 1, 1]
    norms.save_settings(shop, {wd: (("09:00", "21:00"),) for wd in range(5)}, volume_email=False, by=staff["owner"])
    db.session.commit()
    assert phone(page_counts(shop, weeks))[1] == [1, 2, 0]            # the evening call now counts, missed
    shop.closed_from, shop.closed_until = local(2026, 11, 4), local(2026, 11, 5)
    db.session.commit()
    assert phone(page_counts(shop, weeks))[1] == [1, 1, 1]            # closed that day: not offered
    assert page_counts(shop, weeks) == counted_afresh(shop, weeks)
    assert kept_weeks(shop) == {w.start for w in weeks[:3]}


def test_a_change_committed_while_counting_is_not_hidden(frozen, shop, weeks, monkeypatch):
    count = norm_weeks._count

    def count_then_another_worker_logs_a_call(*args):
        result = count(*args)
        db.session.add(Call(shop_id=shop.id, at=local(2026, 10, 27, 10), direction="in", answered=True, caller="+31"))
        db.session.flush()   # the other worker's change bumps the week before this view keeps its counts
        return result

    monkeypatch.setattr(norm_weeks, "_count", count_then_another_worker_logs_a_call)
    page_counts(shop, weeks)
    monkeypatch.undo()
    db.session.commit()
    assert weeks[0].start not in kept_weeks(shop)
    assert page_counts(shop, weeks)[0].phone == [1, 0, 0]


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
    assert len(kept_weeks(shop)) == metrics.HISTORY_WEEKS - 1
    assert db.session.get(TicketMeasure, recent.id) is not None   # the last four weeks' service measures
