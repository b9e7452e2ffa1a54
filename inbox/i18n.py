"""Language, time zone and the formatting helpers templates use."""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_babel
from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import current_app, g, has_app_context, request
from flask_babel import format_date, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from inbox import clock, csvexport

TRANSLATIONS = Path(__file__).parent / "translations"


# What this request reads in, kept in g: Flask-Babel resolves the locale, zone and catalogue through several
# proxy lookups on every call (~3-10 µs), and a page of 50 tickets asks hundreds of times.
CATALOGUE, PLACE = "inbox_catalogue", "inbox_locale_and_zone"


def translations():
    """This request's catalogue, looked up once per request."""
    try:
        catalogue = g.get(CATALOGUE)
    except RuntimeError:   # no app context: Flask-Babel's catalogue that translates nothing
        return get_translations()
    if catalogue is None:
        catalogue = get_translations()
        setattr(g, CATALOGUE, catalogue)
    return catalogue


def _locale_and_zone():
    place = g.get(PLACE)
    if place is None:
        place = (get_locale(), get_timezone())
        setattr(g, PLACE, place)
    return place


def language() -> str:
    """This request's language code ("nl", "en"), or "" outside an app context."""
    if not has_app_context():
        return ""
    locale = _locale_and_zone()[0]
    return "" if locale is None else str(locale)


@contextmanager
def force_locale(locale: str):
    """Flask-Babel's force_locale(), for this module's per-request catalogue and locale as well: use this one."""
    if not has_app_context():
        with flask_babel.force_locale(locale):
            yield
        return
    saved = {name: g.pop(name, None) for name in (CATALOGUE, PLACE)}
    try:
        with flask_babel.force_locale(locale):
            yield
    finally:
        for name, value in saved.items():
            g.pop(name, None)
            if value is not None:
                setattr(g, name, value)


def _(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A text translated when shown (labels defined at import time), through the per-request catalogue."""
    return LazyString(_, string, **variables)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


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


def table_value(value) -> str:
    """A cell of a table of figures on a page: durations as "3h 39m", shares as "93.3%" (a comma in Dutch),
    other numbers in the user's notation (counts as 277,615 / 277.615), nothing as "–"."""
    if value is None:
        return "–"
    if isinstance(value, csvexport.Hours):
        return business_duration(round(value * 3600))
    if isinstance(value, float):
        text = format_decimal(value, "#,##0.##", locale=_locale_and_zone()[0])
        return text + "%" if isinstance(value, csvexport.Percent) else text
    if isinstance(value, int) and not isinstance(value, bool):
        return whole(value)
    return str(value)


def whole(value: int) -> str:
    """A count with the user's thousands separator: 10,405 / 10.405."""
    return format_decimal(value, "#,##0", locale=_locale_and_zone()[0])


FORMATS = {"short": "EEE d MMM, HH:mm", "long": "EEEE d MMMM y, HH:mm", "time": "HH:mm", "date": "d MMM y",
           "day": "EEE d MMM", "promise": "EEEE d MMMM, HH:mm"}


def local_time(value: datetime | None, fmt: str = "short", zone: str | None = None) -> str:
    """A stored UTC instant in the shop's zone, in the user's language.

    `zone`: the shop's zone by name, for pages without a signed-in user (the public contact page)."""
    if value is None:
        return ""
    locale, default_zone = _locale_and_zone()
    return _formatted(clock.as_utc(value), FORMATS.get(fmt, fmt), locale, ZoneInfo(zone) if zone else default_zone)


@lru_cache(maxsize=8192)
def _formatted(value: datetime, pattern: str, locale, zone) -> str:
    # A pure function of its arguments, and Babel takes ~35 µs a call: an inbox shows the same due times
    # to every agent on every refresh.
    return format_datetime(value, pattern, tzinfo=zone, locale=locale)


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


def compiled_catalogues(instance_path: str) -> Path:
    """Compile each messages.po to messages.mo when the .mo is missing or older, so a checkout needs no build
    step: beside the .po, or in the instance folder where the package cannot be written (an installed wheel).
    Answers the folder Flask-Babel reads."""
    target = TRANSLATIONS if os.access(TRANSLATIONS, os.W_OK) else Path(instance_path) / "translations"
    compile_catalogs(TRANSLATIONS, target)
    return target


def compile_catalogs(directory: Path, target: Path | None = None) -> None:
    """Each <lang>/LC_MESSAGES/messages.po in directory compiled to the same place under target (directory)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = target or directory
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(directory).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        try:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)  # atomic: several workers may start at once
        except OSError:
            logging.getLogger(__name__).warning("could not write %s; translations may be stale", mo)


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    """`_()` in templates for a text with values or one chosen at run time (fixed texts are translated when the
    template is compiled, inbox.templating): what Jinja's newstyle gettext does (escape the values, always
    format), in one call instead of the three it takes through the i18n extension."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        # bandit B704: a text from our own catalogue; Markup's % escapes the values.
        text = Markup(text)  # nosec B704
    # Formatting a Markup costs more than the lookup; with nothing to fill in, only "%%" would change.
    return text % variables if variables or "%" in text else text


def init_app(app) -> None:
    """After babel.init_app(): Jinja's i18n extension (ngettext, pgettext, {% trans %}) through the per-request
    catalogue. `_` itself is template_gettext, set with the other template globals in create_app."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
