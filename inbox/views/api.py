"""The JSON API for telephony services and web shops: POST calls and orders with a shop's token.

JSON only, its own error handler, no CSRF (there is no browser session: the bearer token is the
credential), and every row lands in the token's shop.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, request
from werkzeug.exceptions import HTTPException

from inbox import clock, csvimport
from inbox.extensions import csrf, db
from inbox.models import ApiToken, Shop
from inbox.services import imports
from inbox.tokens import hash_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_ORDERS = 1000


@bp.errorhandler(HTTPException)
def json_error(e: HTTPException):
    response = jsonify(error=e.description if isinstance(e.description, str) else e.name)
    response.status_code = e.code or 500
    if e.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="seller-inbox"'
    return response


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="Send Authorization: Bearer <token>.")
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()),
                                                      ApiToken.revoked_at.is_(None)))
    if row is None:
        abort(401, description="Unknown or revoked token.")
    now = clock.now()
    # One write per minute at most: a busy telephony service should not rewrite the row per call.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    g.api_shop = db.session.get(Shop, row.shop_id)


def _json():
    data = request.get_json(silent=True)
    if data is None:
        abort(400, description="Send a JSON body with Content-Type: application/json.")
    return data


@bp.post("/calls")
def post_call():
    """One call: {"at", "direction", "answered", "duration_s", "caller"}. 201 when new, 200 when known."""
    shop = g.api_shop
    try:
        row = csvimport.call_from_json(_json(), shop.tz)
    except csvimport.RowError as e:
        db.session.commit()
        abort(422, description=str(e))
    added, _dup = imports.store_calls(shop, [row], "api")
    db.session.commit()
    return jsonify(stored=bool(added), duplicate=not added), 201 if added else 200


@bp.post("/orders")
def post_orders():
    """One order line, a list of them, or {"orders": [...]}. Good lines are kept; bad ones reported by index."""
    shop = g.api_shop
    data = _json()
    items = data.get("orders") if isinstance(data, dict) and "orders" in data else data
    items = items if isinstance(items, list) else [items]
    if len(items) > MAX_ORDERS:
        abort(413, description=f"At most {MAX_ORDERS} orders per request.")
    rows, errors = [], []
    for index, item in enumerate(items):
        try:
            rows.append(csvimport.order_from_json(item, shop.tz))
        except csvimport.RowError as e:
            errors.append({"index": index, "error": str(e)})
    added, duplicates = imports.store_orders(shop, rows, "api")
    db.session.commit()
    status = 201 if added else 422 if errors and not rows else 200
    return jsonify(added=added, duplicates=duplicates, errors=errors), status
