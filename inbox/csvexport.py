"""CSV for spreadsheets, safe to open and read right in Dutch and English Excel.

A text cell that a spreadsheet would run as a formula is kept as text: customer names, subjects and tags end up
in exports; one starting with `=HYPERLINK(...)` or `@SUM(...)` must not become a live formula on the owner's
machine (OWASP "CSV injection").

Excel opens a .csv with the separators of the computer's regional settings: a Dutch Windows splits on `;` and
reads `3,65` as a number, but puts `3,65,93.3` in one column. So there are two dialects, `excel-nl` (`;` and
decimal commas) and `standard` (`,` and decimal points, for English Excel, Google Sheets and scripts); both
UTF-8 with a byte-order mark, so Excel reads the accents right. Pure: no Flask.

Durations stay numbers in hours (`Hours`) under a header that names the unit, so a spreadsheet can still sum,
average and sort them (a "3 h 39 m" text cell could not be); the page shows them as "3h 39m". Shares are
written with their sign (`Percent`: "93,3%"), which Excel reads as the number 0.933 shown as a percentage.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal: str


STANDARD = Dialect("standard", ",", ".")
EXCEL_NL = Dialect("excel-nl", ";", ",")
DIALECTS = {d.name: d for d in (STANDARD, EXCEL_NL)}
# Languages whose Excel expects `;` and a decimal comma (its list separator follows the decimal sign).
COMMA_DECIMAL_LANGUAGES = {"nl", "de", "fr", "pl", "es", "it", "pt", "da", "sv", "fi", "nb", "cs"}


def dialect_for(name: str | None, language: str = "") -> Dialect:
    """The dialect asked for by name, else the one the user's language's Excel expects."""
    if name in DIALECTS:
        return DIALECTS[name]
    return EXCEL_NL if language.split("_")[0].split("-")[0].lower() in COMMA_DECIMAL_LANGUAGES else STANDARD


class Hours(float):
    """A duration in hours: a plain number in the CSV (the column header names the unit)."""


class Percent(float):
    """A share in per cent (93.3 for 93.3%): written with its "%" sign."""


def decimal(value: float, dialect: Dialect = STANDARD) -> str:
    """A number as the dialect writes it: at most two decimals, no trailing zeros ("3.65", "3,5", "12")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text.replace(".", dialect.decimal)


def cell(value, dialect: Dialect = STANDARD) -> object:
    """A value as written: None empty, integers as they are, other numbers in the dialect's notation, shares with
    "%", text that starts like a formula behind a `'`."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return decimal(value, dialect) + "%"
    if isinstance(value, float):
        return decimal(value, dialect)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(headers: Iterable, rows: Iterable[Iterable], dialect: Dialect = STANDARD) -> str:
    """UTF-8 CSV with a byte-order mark (Excel reads the accents right), in the dialect's separators."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=dialect.delimiter)
    writer.writerow([cell(h, dialect) for h in headers])
    writer.writerows([cell(v, dialect) for v in row] for row in rows)
    return out.getvalue()
