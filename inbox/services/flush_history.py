"""What a flush changes on an object, read from SQLAlchemy's attribute history: for the listeners that keep
figures in step with the rows (`norm_weeks`, `product_weeks`)."""
from __future__ import annotations

import sqlalchemy.orm as so


def values(obj, name: str) -> list:
    """The attribute's value now and, for a change, before it."""
    history = so.attributes.get_history(obj, name)
    return [*history.added, *history.unchanged, *history.deleted] or [getattr(obj, name)]


def changed(obj, names) -> bool:
    return any(so.attributes.get_history(obj, n).has_changes() for n in names)
