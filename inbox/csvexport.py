"""CSV for spreadsheets, safe to open: a text cell that a spreadsheet would run as a formula is kept as text.

Customer names, subjects and tags end up in exports; one starting with `=HYPERLINK(...)` or `@SUM(...)` must not
become a live formula on the owner's machine (OWASP "CSV injection"). Pure: no Flask.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> object:
    """A value as written: None empty, numbers as they are, text that starts like a formula behind a `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(headers: Iterable, rows: Iterable[Iterable]) -> str:
    """UTF-8 CSV with a byte-order mark (Excel reads the accents right), plain commas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in headers])
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
