"""Form pieces shared by several areas."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_login import current_user
from wtforms import DateTimeLocalField
from wtforms.fields.choices import SelectChoice

from inbox.i18n import lazy_gettext as _l


def shop_zone() -> ZoneInfo:
    return ZoneInfo(current_user.shop.timezone)


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read and shown in the shop's zone; its data is an aware datetime."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("tz", shop_zone)
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)


INVALID_DATETIME = _l("Enter a date and time, e.g. 2026-11-23 14:30.")


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
