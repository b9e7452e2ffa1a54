"""Reading call logs and order exports: pure parsing, no Flask, no database.

Telephony services and shop systems all export "a CSV", each slightly differently: ; or , as the
delimiter, Dutch or English headers, dates as 2026-11-16 14:05 or 16-11-2026 14:05. We accept the
common shapes, keep every good row, and reject each bad row with its line number and the reason.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

CALL_COLUMNS = {
    "datetime": ("datetime", "date time", "date/time", "timestamp", "start", "start time", "started", "call time",
                 "call start", "tijdstip", "datum/tijd", "datum tijd", "begintijd", "gestart", "starttijd"),
    "date": ("date", "datum", "day", "dag"),
    "time": ("time", "tijd", "uur"),
    "direction": ("direction", "call direction", "type", "call type", "richting", "soort", "inbound/outbound"),
    "status": ("status", "result", "outcome", "answered", "disposition", "call status", "resultaat", "beantwoord",
               "uitkomst"),
    "duration": ("duration", "duration (s)", "duration s", "duration_s", "talk time", "seconds", "length", "billsec",
                 "duur", "gespreksduur", "duur (s)", "seconden"),
    "caller": ("caller", "from", "number", "phone", "phone number", "caller id", "callerid", "src", "source number",
               "beller", "nummer", "van", "telefoonnummer", "afzender"),
}
ORDER_COLUMNS = {
    "order_number": ("order number", "order", "ordernumber", "order_number", "order id", "order no", "order nr",
                     "bestelnummer", "ordernummer", "bestelling", "order-id", "ordernr"),
    "datetime": ("date", "order date", "ordered at", "ordered", "created", "created at", "datum", "besteldatum",
                 "orderdatum", "date/time", "datetime", "timestamp"),
    "product": ("product", "product name", "title", "item", "artikel", "productnaam", "omschrijving", "name", "naam",
                "description"),
    "ean": ("ean", "gtin", "barcode", "ean13", "ean-code"),
    "quantity": ("quantity", "qty", "amount", "aantal", "count", "stuks", "number of items"),
}

INBOUND = {"in", "inbound", "incoming", "inkomend", "binnenkomend", "ontvangen", "received"}
OUTBOUND = {"out", "outbound", "outgoing", "uitgaand", "gebeld", "dialed", "dialled"}
ANSWERED = {"answered", "answer", "yes", "y", "true", "1", "beantwoord", "opgenomen", "ja", "connected",
            "completed", "ok", "aangenomen"}
MISSED = {"missed", "no-answer", "no answer", "noanswer", "unanswered", "not answered", "busy", "failed",
          "abandoned", "gemist", "niet beantwoord", "niet opgenomen", "nee", "no", "n", "false", "0", "bezet",
          "voicemail"}

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H.%M")


class RowError(ValueError):
    """A value we cannot read; the message says which and why."""


@dataclass
class Rejected:
    line: int
    reason: str


@dataclass
class Parsed:
    rows: list = field(default_factory=list)        # (line, dict) pairs
    rejected: list[Rejected] = field(default_factory=list)
    error: str | None = None                        # the file as a whole could not be read


@dataclass(frozen=True)
class CallRow:
    at: datetime
    direction: str
    answered: bool
    duration_s: int
    caller: str


@dataclass(frozen=True)
class OrderRow:
    order_number: str
    ordered_at: datetime
    product: str
    ean: str | None
    quantity: int


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_]+", " ", text).strip()


def decode(data: bytes) -> str:
    """Text from an uploaded file: UTF-8 (with or without BOM), else Windows-1252 (Excel in NL)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def map_headers(headers: list[str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column name -> index for the columns we recognise (first match wins)."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _norm(header)
        for key, options in synonyms.items():
            if key not in found and name in options:
                found[key] = index
                break
    return found


def parse_datetime(value: str, tz: tzinfo) -> datetime:
    """A date and time in the shop's zone unless it carries its own offset."""
    text = value.strip()
    if not text:
        raise RowError("no date and time")
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        dt = None
        for df in DATE_FORMATS:
            for tf in TIME_FORMATS:
                try:
                    dt = datetime.strptime(text, f"{df} {tf}")
                    break
                except ValueError:
                    continue
            if dt is not None:
                break
        if dt is None:
            try:
                dt = datetime.combine(parse_date(text), time(0))
            except RowError:
                raise RowError(f"cannot read the date and time {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return plausible(dt, text)


def plausible(dt: datetime, text: str) -> datetime:
    """A moment of this century: 01-01-0001 or 31-12-9999 is a typo, and overflows when moved to UTC."""
    if not 2000 <= dt.year <= 2100:
        raise RowError(f"implausible date {text!r}")
    return dt


def parse_date(value: str) -> date:
    text = value.strip()
    for df in DATE_FORMATS:
        try:
            return datetime.strptime(text, df).date()
        except ValueError:
            continue
    raise RowError(f"cannot read the date {text!r}")


def parse_time(value: str) -> time:
    text = value.strip()
    for tf in TIME_FORMATS:
        try:
            return datetime.strptime(text, tf).time()
        except ValueError:
            continue
    raise RowError(f"cannot read the time {text!r}")


def parse_direction(value: str | None) -> str:
    text = _norm(value or "")
    if text in INBOUND or not text:
        return "in"
    if text in OUTBOUND:
        return "out"
    raise RowError(f"unknown direction {value!r} (use in or out)")


def parse_answered(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _norm(str(value))
    if text in ANSWERED:
        return True
    if text in MISSED:
        return False
    raise RowError(f"unknown status {value!r} (use answered or missed)")


def parse_duration(value) -> int:
    """Seconds from 95, 95.4, 1:35 or 0:01:35."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not -1 <= value <= 86401:  # also infinity and NaN (no comparison holds), which int() cannot take
            raise RowError(f"implausible duration {value!r}")
        seconds = int(value)
    else:
        text = str(value or "").strip().replace(",", ".")
        if not text:
            return 0
        try:
            if ":" in text:
                seconds = 0
                for part in text.split(":"):
                    seconds = seconds * 60 + int(float(part))
            else:
                seconds = int(float(text))
        except (ValueError, OverflowError):
            raise RowError(f"cannot read the duration {value!r}") from None
    if seconds < 0 or seconds > 86400:
        raise RowError(f"implausible duration {value!r}")
    return seconds


def _rows(text: str, synonyms: dict) -> tuple[dict[str, int], list[tuple[int, list[str]]], str | None]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return {}, [], "The file is empty."
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(lines[first]))
    rows = list(reader)
    # csv.reader counts physical rows; without quoted newlines that is the line number.
    header_index = next(i for i, row in enumerate(rows) if any(cell.strip() for cell in row))
    columns = map_headers(rows[header_index], synonyms)
    body = [(i + 1, row) for i, row in enumerate(rows) if i > header_index and any(c.strip() for c in row)]
    return columns, body, None


def _cell(row: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else None


def parse_calls(text: str, tz: tzinfo) -> Parsed:
    """Call rows from a telephony export; every row we cannot read is rejected with its reason."""
    columns, body, error = _rows(text, CALL_COLUMNS)
    result = Parsed(error=error)
    if error:
        return result
    if "datetime" not in columns and "date" not in columns and "time" not in columns:
        result.error = "No column with the time of the call (e.g. time, datetime, or date and time)."
        return result
    if "status" not in columns and "duration" not in columns:
        result.error = "No column saying whether the call was answered (status, or duration)."
        return result
    for line, row in body:
        try:
            result.rows.append((line, call_from_cells(row, columns, tz)))
        except RowError as e:
            result.rejected.append(Rejected(line, str(e)))
    return result


def call_from_cells(row: list[str], columns: dict[str, int], tz: tzinfo) -> CallRow:
    date_text, time_text = _cell(row, columns, "date"), _cell(row, columns, "time")
    when = _cell(row, columns, "datetime")
    if when:
        at = parse_datetime(when, tz)
    elif date_text and time_text:
        at = plausible(datetime.combine(parse_date(date_text), parse_time(time_text), tzinfo=tz), date_text)
    elif time_text or date_text:
        at = parse_datetime(time_text or date_text, tz)   # one column holding both
    else:
        raise RowError("no date and time")
    duration = parse_duration(_cell(row, columns, "duration"))
    status = _cell(row, columns, "status")
    answered = parse_answered(status) if status else duration > 0
    return CallRow(at, parse_direction(_cell(row, columns, "direction")), answered, duration,
                   (_cell(row, columns, "caller") or "")[:64])


def call_from_json(data: dict, tz: tzinfo) -> CallRow:
    """One call posted to the API: {"at", "direction", "answered" or "status", "duration_s", "caller"}."""
    if not isinstance(data, dict):
        raise RowError("a call is a JSON object")
    when = data.get("at") or data.get("time") or data.get("datetime")
    if not isinstance(when, str):
        raise RowError("'at' must be a date and time, e.g. 2026-11-16T10:05:00+01:00")
    if "answered" in data:
        answered = parse_answered(data["answered"])
    elif "status" in data:
        answered = parse_answered(data["status"])
    else:
        raise RowError("'answered' (true/false) or 'status' is required")
    return CallRow(parse_datetime(when, tz), parse_direction(data.get("direction")), answered,
                   parse_duration(data.get("duration_s", data.get("duration", 0))),
                   str(data.get("caller") or data.get("from") or "")[:64])


def parse_orders(text: str, tz: tzinfo) -> Parsed:
    columns, body, error = _rows(text, ORDER_COLUMNS)
    result = Parsed(error=error)
    if error:
        return result
    missing = [label for key, label in (("order_number", "order number"), ("datetime", "date")) if key not in columns]
    if "product" not in columns and "ean" not in columns:
        missing.append("product or EAN")
    if missing:
        result.error = "Missing columns: " + ", ".join(missing) + "."
        return result
    for line, row in body:
        try:
            result.rows.append((line, order_from_values(
                _cell(row, columns, "order_number"), _cell(row, columns, "datetime"), _cell(row, columns, "product"),
                _cell(row, columns, "ean"), _cell(row, columns, "quantity"), tz)))
        except RowError as e:
            result.rejected.append(Rejected(line, str(e)))
    return result


def order_from_values(number, when, product, ean, quantity, tz: tzinfo) -> OrderRow:
    number = str(number or "").strip()
    if not number:
        raise RowError("no order number")
    if len(number) > 64:
        raise RowError("order number longer than 64 characters")
    if not isinstance(when, str) or not when.strip():
        raise RowError("no order date")
    ordered_at = parse_datetime(when, tz)
    ean = str(ean or "").strip() or None
    if ean is not None and not re.fullmatch(r"\d{8,14}", ean):
        raise RowError(f"EAN {ean!r} is not 8 to 14 digits")
    product = str(product or "").strip()[:200] or ean
    if not product:
        raise RowError("no product or EAN")
    if quantity in (None, ""):
        qty = 1
    else:
        try:
            qty = int(str(quantity).strip())
        except ValueError:
            raise RowError(f"quantity {quantity!r} is not a whole number") from None
        if qty < 1:
            raise RowError(f"quantity {qty} must be at least 1")
        if qty > 1_000_000:  # the column is a 32-bit integer; no web-shop order line is this large
            raise RowError(f"quantity {qty} is implausibly large")
    return OrderRow(number, ordered_at, product, ean, qty)


def order_from_json(data: dict, tz: tzinfo) -> OrderRow:
    if not isinstance(data, dict):
        raise RowError("an order is a JSON object")
    return order_from_values(data.get("order_number"), data.get("ordered_at") or data.get("date"),
                             data.get("product"), data.get("ean"), data.get("quantity"), tz)
