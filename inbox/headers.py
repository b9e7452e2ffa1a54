"""Security headers on every response.

The Content-Security-Policy allows no inline script, no inline style and no eval: an injected `<script>` or
`onerror=` that slipped past the sanitiser still does not run. The pages keep to it: behaviour lives in
static/*.js, styles in static/app.css, and htmx is configured (base.html's htmx-config) not to eval or to insert
its own <style>. tests/browser/test_csp.py walks every page and fails on any violation the browser reports.
"""
from __future__ import annotations

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Remote images in customer mail load only when the agent asks ("Show images", static/shortcuts.js).
    "img-src 'self' https: http:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def secure_headers(response, *, https_only: bool):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")   # frame-ancestors for browsers older than CSP 2
    # Links in mail and invitations carry tokens in their path: never send a path to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if https_only:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app) -> None:
    @app.after_request
    def add_security_headers(response):
        return secure_headers(response, https_only=bool(app.config.get("SECURE_COOKIES")))
