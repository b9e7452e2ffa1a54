"""Form pieces shared by several areas."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from wtforms import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from inbox import clock
from inbox.i18n import _, lazy_gettext as _l


def shop_zone() -> ZoneInfo:
    return ZoneInfo(current_user.shop.timezone)


class WithinReach:
    """A date (or a datetime, by its local date) from the shop's first possible day up to a year from today
    (clock.reachable_days): the year 9999 in a link is refused with a field error, not carried into date sums that
    overflow."""

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        tz = shop_zone()
        first, last = clock.reachable_days(tz)
        day = field.data.astimezone(tz).date() if isinstance(field.data, datetime) else field.data
        if not first <= day <= last:
            raise ValidationError(_("Choose a date between %(first)s and %(last)s.", first=first.isoformat(),
                                    last=last.isoformat()))


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read and shown in the shop's zone; its data is an aware datetime within reach."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("tz", shop_zone)
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def pre_validate(self, form) -> None:
        WithinReach()(form, self)


INVALID_DATETIME = _l("Enter a date and time, e.g. 2026-11-23 14:30.")


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
