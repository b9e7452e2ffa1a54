"""The inbox's misses banner is kept per process, yet agrees with the performance page at once, also after the
changes a cheap look at the newest ticket cannot see: a ticket deleted, or one answered by an import that dates
the change in the past (its updated_at older than the shop's newest)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import norms
from tests.conftest import NOW, local

BANNER = "questions this week got no first reaction"


@pytest.fixture
def six_misses(shop, make_ticket):
    """Six questions of Monday, none answered, all past due on Thursday afternoon; the newest ticket is written
    last, so the others change nothing a look at the newest id or updated_at would see."""
    with time_machine.travel(NOW, tick=False):
        tickets = [make_ticket(shop, received_at=local(2026, 11, 16, hour)) for hour in range(9, 15)]
        newest = tickets[-1]
        newest.subject = "Nog steeds niets gehoord"   # the shop's latest updated_at: now
        db.session.commit()
    return tickets


def banner_on(client) -> str | None:
    found = re.search(r"(\d+) " + BANNER, client.get("/tickets").get_data(as_text=True))
    return found.group(1) if found else None


def performance_page_misses(shop) -> int:
    [week] = norms.metrics.weeks_back(NOW, shop.tz, 1)
    return len(norms.week_misses(shop, week, NOW))


def test_a_deleted_ticket_leaves_the_banner_at_once(client, login_as, shop, staff, six_misses):
    login_as("owner")
    with time_machine.travel(NOW, tick=False):
        assert banner_on(client) == "6" and performance_page_misses(shop) == 6
        db.session.delete(db.session.get(Ticket, six_misses[0].id))   # not the newest: ids and updated_at stay
        db.session.commit()
        assert banner_on(client) == "5" and performance_page_misses(shop) == 5


def test_an_answer_imported_with_an_older_date_leaves_the_banner_at_once(client, login_as, shop, staff, six_misses):
    login_as("owner")
    with time_machine.travel(NOW, tick=False):
        assert banner_on(client) == "6"
        answered = db.session.get(Ticket, six_misses[1].id)
        answered.first_reply_at = local(2026, 11, 16, 12)
        answered.first_reply_margin = 5 * 3600
        answered.updated_at = local(2026, 11, 16, 12)   # as the import dates it: older than the shop's newest
        db.session.commit()
        assert banner_on(client) == "5" and performance_page_misses(shop) == 5


def test_the_banner_is_still_kept_while_nothing_moved(client, login_as, shop, staff, six_misses, count_queries):
    login_as("owner")
    with time_machine.travel(NOW, tick=False):
        assert banner_on(client) == "6"
        db.session.refresh(shop)   # loaded before counting: the page's request has the shop already
        with count_queries() as statements:
            assert norms.banner_miss_count(shop, NOW + timedelta(seconds=1)) == 6
        assert len(statements) == 1   # the version: three index probes in one statement
