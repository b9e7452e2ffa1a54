"""The JSON API under /api/v1: tickets, messages, customers, users, the reply clock and norms, calls and orders.

The frame (tokens, scopes, rate limit, JSON errors) is inbox.api.core; each area's operations live in their
own module, and the OpenAPI document and its reference page are built from them (inbox.api.openapi).
"""
from __future__ import annotations

from inbox.api import directory, imports, reference, tickets  # noqa: F401  (each adds its operations to bp)
from inbox.api.core import bp
from inbox.api.reference import docs_bp

__all__ = ["bp", "docs_bp"]
