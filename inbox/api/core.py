"""The API's frame: token authentication, scopes, the rate limit, JSON errors, and `operation`, which joins a
view to the pydantic models that validate its input and shape its output. The OpenAPI document is built from
the same registry (inbox.api.openapi), so what is documented is what is checked.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from inbox import clock
from inbox.extensions import db
from inbox.models import ApiToken, Shop, User
from inbox.tokens import hash_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")   # exempt from CSRF in create_app: a bearer token, no cookie

# What each token scope may do. "write" includes reading and the imports; "imports" is the narrow token a
# telephony service or web shop needs, and what every token could do before scopes existed.
SCOPES = {
    "read": {"read"},
    "write": {"read", "write", "imports"},
    "imports": {"imports"},
}
PUBLIC_ENDPOINTS = {"api.openapi_document"}
MAX_ID = 2_147_483_647


# --------------------------------------------------------------------------- errors

class ApiError(Exception):
    """An error answer: status, a sentence for people, and for 422 the fields that were wrong."""

    def __init__(self, status: int, message: str, fields: list[dict] | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields, self.headers = status, message, fields, headers or {}


def field_error(name: str, message: str, where: str = "body") -> ApiError:
    return ApiError(422, f"{name}: {message}", [{"field": name, "in": where, "message": message}])


def error_response(status: int, message: str, fields: list[dict] | None = None, headers: dict | None = None):
    body = {"error": message, "status": status}
    if fields:
        body["fields"] = fields
    response = current_app.json.response(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="seller-inbox"'
    return response


HTTP_MESSAGES = {
    400: "The request could not be read.",
    404: "Not found: no such path, or the object belongs to another shop.",
    405: "This path does not take that method.",
    413: "The request body is too large.",
    500: "Something went wrong on our side; it was logged. Please try again.",
}


def http_error_response(e: HTTPException):
    """Any HTTP error under /api/v1 as JSON; also used by the app-wide handler for unknown paths and methods."""
    status = e.code or 500
    message = e.description if isinstance(e.description, str) and status not in (404, 405, 413) else None
    headers = {}
    if status == 405 and getattr(e, "valid_methods", None):
        headers["Allow"] = ", ".join(e.valid_methods)
    return error_response(status, message or HTTP_MESSAGES.get(status, e.name), headers=headers)


@bp.errorhandler(ApiError)
def api_error(e: ApiError):
    db.session.rollback()
    return error_response(e.status, e.message, e.fields, e.headers)


@bp.errorhandler(HTTPException)
def json_error(e: HTTPException):
    return http_error_response(e)


# --------------------------------------------------------------------------- tokens, scopes, rate limit

class RateLimiter:
    """Requests per token per minute, in this process (fixed one-minute windows on the app's clock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[int, tuple[int, int]] = {}   # token id -> (window start, requests)

    def hit(self, token_id: int, limit: int) -> int:
        """Count one request; the seconds to wait when over the limit, else 0."""
        now = clock.now().timestamp()
        start = int(now // 60) * 60
        with self._lock:
            window, count = self._windows.get(token_id, (start, 0))
            if window != start:
                window, count = start, 0
            if count >= limit:
                return max(1, int(window + 60 - now + 0.999))
            self._windows[token_id] = (window, count + 1)
            if len(self._windows) > 10_000:  # old windows of tokens no longer used
                self._windows = {k: v for k, v in self._windows.items() if v[0] == start}
            return 0


limiter = RateLimiter()
# Operations whose body carries files.
UPLOAD_ENDPOINTS = {"api.create_message"}


@bp.before_request
def authenticate():
    # Flask 3.1 reads the limit per request: the API takes small JSON bodies, far below the app's upload limit.
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    if request.endpoint in UPLOAD_ENDPOINTS:   # a message with files (base64) may be as large as a form's upload
        request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"]
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, "Send Authorization: Bearer <token>.")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(raw.strip()),
                                                        ApiToken.revoked_at.is_(None)))
    if token is None:
        raise ApiError(401, "Unknown or revoked token.")
    limit = current_app.config["API_RATE_LIMIT"]
    if limit:
        wait = limiter.hit(token.id, limit)
        if wait:
            raise ApiError(429, f"More than {limit} requests a minute with this token; try again in {wait} s.",
                           headers={"Retry-After": str(wait)})
    now = clock.now()
    # One write per minute at most: a busy integration should not rewrite the row on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    g.api_token = token
    g.api_shop = db.session.get(Shop, token.shop_id)


def require_scope(scope: str) -> None:
    token = g.api_token
    if scope not in SCOPES.get(token.scope, set()):
        raise ApiError(403, f"This token's scope ({token.scope}) does not allow this; it needs a token with "
                            f"{'write' if scope != 'read' else 'read'} access.")


def acting_user() -> User:
    """Who a change is made by: the owner who created the token, while that account is active."""
    user = db.session.get(User, g.api_token.created_by) if g.api_token.created_by else None
    if user is None or not user.active or user.shop_id != g.api_shop.id:
        raise ApiError(403, "The account that created this token is no longer active; create a new token.")
    return user


# --------------------------------------------------------------------------- operations

@dataclass
class Operation:
    """One documented operation: where it lives, what it takes, what it answers."""

    method: str
    rule: str
    endpoint: str
    tag: str
    summary: str
    description: str
    scope: str | None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    also: dict[int, str] = field(default_factory=dict)       # other success statuses -> description
    errors: tuple[int, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)     # request header -> description
    path_params: dict[str, str] = field(default_factory=dict)
    download: bool = False

    @property
    def path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def validation_fields(error: ValidationError, where: str) -> list[dict]:
    fields = []
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or where
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "Unknown field."
        fields.append({"field": name, "in": where, "message": message})
    return fields


def _validate(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        fields = validation_fields(e, where)
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:3])
        raise ApiError(422, f"Invalid {where}: {summary}", fields) from None


def json_body() -> Any:
    if not request.is_json:
        raise ApiError(415, "Send a JSON body with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "The body is not valid JSON.")
    return data


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def operation(method: str, rule: str, *, tag: str, scope: str | None, query=None, body=None, response=None,
              status: int = 200, also=None, errors=(), headers=None, path_params=None, download=False):
    """Register a view as an API operation. The view gets `query=` and `body=` as validated models and returns
    a model (answered with `status`), a (model, status) pair, or a ready Response."""
    def decorator(view):
        doc = (view.__doc__ or "").strip().split("\n\n", 1)
        default_errors = (401, 429) if scope else ()
        op = Operation(method=method, rule=rule, endpoint=view.__name__, tag=tag, summary=doc[0].strip(),
                       description=doc[1].strip() if len(doc) > 1 else "", scope=scope, query=query, body=body,
                       response=response, status=status, also=also or {},
                       errors=tuple(sorted({*default_errors, *((403,) if scope else ()), *errors,
                                            *((422,) if query or body else ()),
                                            *((400, 413, 415) if body else ())})),
                       headers=headers or {}, path_params=path_params or {}, download=download)
        OPERATIONS.append(op)

        @wraps(view)
        def handler(**path):
            if any(isinstance(v, int) and v > MAX_ID for v in path.values()):
                raise ApiError(404, "No such object.")  # beyond any id the databases hand out
            if scope:
                require_scope(scope)
            if query is not None:
                path["query"] = _validate(query, request.args.to_dict(), "query")
            if body is not None:
                path["body"] = _validate(body, json_body(), "body")
            result = view(**path)
            if isinstance(result, Response):
                return result
            model, code = result if isinstance(result, tuple) else (result, status)
            return json_response(model, code)

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handler, methods=[method])
        return view
    return decorator
