"""Shop settings: only the owner; a country change recomputes due times."""
from datetime import datetime, timezone

import time_machine

from inbox.extensions import db
from inbox.models import Ticket


def test_only_owner_opens_shop_settings(client, login_as):
    login_as("manager")
    assert client.get("/settings/shop").status_code == 403


def test_settings_show_the_years_closed_days(client, login_as):
    login_as("owner")
    with time_machine.travel(datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)):
        body = client.get("/settings/shop").get_data(as_text=True)
    assert "Business hours in 2026" in body
    assert "2026-04-27" in body  # King's Day


def test_invalid_phone_rerenders_with_error(client, login_as, shop):
    login_as("owner")
    response = client.post("/settings/shop", data={"name": "Demo Shop", "country": "NL", "timezone": "Europe/Amsterdam",
                                                   "phone": "call me maybe"})
    assert response.status_code == 422
    assert "Use digits, spaces and + ( ) - only." in response.get_data(as_text=True)


def test_changing_country_recomputes_open_due_times(client, login_as, shop, make_ticket):
    # King's Day, Monday 27 April 2026, is a Dutch holiday only: a Belgian shop works that day.
    ticket = make_ticket(shop, received_at=datetime(2026, 4, 24, 13, 0, tzinfo=timezone.utc))  # Fri 15:00 CEST
    assert ticket.due_at == datetime(2026, 4, 28, 13, 0, tzinfo=timezone.utc)  # 2 h Friday + 6 h Tuesday
    login_as("owner")
    response = client.post("/settings/shop", data={"name": "Demo Shop", "country": "BE", "timezone": "Europe/Brussels"},
                           follow_redirects=True)
    assert "recomputed" in response.get_data(as_text=True)
    assert db.session.get(Ticket, ticket.id).due_at == datetime(2026, 4, 27, 13, 0, tzinfo=timezone.utc)  # Monday 15:00
