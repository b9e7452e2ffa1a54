"""The OpenAPI 3.1 document, built from the registered operations and their pydantic models: the models that
validate requests are the schemas it shows, so the document cannot drift from the code."""
from __future__ import annotations

from functools import lru_cache

from pydantic.json_schema import models_json_schema

from inbox.api import events, schemas as s
from inbox.api.core import OPERATIONS, SCOPES, Operation

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "The body is not valid JSON.",
    401: "No token, or an unknown or revoked one.",
    403: "The token's scope does not allow this, or the account that created it is no longer active.",
    404: "No such object in the token's shop (another shop's ids answer 404 too).",
    413: "The body is larger than the API takes.",
    415: "The body is not sent as application/json.",
    422: "A field was refused: `fields` names each one and says why.",
    429: "Too many requests with this token; wait the seconds in Retry-After.",
    503: "The figures are being counted again after an update; try again after the seconds in Retry-After.",
}
SCOPE_TEXT = {"read": "read", "write": "write", "imports": "calls/orders (or write)"}
MAX_ID = 2_147_483_647

DESCRIPTION = """The Seller Inbox API: read and change a shop's customer questions, reply to customers, look up
customers and colleagues, follow the reply clock and the weekly norms, and post calls and orders.

**Authentication.** Send `Authorization: Bearer <token>`. The shop owner creates tokens on the API tokens page
and picks a scope: `read` (read everything), `write` (read, change, reply, post calls and orders) or `imports`
(calls and orders only). A token sees only its own shop: another shop's ids answer 404. Changes are recorded
under the account that created the token.

**Errors.** Every error is JSON: `{"error": "...", "status": 422, "fields": [{"field", "in", "message"}]}`;
`fields` only for 422.

**Rate limit.** Each token may make a limited number of requests a minute; above it the API answers 429 with
a `Retry-After` header (seconds).

**Times** are ISO 8601 with a zone, answered in UTC. Business hours are Monday to Friday 09:00-17:00 in the
shop's zone, without public holidays."""


def _schemas() -> tuple[dict, dict]:
    pairs = []
    for op in OPERATIONS:
        if op.body is not None:
            pairs.append((op.body, "validation"))
        if op.response is not None:
            pairs.append((op.response, "serialization"))
    pairs.append((s.Error, "serialization"))
    pairs += [(model, "serialization") for model, _text in events.EVENTS.values()]
    pairs = list(dict.fromkeys(pairs))
    refs, top = models_json_schema(pairs, ref_template=REF)
    return refs, top.get("$defs", {})


def _parameters(op: Operation) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True, "description": text,
               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
              for name, text in op.path_params.items()]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF, mode="validation")
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            prop = dict(prop)
            prop.pop("title", None)
            description = prop.pop("description", None)
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if description:
                param["description"] = description
            params.append(param)
    for name, text in op.headers.items():
        params.append({"name": name, "in": "header", "required": False, "description": text,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"}})
    return params


def _operation(op: Operation, refs: dict) -> dict:
    out = {"operationId": op.endpoint, "tags": [op.tag], "summary": op.summary}
    description = op.description
    if op.scope:
        description = (description + "\n\n" if description else "") + f"Token scope: {SCOPE_TEXT[op.scope]}."
        out["security"] = [{"bearerAuth": []}]
    else:
        out["security"] = []
    if description:
        out["description"] = description
    params = _parameters(op)
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": True,
                              "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    responses = {}
    if op.download:
        responses[str(op.status)] = {"description": "The file.", "content": {
            "application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}}
    elif op.response is not None:
        content = {"application/json": {"schema": refs[(op.response, "serialization")]}}
        responses[str(op.status)] = {"description": "Done.", "content": content}
        for status, text in op.also.items():
            responses[str(status)] = {"description": text, "content": content}
    error = {"application/json": {"schema": refs[(s.Error, "serialization")]}}
    for status in op.errors:
        response = {"description": ERROR_TEXT.get(status, "Error."), "content": error}
        if status in (429, 503):
            response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "required": True,
                                                   "schema": {"type": "integer", "minimum": 1}}}
        responses[str(status)] = response
    responses.setdefault("405", {"description": "The path does not take this method.", "content": error})
    out["responses"] = responses
    return out


WEBHOOK_HEADERS = {
    "X-Inbox-Event": "The event's name.",
    "X-Inbox-Event-Id": "The event id, the same on every retry: skip one you have seen.",
    "X-Inbox-Signature": "t=<Unix seconds>,v1=<hex HMAC-SHA256 of t, a full stop and the body, with the endpoint's "
                         "secret>.",
}


def _webhook(name: str, model, text: str, refs: dict) -> dict:
    """An event as OpenAPI 3.1 describes a call the API makes to the subscriber."""
    return {"post": {
        "operationId": "webhook_" + name.replace(".", "_"), "tags": ["Webhooks"], "summary": name,
        "description": text + " Signed JSON POST, retried after 1, 2, 4 ... minutes until a 2xx answer.",
        "parameters": [{"name": header, "in": "header", "required": True, "description": about,
                        "schema": {"type": "string"}} for header, about in WEBHOOK_HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": refs[(model, "serialization")]}}},
        "responses": {"2XX": {"description": "Received; anything else (or no answer in 10 seconds) is tried again."}},
    }}


@lru_cache(maxsize=1)
def document() -> dict:
    refs, components = _schemas()
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(f"/api/v1{op.path}", {})[op.method.lower()] = _operation(op, refs)
    tags = list(dict.fromkeys(op.tag for op in OPERATIONS))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Seller Inbox API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "webhooks": {name: _webhook(name, model, text, refs) for name, (model, text) in events.EVENTS.items()},
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token from the API tokens page; scopes: "
                                                              + ", ".join(SCOPES) + "."}},
        },
    }
