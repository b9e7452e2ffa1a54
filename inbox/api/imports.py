"""Calls from the telephony service and order lines from the web shop: what the API took before the ticket API,
answered as before (201 when stored, 200 when known, 422 with the reason)."""
from __future__ import annotations

import re

from flask import Response, g

from inbox import csvimport
from inbox.api import schemas as s
from inbox.api.core import ApiError, operation
from inbox.extensions import db
from inbox.services import imports

MAX_ORDERS = 1000


@operation("POST", "/calls", tag="Calls and orders", scope="imports", body=s.CallIn, response=s.CallStored,
           status=201, also={200: "This call was stored before (same time, direction and caller)."})
def post_call(body: s.CallIn):
    """Store one call for the phone-reachability norm.

    A call's time without a zone is taken in the shop's zone.
    """
    try:
        row = csvimport.call_from_json(body.model_dump(by_alias=True, exclude_none=True), g.api_shop.tz)
    except csvimport.RowError as e:
        named = re.match(r"^'(\w+)'", str(e))
        raise ApiError(422, str(e), [{"field": named.group(1) if named else "body", "in": "body",
                                      "message": str(e)}]) from None
    added, _dup = imports.store_calls(g.api_shop, [row], "api")
    db.session.commit()
    return s.CallStored(stored=bool(added), duplicate=not added), 201 if added else 200


@operation("POST", "/orders", tag="Calls and orders", scope="imports", body=s.OrdersBody, response=s.OrdersStored,
           status=201, also={200: "Nothing new: every line was known or refused (see `errors`)."})
def post_orders(body: s.OrdersBody):
    """Store order lines for the question-volume norm.

    Good lines are kept and bad ones reported by their index; 422 when no line could be read. At most 1000 lines
    a request (413 above that).
    """
    items = body.root.orders if isinstance(body.root, s.OrdersIn) else body.root
    items = items if isinstance(items, list) else [items]
    if len(items) > MAX_ORDERS:
        raise ApiError(413, f"At most {MAX_ORDERS} orders per request.")
    rows, errors = [], []
    for index, item in enumerate(items):
        try:
            rows.append(csvimport.order_from_json(item.model_dump(exclude_none=True), g.api_shop.tz))
        except csvimport.RowError as e:
            errors.append(s.OrderError(index=index, error=str(e)))
    added, duplicates = imports.store_orders(g.api_shop, rows, "api")
    db.session.commit()
    status = 201 if added else 422 if errors and not rows else 200
    result = s.OrdersStored(added=added, duplicates=duplicates, errors=errors)
    if status == 422:  # also an error answer like every other: `error` and `status` besides the lines' reasons
        result.error, result.status = "No order line could be read.", 422
    return Response(result.model_dump_json(exclude_none=True), status=status, mimetype="application/json")
