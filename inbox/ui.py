"""What every page shows around its content: navigation, role names, banners."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from inbox.i18n import _, lazy_gettext as _l, translations
from inbox.services import count_progress, recount
from inbox.workflow import may


# (endpoint, label, permission or None, URL prefix of the area). Areas appear once their blueprint exists.
NAV = [
    ("reports.index", _l("Performance"), None, "reports"),   # and reports_data
    ("replies.index", _l("Templates"), "manage_templates", "replies."),
    ("articles.index", _l("Help articles"), "manage_help", "articles."),
    ("team.index", _l("Team"), None, "team."),
    ("settings.shop", _l("Settings"), "manage_shop", "settings."),
    ("audit.index", _l("Audit log"), "manage_team", "audit."),
    ("mail.settings", _l("Mail"), "manage_shop", "mail."),
]


@dataclass
class NavItem:
    url: str
    label: str
    prefix: str


@dataclass
class Banner:
    level: str  # info, warning, danger
    html: Markup


def nav_items() -> list[NavItem]:
    """The areas the user's role may open, in their language: the same for every page, so built once per role,
    language and mount point."""
    role = current_user.role
    cache = current_app.extensions.setdefault("inbox_nav_items", {})
    key = (request.script_root, role, translations())
    items = cache.get(key)
    if items is None:
        views = current_app.view_functions
        items = cache[key] = [NavItem(fixed_url(endpoint), str(label), prefix)
                              for endpoint, label, permission, prefix in NAV
                              if endpoint in views and (permission is None or may(role, permission))]
    return items


def fixed_url(endpoint: str, **values) -> str:
    """url_for an address that is the same on every request (the shell's links and assets): built once per
    process and mount point instead of on every page."""
    cache, root = current_app.extensions.setdefault("inbox_fixed_urls", {}), request.root_path
    key = (root, endpoint, *sorted(values.items())) if values else (root, endpoint)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


_STAND_IN_ID = "2718281828"   # no route has these digits in its fixed parts


def ticket_url(endpoint: str, ticket_id: int, **values) -> str:
    """url_for(endpoint, ticket_id=ticket_id, **values) for a ticket's own addresses (a ticket page has a dozen
    forms and polls): built once around a stand-in id by fixed_url, then filled in."""
    before, after = fixed_url(endpoint, ticket_id=_STAND_IN_ID, **values).split(_STAND_IN_ID)
    return f"{before}{ticket_id}{after}"


def app_banners() -> list[Banner]:
    """What the banner sources (create_app names them) have to say on this page."""
    return [b for b in (source() for source in current_app.extensions["inbox_banners"]) if b is not None]


def recounting_notice(shop) -> str | None:
    """While the shop's kept figures are counted again after an update (services/recount.step, a few minutes for a
    big shop): what its figure pages say instead of figures that would be short."""
    progress = count_progress.of_shop(shop)
    if progress.done:
        return None
    recount.count_in_background()
    return _("Figures are being recounted after an update: %(done)s done; they will appear shortly.",
             done=f"{progress.percent}%")


def recounting_page(shop, title: str):
    """The page that stands in for a figure page while the shop is counted again (None once it is counted)."""
    notice = recounting_notice(shop)
    if notice is None:
        return None
    return render_template("recounting.html", title=title, notice=notice)


def url_stem(url: str) -> str:
    """A URL without its last path segment: built once by url_for (with 0 for that segment) for a list of links
    that differ only there, instead of url_for per link."""
    return url.rsplit("/", 1)[0] + "/"


def init_app(app, banners) -> None:
    """banners: functions () -> Banner | None, asked in this order on every signed-in page."""
    app.extensions["inbox_banners"] = list(banners)
