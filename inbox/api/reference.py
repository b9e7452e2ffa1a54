"""The OpenAPI document (public, like any API's) and a readable reference page rendered from it on the server:
no script, nothing from a CDN."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from inbox.api.core import bp
from inbox.api.openapi import document

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of the API, built from the models that validate its requests."""
    response = current_app.json.response(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # for API tools in a browser; no credentials involved
    return response


def type_of(schema: dict) -> str:
    """A short, readable type for a JSON Schema: `string`, `integer or null`, `list of TicketSummary`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"])
    if "const" in schema:
        return repr(schema["const"]).replace("'", '"')
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"])
    if schema.get("type") == "array":
        return "list of " + type_of(schema.get("items", {}))
    kind = schema.get("type", "any")
    if schema.get("format") == "date-time":
        kind = "date-time"
    return kind


def limits(schema: dict) -> str:
    parts = []
    for key, label in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "≥"),
                       ("maximum", "≤"), ("maxItems", "max items"), ("default", "default")):
        if key in schema and not (key == "default" and schema[key] in (None, [])):
            parts.append(f"{label} {schema[key]}".replace("≥ ", "≥").replace("≤ ", "≤"))
    for option in schema.get("anyOf", []):
        extra = limits({k: v for k, v in option.items() if k != "default"})
        if extra:
            parts.append(extra)
    if "pattern" in schema and schema["pattern"] != "^[^\\u0000]*$":
        parts.append(f"pattern {schema['pattern']}")
    return ", ".join(parts)


def fields_of(schema: dict, components: dict) -> list[dict]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_of(prop), "required": name in required, "limits": limits(prop),
             "description": prop.get("description", "")} for name, prop in schema.get("properties", {}).items()]


@docs_bp.get("/reference")
def reference():
    """The API reference, readable on a phone; the same document as /api/v1/openapi.json."""
    doc = document()
    components = doc["components"]["schemas"]
    sections = []
    for tag in doc["tags"]:
        operations = []
        for path, methods in doc["paths"].items():
            for method, op in methods.items():
                if op["tags"][0] != tag["name"]:
                    continue
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                operations.append({
                    "id": op["operationId"], "method": method.upper(), "path": path, "summary": op["summary"],
                    "description": op.get("description", ""),
                    "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                    "type": type_of(p["schema"]), "limits": limits(p["schema"]),
                                    "description": p.get("description", "")} for p in op.get("parameters", [])],
                    "body": type_of(body) if body else None,
                    "body_fields": fields_of(body, components) if body and "$ref" in body
                    and components[body["$ref"].rsplit("/", 1)[-1]].get("properties") else [],
                    "responses": [(status, r["description"], type_of(r["content"]["application/json"]["schema"])
                                   if "application/json" in r.get("content", {}) else None)
                                  for status, r in op["responses"].items()],
                })
        sections.append((tag["name"], operations))
    schemas = [(name, schema.get("description", ""), fields_of(schema, components))
               for name, schema in sorted(components.items())]
    from inbox.api.events import EVENTS
    events = [(name, text, model.__name__) for name, (model, text) in EVENTS.items()]
    return render_template("api/reference.html", doc=doc, sections=sections, schemas=schemas, events=events)
