"""Dates and numbers from a link or a form: a year 9999, a day in year 1, an id past the id column, a page number of
twenty digits are a field error, a notice or a 404, never an error page; on SQLite and PostgreSQL (which refuses an
integer out of range where SQLite cannot bind it)."""
from __future__ import annotations

import base64
import json
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import ApiToken, Call, Shop, User
from inbox.tokens import hash_token
from tests.conftest import NOW

TODAY = NOW.date()                      # Thursday 19 November 2026 in Amsterdam
A_YEAR_AHEAD = TODAY + timedelta(days=366)
TOO_BIG = ("2147483648", "99999999999", "9" * 30, "9" * 5000)


# -- the performance page's period --------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["end=9999-12-31", "start=9999-12-01", "start=0001-01-01", "end=1999-12-31",
                                   "start=2026-01-01&end=9999-12-31"])
def test_a_date_out_of_reach_is_a_field_error_and_the_page_shows_the_last_four_weeks(frozen, client, staff, login_as,
                                                                                      query):
    login_as("manager")
    response = client.get(f"/reports?{query}")
    assert response.status_code == 422
    assert f"Choose a date between 2000-01-01 and {A_YEAR_AHEAD.isoformat()}." in response.get_data(as_text=True)
    assert client.get(f"/reports/service.csv?{query}").status_code == 422


@pytest.mark.parametrize("query", ["start=2000-01-01", "start=2025-11-17", f"end={A_YEAR_AHEAD.isoformat()}"])
def test_a_lone_date_more_than_a_year_from_the_other_end_is_capped_like_a_typed_period(frozen, client, staff,
                                                                                       login_as, query):
    login_as("manager")
    response = client.get(f"/reports?{query}")
    assert response.status_code == 422
    assert "Choose a period of at most a year." in response.get_data(as_text=True)
    assert client.get(f"/reports/products.csv?{query}").status_code == 422


def test_a_lone_start_after_today_asks_for_an_end_after_it(frozen, client, staff, login_as):
    login_as("manager")
    response = client.get("/reports?start=2026-12-01")
    assert response.status_code == 422
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)


def test_a_year_up_to_today_and_the_coming_weeks_are_fine(frozen, client, staff, login_as):
    login_as("manager")
    assert client.get("/reports?start=2025-11-19").status_code == 200
    assert client.get("/reports?start=2026-11-01&end=2026-12-31").status_code == 200
    assert client.get("/reports/service.csv?start=2025-11-19&end=2026-11-19").status_code == 200


# -- the planner, the inbox's filters -----------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["start=9999-12-24&end=9999-12-31", "start=2026-12-01&end=2027-12-31",
                                   "start=0001-01-01&end=0001-01-07", "start=2026-12-01"])
def test_the_planner_asks_for_a_period_within_a_year(frozen, client, staff, login_as, query):
    login_as("manager")
    assert client.get(f"/planning?{query}").status_code == 422


def test_inbox_date_filters_out_of_reach_are_dropped_with_a_notice(frozen, client, staff, login_as, shop,
                                                                   make_ticket):
    make_ticket(shop, subject="Gewoon een vraag")
    login_as("agent")
    for query in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"):
        for url in (f"/tickets?view=all&{query}", f"/tickets/live?view=all&{query}"):
            response = client.get(url)
            assert response.status_code == 200, url
        html = client.get(f"/tickets?view=all&{query}").get_data(as_text=True)
        assert "that filter was ignored" in html and "Gewoon een vraag" in html


# -- ids and page numbers ------------------------------------------------------------------------------------------

def test_an_id_past_the_id_column_is_not_found(frozen, client, staff, login_as, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("owner")
    for big in TOO_BIG[:3]:
        for url in (f"/tickets/{big}", f"/tickets/{big}/changes", f"/team/{big}/deactivate", f"/articles/{big}/edit",
                    f"/articles/new?message={big}"):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": big}).status_code == 404
        assert client.post(f"/tickets/{big}/status", data={"status": "solved"}).status_code == 404


@pytest.mark.parametrize("big", TOO_BIG)
def test_numbers_in_links_too_big_for_the_database_show_the_first_page(frozen, client, staff, login_as, shop,
                                                                       make_ticket, big):
    ticket = make_ticket(shop)
    login_as("owner")
    for url in (f"/tickets?page={big}", f"/tickets?page=2&after_row={big}.{big}", f"/tickets/{ticket.id}?pos={big}",
                f"/tickets/live?after={big}", f"/tickets/live/badges?ids={big},{ticket.id}",
                f"/audit?person={big}", f"/audit?before={big}&start={big}", f"/audit?after={big}.{big}",
                f"/reports/calls?before={big}.n&start={big}", f"/reports/orders?after={big}",
                f"/tickets/{ticket.id}/changes?seen={big}"):
        assert client.get(url).status_code < 500, url
    assert client.post(f"/tickets/{ticket.id}/presence", data={"seen": big}).status_code < 500
    assert client.post("/tickets/bulk", data={"ids": [big, str(ticket.id)], "action": "status:pending"}).status_code < 500


def test_the_api_answers_404_and_422_for_ids_and_cursors_it_never_gave(frozen, client, shop, staff, make_ticket):
    make_ticket(shop)
    raw = f"inb_read-{shop.id}"
    db.session.add(ApiToken(shop_id=shop.id, name="read", token_hash=hash_token(raw), prefix=raw[:10],
                            created_by=staff["owner"].id, scope="read"))
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    for big in TOO_BIG[:3]:
        assert client.get(f"/api/v1/tickets/{big}", headers=headers).status_code == 404
    for stamp, ticket_id in (("2026-11-19T10:00:00+00:00", 10**20), ("9999-12-31T23:59:59-12:00", 1),
                             ("0001-01-01T00:00:00+14:00", 1)):
        cursor = base64.urlsafe_b64encode(json.dumps([stamp, ticket_id]).encode()).decode().rstrip("=")
        response = client.get(f"/api/v1/tickets?cursor={cursor}", headers=headers)
        assert response.status_code == 422, (stamp, ticket_id, response.get_data(as_text=True))


# -- periods typed into forms -------------------------------------------------------------------------------------

def test_a_closure_until_9999_or_ending_before_it_starts_is_refused_and_nothing_is_saved(frozen, client, login_as,
                                                                                       shop):
    login_as("owner")
    for data, message in (({"closed_until": "9999-12-31T10:00"}, "Choose a date between"),
                          ({"closed_from": "0001-01-01T00:00", "closed_until": "2026-12-01T10:00"},
                           "Choose a date between"),
                          ({"closed_from": "2026-12-10T10:00", "closed_until": "2026-12-01T10:00"},
                           "The end of the closure must come after its start.")):
        response = client.post("/settings/vacation", data={**data, "confirm": "1"})
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).closed_until is None


def test_away_until_9999_is_refused_and_nothing_is_saved(frozen, client, login_as, staff):
    login_as("agent")
    for data in ({"away_until": "9999-12-31T10:00"}, {"away_from": "0001-01-01T00:00",
                                                      "away_until": "2026-12-01T10:00"}):
        response = client.post("/account/away", data={**data, "delegate_id": ""})
        assert response.status_code == 422 and "Choose a date between" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, staff["agent"].id).away_until is None


def test_a_call_typed_in_or_imported_for_the_year_9999_or_year_1_is_refused(frozen, client, login_as, staff, shop):
    login_as("manager")
    for at in ("9999-12-31T23:59", "0001-01-01T00:00"):
        response = client.post("/reports/calls", data={"call-at": at, "call-direction": "in", "call-answered": "1",
                                                       "call-duration_s": "10"})
        assert response.status_code == 422 and "Choose a date between" in response.get_data(as_text=True)
    csv = b"datum;tijd;richting;status;duur;nummer\n01-01-0001;00:00;inkomend;gemist;0;+31600000000\n" \
          b"31-12-9999;23:59;inkomend;gemist;0;+31600000001\n"
    response = client.post("/reports/calls", data={"upload-file": (BytesIO(csv), "calls.csv")},
                           content_type="multipart/form-data")
    assert response.status_code < 500 and "implausible date" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.shop_id == shop.id)) == 0
