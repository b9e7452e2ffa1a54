"""Creating the schema outside migrations (tests, first runs): the tables plus database-specific extras."""
from __future__ import annotations

from inbox.extensions import db

# Functions (engine) -> None that add what create_all cannot: search indexes, triggers.
EXTRAS = []


def install_schema(engine) -> None:
    db.metadata.create_all(engine)
    for extra in EXTRAS:
        extra(engine)
