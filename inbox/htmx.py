"""Page or fragment: the only module that reads HX-* request headers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, render_template, request
from werkzeug.wrappers import Response


def is_htmx() -> bool:
    """An htmx request that wants a fragment (not a boosted navigation, not a history restore)."""
    h = request.htmx
    return bool(h) and not h.boosted and not h.history_restore_request


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **ctx) -> Response:
    """The full page for a normal request, the fragment for htmx; both vary on HX-Request."""
    resp = make_response(render_template(fragment if is_htmx() else page, **ctx), status)
    resp.vary.add("HX-Request")
    return resp


def hx_redirect(url: str) -> Response:
    """Send htmx to another page (a full navigation), or a plain 303 for a normal form post."""
    if request.htmx:
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    resp = make_response("", 303)
    resp.headers["Location"] = url
    return resp


def current_page() -> str | None:
    """The page an htmx request came from (HX-Current-URL) as a path on this site, or None: a poll's own URL is
    no place to come back to after signing in, the page that polled is."""
    url = (request.htmx.current_url if request.htmx else None) or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")
