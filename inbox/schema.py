"""Creating the schema outside migrations (tests, first runs): the tables plus database-specific extras."""
from __future__ import annotations

from inbox.extensions import db

# Functions (engine) -> None that add what create_all cannot: search indexes, triggers.
EXTRAS = []

from inbox import search  # noqa: E402  (full-text search: FTS5 / tsvector with triggers)
EXTRAS.append(search.install)


def install_schema(engine) -> None:
    db.metadata.create_all(engine)
    for extra in EXTRAS:
        # bandit B610: EXTRAS are the app's own schema functions, no user input.
        extra(engine)  # nosec B610
