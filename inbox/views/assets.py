"""Front-end libraries installed from the npm registry at set-up, served from this app (never a CDN)."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from inbox import installed_or_checkout

bp = Blueprint("assets", __name__, url_prefix="/assets")

VENDOR = {
    "htmx.min.js": installed_or_checkout("vendor", "node_modules", "htmx.org", "dist"),
}


@bp.get("/vendor/<name>")
def vendor(name: str):
    """A front-end library from node_modules (htmx), cached for a day."""
    folder: Path | None = VENDOR.get(name)
    if folder is None or not (folder / name).exists():
        abort(404, description="Run `npm ci` to install the front-end packages.")
    return send_from_directory(folder, name, max_age=86400)
