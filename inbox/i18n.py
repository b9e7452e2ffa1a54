"""Language, time zone and the formatting helpers templates use."""
from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from flask import current_app, request
from flask_babel import format_date, format_datetime, get_locale, gettext as _, ngettext
from flask_login import current_user

from inbox import clock

TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    """The user's chosen language, else the browser's best match, else English."""
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def select_timezone() -> str | None:
    """Times are shown in the shop's zone, whoever looks at them."""
    if current_user and current_user.is_authenticated:
        return current_user.shop.timezone
    return None


def business_duration(seconds: int) -> str:
    """A compact business-time duration: "5h 12m" / "5u 12m"; rounded down to the minute."""
    seconds = abs(int(seconds))
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return _("%(h)sh %(m)sm", h=hours, m=minutes)
    if hours:
        return _("%(h)sh", h=hours)
    return _("%(m)sm", m=minutes)


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """A stored UTC instant in the shop's zone, in the user's language."""
    if value is None:
        return ""
    formats = {"short": "EEE d MMM, HH:mm", "long": "EEEE d MMMM y, HH:mm", "time": "HH:mm", "date": "d MMM y",
               "day": "EEE d MMM"}
    return format_datetime(clock.as_utc(value), formats.get(fmt, fmt))


def local_date(value, fmt: str = "d MMM y") -> str:
    """A calendar date (no zone conversion) in the user's language."""
    return "" if value is None else format_date(value, fmt)


def weekday_name(weekday: int, width: str = "wide") -> str:
    """Monday = 0, in the user's language."""
    from babel.dates import get_day_names
    return get_day_names(width, locale=get_locale())[weekday]


def age(value: datetime | None) -> str:
    """How long ago, in wall-clock time: "5 min", "3 h", "2 d"."""
    if value is None:
        return ""
    seconds = max(0, int((clock.now() - clock.as_utc(value)).total_seconds()))
    if seconds < 3600:
        return ngettext("%(num)s min", "%(num)s min", max(1, seconds // 60))
    if seconds < 86400:
        return ngettext("%(num)s h", "%(num)s h", seconds // 3600)
    return ngettext("%(num)s day", "%(num)s days", seconds // 86400)


def compile_catalogs(directory: Path) -> None:
    """Compile each messages.po to messages.mo when the .mo is missing or older, so a checkout needs no build step."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)  # atomic: several workers may start at once
        except OSError:
            logging.getLogger(__name__).warning("could not write %s; translations may be stale", mo)


def init_app(app) -> None:
    compile_catalogs(TRANSLATIONS)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["business_duration"] = business_duration
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["weekday_name"] = weekday_name
