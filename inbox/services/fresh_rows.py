"""Rows a table does not hold yet (a shop's kept figures counted afresh, under its lock), by the driver's fastest
path past SQLAlchemy's per-row work: COPY on PostgreSQL, one executemany on SQLite. A rebuild writes millions of
rows; the upserts that keep the figures row by row cost a round of the pipeline and a conflict check each."""
from __future__ import annotations

from collections.abc import Iterable


def insert(conn, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    columns = list(columns)
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        # bandit B608: the table and column names are the models' own, no input.
        with conn.connection.driver_connection.cursor().copy(
                f"COPY {table} ({names}) FROM STDIN") as copy:  # nosec B608
            for row in rows:
                copy.write_row(row)
    elif rows := list(rows):   # (an empty list would be one statement without its values)
        # bandit B608: the table and column names are the models' own, no input.
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) "  # nosec B608
                             f"VALUES ({', '.join('?' * len(columns))})", rows)
