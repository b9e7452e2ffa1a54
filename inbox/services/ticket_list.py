"""The inbox list: views, filters and search turned into one query, view counts, and neighbours for prev/next.

Everything here works in a constant number of queries, whatever the number of rows shown: the list is one
SELECT (plus one for the tags of the page), the counts of all views are one SELECT of scalar subqueries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox import clock, search
from inbox.extensions import db, statement
from inbox.i18n import lazy_gettext as _l, whole
from inbox.models import Ticket, TicketTag, User
from inbox.services import keyset, sla as sla_service
from inbox.services.kept import kept
from inbox.services.tickets import normalise_tag
from inbox.workflow import Channel, Status

PAGE_SIZE = 50
MAX_PAGE = 10_000_000       # a page number is only a label beside a cursor: 1,000,000 tickets are 20,000 pages
# A page asked by number alone (a typed or old link: no cursor) is found by OFFSET, which reads and drops every
# row before it; up to here that is a few index reads, beyond it the cost would grow with the shop's history.
NUMBERED_PAGES = 20
# Due soon: 2 business hours or less left (the same threshold as the SLA badge).
DUE_SOON_HOURS = 2

VIEWS = {
    "needs_reply": _l("Needs reply"),
    "mine": _l("Mine"),
    "unassigned": _l("Unassigned"),
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "pending": _l("Pending"),
    "solved": _l("Solved"),
    "all": _l("All"),
}
DEFAULT_VIEW = "needs_reply"
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
TICKET_NUMBER = re.compile(r"^#\d{1,9}$")


@dataclass(frozen=True)
class ListState:
    """What the agent is looking at: view, filters, search and page. It round-trips through the URL."""

    view: str = DEFAULT_VIEW
    assignee: str = ""          # "", "me", "none" or a user id
    channel: str = ""
    language: str = ""
    tag: str = ""
    forwarded: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1
    # Keyset cursors: the page starts right after (or ends right before) this ticket in the list's order, so a
    # deep page reads its 50 rows off an index instead of skipping the rows before it (OFFSET). `page` then
    # only numbers the page; without a cursor it is found by OFFSET (a typed or old link, NUMBERED_PAGES at most).
    after: str | None = None    # a cursor (cursor_of): "<ticket id>.<its sort key>"
    before: str | None = None
    notices: tuple = field(default=(), compare=False)

    @property
    def filtered(self) -> bool:
        return bool(self.assignee or self.channel or self.language or self.tag or self.forwarded
                    or self.date_from or self.date_to)

    def args(self, **changes) -> dict:
        """The query-string arguments for this state (defaults left out), with `changes` applied. Any change but
        of a cursor leaves the cursors out: they belong to one page of one list."""
        if changes and "after" not in changes and "before" not in changes:
            changes = {**changes, "after": None, "before": None}
        state = replace(self, **changes) if changes else self
        out = {"view": state.view if state.view != DEFAULT_VIEW else None, "assignee": state.assignee,
               "channel": state.channel, "language": state.language, "tag": state.tag,
               "forwarded": "1" if state.forwarded else None,
               "from": state.date_from.isoformat() if state.date_from else None,
               "to": state.date_to.isoformat() if state.date_to else None,
               "q": state.q, "page": state.page if state.page != 1 else None,
               "after_row": state.after, "before_row": state.before}
        return {k: v for k, v in out.items() if v}


def parse_state(args, users: list[User], tz: tzinfo = timezone.utc) -> ListState:
    """The list state from query arguments (dates as days in `tz`, the shop's zone). Invalid values are dropped
    with a notice, never an error."""
    notices = []

    def bad(message, **values):
        notices.append(str(message) % values)

    view = args.get("view") or DEFAULT_VIEW
    if view not in VIEWS:
        bad(_l("There is no view “%(value)s”; showing Needs reply."), value=view)
        view = DEFAULT_VIEW
    assignee = (args.get("assignee") or "").strip()
    if assignee and assignee not in ("me", "none") and assignee not in {str(u.id) for u in users}:
        bad(_l("Unknown assignee “%(value)s”: that filter was ignored."), value=assignee)
        assignee = ""
    channel = (args.get("channel") or "").strip()
    if channel and channel not in {c.value for c in Channel}:
        bad(_l("Unknown channel “%(value)s”: that filter was ignored."), value=channel)
        channel = ""
    language = (args.get("language") or "").strip().lower()
    if language and not LANGUAGE_RE.match(language):
        bad(_l("Unknown language “%(value)s”: that filter was ignored."), value=language)
        language = ""
    raw_tag = (args.get("tag") or "").strip()
    tag = normalise_tag(raw_tag) if raw_tag else ""
    if raw_tag and not tag:
        bad(_l("“%(value)s” is not a tag: that filter was ignored."), value=raw_tag)
    forwarded = (args.get("forwarded") or "") in ("1", "yes", "true", "on")
    dates = {}
    for key in ("from", "to"):
        raw = (args.get(key) or "").strip()
        dates[key] = None
        if raw:
            try:
                dates[key] = date.fromisoformat(raw)
            except ValueError:
                bad(_l("“%(value)s” is not a date (use YYYY-MM-DD): that filter was ignored."), value=raw)
                continue
            first, last = clock.reachable_days(tz)
            if not first <= dates[key] <= last:
                bad(_l("“%(value)s” is not between %(first)s and %(last)s: that filter was ignored."), value=raw,
                    first=first.isoformat(), last=last.isoformat())
                dates[key] = None
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        dates["from"], dates["to"] = dates["to"], dates["from"]
    raw_page = (args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdecimal() and len(raw_page) <= 9 else 0
    if not 1 <= page <= MAX_PAGE:
        bad(_l("There is no page “%(value)s”; showing the first page."), value=raw_page)
        page = 1
    q = (args.get("q") or "").strip()[:200]
    cursors = {}
    for key in ("after", "before"):
        raw = (args.get(f"{key}_row") or "").strip()
        # A cursor that cannot be read is dropped silently: the page number still finds the page.
        cursors[key] = raw if page > 1 and keyset.read_cursor(raw) is not None else None
    if cursors["after"] is not None:
        cursors["before"] = None
    if page > NUMBERED_PAGES and cursors["after"] is None and cursors["before"] is None:
        bad(_l("Page %(value)s can only be reached with Next from the page before it; showing the first page."),
            value=page)
        page = 1
    return ListState(view, assignee, channel, language, tag, forwarded, dates["from"], dates["to"], q, page,
                     cursors["after"], cursors["before"], tuple(notices))


@dataclass(frozen=True)
class Moment:
    """The instants a request needs: now, and where "due soon" ends (2 business hours from now)."""

    now: datetime
    due_soon_until: datetime

    @classmethod
    def of(cls, shop, now: datetime) -> Moment:
        # "2 business hours left" is not a wall-clock window: at 16:30 on a Friday it reaches into Monday.
        cal = sla_service.calendar_for(shop)
        return cls(now, cal.add_business_hours(now, DUE_SOON_HOURS))


def _view_where(view: str, user: User, moment: Moment) -> list:
    # One branch per view: the inbox asks for every view's conditions on each page, for the counts.
    open_ = Ticket.status == Status.OPEN.value
    if view == "needs_reply":
        return [open_]
    if view == "mine":
        return [Ticket.assignee_id == user.id, Ticket.status.in_([Status.OPEN.value, Status.PENDING.value])]
    if view == "unassigned":
        return [open_, Ticket.assignee_id.is_(None)]
    if view == "due_soon":
        return [open_, Ticket.due_at >= moment.now, Ticket.due_at <= moment.due_soon_until]
    if view == "overdue":
        return [open_, Ticket.due_at < moment.now]
    if view == "pending":
        return [Ticket.status == Status.PENDING.value]
    if view == "solved":
        return [Ticket.status == Status.SOLVED.value]
    if view == "all":
        return []
    raise KeyError(view)


def conditions(shop, view: str, user: User | None, moment: Moment, *, assignee: str = "", channel: str = "",
               tag: str | None = None, status: str = "", language: str = "", forwarded: bool = False,
               date_from: date | None = None, date_to: date | None = None,
               updated_since: datetime | None = None) -> list:
    """The WHERE conditions of the shop's tickets in a view, filtered: the inbox's filters and the API's.

    `assignee`: "me" (`user`), "none" or a user id; `tag`: a normalised tag name; dates: received on or after
    `date_from` and up to `date_to` in the shop's zone.
    """
    where = [Ticket.shop_id == shop.id, *_view_where(view, user, moment)]
    if status:
        where.append(Ticket.status == status)
    if assignee == "me":
        where.append(Ticket.assignee_id == user.id)
    elif assignee == "none":
        where.append(Ticket.assignee_id.is_(None))
    elif assignee:
        where.append(Ticket.assignee_id == int(assignee))
    if channel:
        where.append(Ticket.channel == channel)
    if forwarded:
        where.append(Ticket.forwarded_at.is_not(None))
    if language:
        where.append(Ticket.language == language)
    if tag is not None:
        where.append(sa.exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.name == tag))
    if date_from:
        where.append(Ticket.received_at >= _local_midnight(date_from, shop.tz))
    if date_to:
        where.append(Ticket.received_at < _local_midnight(date_to + timedelta(days=1), shop.tz))
    if updated_since:
        where.append(Ticket.updated_at >= updated_since)
    return where


def _order(view: str) -> list:
    """Stable orderings (the id breaks ties) that the ticket indexes can serve."""
    if view in ("pending", "solved"):
        return [Ticket.last_message_at.desc(), Ticket.id.desc()]
    if view == "all":
        return [Ticket.received_at.desc(), Ticket.id.desc()]
    # Waiting for us: the most urgent first; a ticket kept open without a clock goes last. NULLS LAST, not a
    # "due_at IS NULL" sort key: both databases then walk the index and stop after a page (0.9 ms -> 0.15 ms).
    return [Ticket.due_at.asc().nulls_last(), Ticket.id]


def _local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _search_terms(state: ListState) -> list[str]:
    """The full-text terms of the state's search; none for a ticket number ("#1234")."""
    return [] if TICKET_NUMBER.match(state.q) else search.terms(state.q)


def filtered_query(state: ListState, shop, user: User, moment: Moment, dialect: str, plan: search.Plan | None = None,
                   *, segment: tuple[list, list] | None = None, below: int | None = None, above: int | None = None):
    """SELECT Ticket for the state: scoped to the shop, view + filters + search, in the view's order.

    `segment` (conditions, order) replaces the view's order with a stretch of it next to a cursor (_segments);
    `plan` bounds a search's candidates (search.plan; None: every match), `below` / `above` its ticket ids (its
    order is by id).
    """
    query = sa.select(Ticket).where(*conditions(
        shop, state.view, user, moment, assignee=state.assignee, channel=state.channel, tag=state.tag or None,
        language=state.language, forwarded=state.forwarded, date_from=state.date_from, date_to=state.date_to))
    if TICKET_NUMBER.match(state.q):
        # "#1234": that ticket, whatever view it is in (an order number is searched as text, without the #).
        return sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.id == int(state.q[1:]))
    query_terms = _search_terms(state)
    if query_terms:
        return search.match(query, Ticket, dialect, shop.id, query_terms, plan, below=below, above=above)
    if state.q:
        return query.where(sa.false())  # only punctuation typed: nothing can match
    if segment is not None:
        return query.where(*segment[0]).order_by(*segment[1])
    return query.order_by(*_order(state.view))


def _sort_key(view: str):
    """The view's sort column and whether it runs newest first (the ticket id breaks ties, the same way)."""
    if view in ("pending", "solved"):
        return Ticket.last_message_at, True
    if view == "all":
        return Ticket.received_at, True
    return Ticket.due_at, False


def cursor_of(state: ListState, ticket: Ticket) -> str:
    """The cursor of a ticket in the state's list: its id, and for a view (not a search, which is by id) the
    value of the view's sort key in microseconds since 1970 ("n": none). Carrying the key in the link saves
    reading it again: a page after a cursor is one query, like the first page. A forged key only moves the
    page within the user's own shop."""
    return _cursor(ticket.id, keys_of(state)(ticket))


def keys_of(state: ListState):
    """The sort key in the state's list as a link carries it, for the many tickets of one list: ticket -> its
    key; None in a search, whose order is by id."""
    if _search_terms(state):
        return lambda ticket: None
    name = _sort_key(state.view)[0].key
    return lambda ticket: keyset.key_text(getattr(ticket, name))


def _cursor(ticket_id: int, key: str | None) -> str:
    return str(ticket_id) if key is None else f"{ticket_id}.{key}"


def _segments(state: ListState, cursor: str, forward: bool) -> list[tuple[list, list]] | None:
    """The stretches of the view's order right after (forward) or right before the cursor, in the order to read
    them: each (conditions, order by), read off the view's index from the cursor's key on. None when the cursor
    carries no key the order can use: the caller then counts by OFFSET."""
    key, descending = _sort_key(state.view)
    read = keyset.read_cursor(cursor)
    if read is None or read[1] is ...:
        return None
    cursor_id, value = read
    tid = Ticket.id

    def seek(down: bool) -> tuple[list, list]:   # the stretch past the cursor, down or up the (key, id) order
        return (keyset.past(key, tid, value, cursor_id, descending=down),
                [key.desc(), tid.desc()] if down else [key.asc(), tid.asc()])

    if descending:
        if value is None:
            return None
        return [seek(forward)]
    # Ascending with the tickets without a clock (NULL) last: two stretches where the cursor's side holds both.
    if forward:
        if value is None:
            return [([key.is_(None), tid > cursor_id], [tid.asc()])]
        return [seek(False), ([key.is_(None)], [tid.asc()])]
    if value is None:
        return [([key.is_(None), tid < cursor_id], [tid.desc()]), ([key.is_not(None)], [key.desc(), tid.desc()])]
    return [seek(True)]


def _run(query, limit: int, columns: tuple | None = None, offset: int = 0) -> list:
    """`limit` tickets of the query from row `offset` on, or only these columns of them (rows)."""
    query = (query.with_only_columns(*columns) if columns else query).limit(limit)
    if offset:
        query = query.offset(offset)
    if columns:
        return list(db.session.execute(query))
    return list(db.session.scalars(query).unique())


def _search(state: ListState, shop, user: User, moment: Moment, limit: int, columns: tuple | None, *, offset: int = 0,
            below: int | None = None, above: int | None = None) -> tuple[list, int | None]:
    """A search's rows, newest first (oldest first with `above`), looking at a bounded number of candidates
    (search.plan), and where a page that is not full could go on: the id of the oldest candidate it looked at
    when older questions were left unsearched, else None."""
    terms_ = _search_terms(state)
    plan = search.plan(db.session, shop.id, terms_, below=below, above=above,
                       narrowed=state.view != "all" or state.filtered)
    query = filtered_query(state, shop, user, moment, db.engine.dialect.name, plan, below=below, above=above)
    rows = _run(query, limit, columns, offset)
    if above is not None:
        if len(rows) < limit and plan.window:
            # The page before holds its matches wherever they lie above the cursor (after "Search older
            # questions", beyond the window): read without it, or the page would come back short or empty.
            query = filtered_query(state, shop, user, moment, db.engine.dialect.name, search.Plan(window=False),
                                   above=above)
            rows = _run(query, limit, columns, offset)
        return rows, None
    if len(rows) == limit:
        return rows, None
    return rows, search.older_than_window(db.session, shop.id, plan, below=below)


def _fetch(state: ListState, shop, user: User, moment: Moment, offset: int, limit: int, columns: tuple | None):
    cursor = state.after or state.before
    forward = state.before is None
    if _search_terms(state):
        if not cursor:
            return _search(state, shop, user, moment, limit, columns, offset=offset)
        cursor_id = keyset.read_cursor(cursor)[0]
        if forward:
            return _search(state, shop, user, moment, limit, columns, below=cursor_id)
        return _search(state, shop, user, moment, limit, columns, above=cursor_id)[0][::-1], None
    segments = _segments(state, cursor, forward) if cursor and not state.q else None
    if segments is not None:
        dialect, rows = db.engine.dialect.name, []
        for segment in segments:
            rows += _run(filtered_query(state, shop, user, moment, dialect, segment=segment), limit - len(rows),
                         columns)
            if len(rows) >= limit:
                break
        return (rows if forward else rows[::-1]), None
    return _run(filtered_query(state, shop, user, moment, db.engine.dialect.name), limit, columns, offset), None


def fetch(state: ListState, shop, user: User, moment: Moment, offset: int, limit: int, *,
          columns: tuple | None = None):
    """`limit` rows of the state's list (tickets, or rows of `columns`): from the state's cursor on when it has
    one (keyset: the same few index reads on page 500 as on page 1), else from row `offset` on."""
    return _fetch(state, shop, user, moment, offset, limit, columns)[0]


@dataclass(frozen=True)
class Page:
    """One page of the list. `older_from`: a search page that looked at the newest candidates only (see
    search.HORIZON) and found fewer than a page: the id to go on below, and when that ticket came in."""

    tickets: list[Ticket]
    has_next: bool
    older_from: int | None = None
    searched_since: datetime | None = None


def page_of(state: ListState, shop, user: User, moment: Moment) -> Page:
    """The tickets of the state's page and whether a next page exists (no count needed)."""
    if state.before:
        # Back from the next page: the page before its first ticket; that ticket itself comes next.
        rows, _ = _fetch(state, shop, user, moment, (state.page - 1) * PAGE_SIZE, PAGE_SIZE, None)
        return Page(rows, True)
    rows, older = _fetch(state, shop, user, moment, (state.page - 1) * PAGE_SIZE, PAGE_SIZE + 1, None)
    if older is None:
        return Page(rows[:PAGE_SIZE], len(rows) > PAGE_SIZE)
    # The date the seller knows the questions by: the shop's first question from the oldest id looked at on.
    since = db.session.scalar(sa.select(Ticket.received_at).where(Ticket.shop_id == shop.id, Ticket.id >= older)
                              .order_by(Ticket.id).limit(1))
    return Page(rows, False, older, since)


# A view's count stops at COUNT_CAP ("1,000+"): counting costs the same whatever the shop's history holds, where a
# shop with 15,000 open and 40,000 pending questions counted them all on every page (15 ms of each PostgreSQL page
# at 1,000,000 tickets). Up to the cap the counts are exact.
COUNT_CAP = 1000


def view_counts(shop, user: User, moment: Moment) -> dict[str, int]:
    """How many tickets each view holds, up to COUNT_CAP + 1 (more than the cap), in one statement: each count
    reads at most that many entries of a ticket index, and All is the sum of the three statuses."""
    def count(*where):
        some = sa.select(Ticket.id).where(Ticket.shop_id == shop.id, *where).limit(COUNT_CAP + 1).subquery()
        return sa.select(sa.func.count()).select_from(some).scalar_subquery()
    views = [v for v in VIEWS if v != "all"]
    row = db.session.execute(sa.select(*[count(*_view_where(v, user, moment)).label(v) for v in views])).one()
    counts = dict(row._mapping)
    counts["all"] = min(COUNT_CAP + 1, counts["needs_reply"] + counts["pending"] + counts["solved"])
    return counts


def count_label(n: int) -> str:
    """A view's count as shown, grouped in the reader's notation: "1,234" / "1.234", or "1,000+" past COUNT_CAP."""
    return f"{whole(COUNT_CAP)}+" if n > COUNT_CAP else whole(n)


def recent_tags(shop_id: int, window: int = 2000) -> list[str]:
    """Tags on the shop's most recent tickets, for the filter menu; bounded work, whatever the shop's size."""
    recent = (sa.select(Ticket.id).where(Ticket.shop_id == shop_id)
              .order_by(Ticket.received_at.desc(), Ticket.id.desc()).limit(window).subquery())
    query = sa.select(TicketTag.name).where(TicketTag.ticket_id.in_(sa.select(recent.c.id))).distinct().order_by(TicketTag.name)
    return kept(("tags", shop_id), lambda: list(db.session.scalars(query)))


@dataclass(frozen=True)
class Around:
    """Where a ticket opened from a list stands in it: the tickets before and after it (id, and the sort key for
    their links: `key_text`) and the cursor the list's page holding it starts after (None: the first page)."""

    prev: tuple[int, str | None] | None = None
    next: tuple[int, str | None] | None = None
    page_after: str | None = None


def neighbours(state: ListState, shop, user: User, now: datetime, ticket: Ticket, pos: int | None,
               key: str | None = None) -> Around:
    """The ticket's neighbours in the state's list and the cursor of its list page; nothing for a ticket not
    opened from a list (`pos` None).

    The ticket stands where the list showed it: at its sort key then (`key`, which the row's link carries),
    else at its key now. So a ticket solved meanwhile, gone from Needs reply, still has the tickets that stood
    beside it as neighbours. Two keyset reads, whatever `pos`: back to the start of its page (at most a page of
    ids and keys) and one row on; never an OFFSET.
    """
    if pos is None or pos < 0:
        return Around()
    by_id = bool(_search_terms(state))   # a search's order: the id alone
    cursor = cursor_of(state, ticket)
    if key is not None and not by_id and keyset.read_cursor(_cursor(ticket.id, key)) is not None:
        cursor = _cursor(ticket.id, key)
    if not by_id and (state.q or _segments(state, cursor, True) is None):
        return Around()   # "#12" lists that ticket alone; a ticket without a sort key is in no such list
    moment, columns = Moment.of(shop, now), (Ticket.id, _sort_key(state.view)[0])
    back = pos % PAGE_SIZE + 1
    before = fetch(replace(state, after=None, before=cursor), shop, user, moment, 0, back, columns=columns)
    after = fetch(replace(state, after=cursor, before=None), shop, user, moment, 0, 1, columns=columns)

    def place(row) -> tuple[int, str | None]:
        return row.id, None if by_id else keyset.key_text(row[1])

    # The farthest row read back is the last of the page before: the list's page starts after it.
    page_after = _cursor(*place(before[0])) if len(before) == back else None
    return Around(place(before[-1]) if before else None, place(after[0]) if after else None, page_after)


@statement
def _earlier():
    # Rows of what the side panel shows (subject, date, status, the reply clock), not whole tickets.
    t = Ticket.__table__.c
    return (sa.select(t.id, t.subject, t.received_at, t.status, t.due_at, t.last_reply_margin)
            .where(t.shop_id == sa.bindparam("shop_id"), t.customer_email == sa.bindparam("email"),
                   t.id != sa.bindparam("id"))
            .order_by(t.received_at.desc(), t.id.desc()).limit(sa.bindparam("limit")))


def earlier_tickets(ticket: Ticket, limit: int = 8) -> list:
    """The same customer's other questions to this shop, newest first: rows with the attributes an SLA badge
    reads (sla_service.badge)."""
    if not ticket.customer_email:
        return []
    return list(db.session.execute(_earlier(), {"shop_id": ticket.shop_id, "email": ticket.customer_email,
                                                "id": ticket.id, "limit": limit}))


def tickets_by_ids(shop_id: int, ids: list[int], *, with_tags: bool = False) -> list[Ticket]:
    """The shop's tickets among these ids (others' ids are silently left out), in one query."""
    if not ids:
        return []
    query = sa.select(Ticket).where(Ticket.shop_id == shop_id, Ticket.id.in_(ids)).order_by(Ticket.id)
    if not with_tags:
        query = query.options(so.lazyload(Ticket.tag_rows))
    return list(db.session.scalars(query).unique())


NEW_AT_MOST = 1000   # new questions counted for the bar: beyond this, a reload is the better news anyway


@statement
def _newest():
    return sa.select(sa.func.max(Ticket.id))


def newest_id() -> int:
    """The live inbox's cursor: the highest ticket id when a list is rendered. The primary key alone (one index
    probe on both databases); the shop is applied when counting what came after it."""
    return db.session.scalar(_newest()) or 0


def count_new(state: ListState, shop, user: User, moment: Moment, after_id: int) -> int:
    """How many of the state's tickets arrived after the cursor: derived from the database alone, so whichever
    app process answers the poll gives the same count."""
    if after_id <= 0:
        return 0
    # The few ids above the cursor first (a primary-key range), then the view's conditions on those rows only:
    # left to itself SQLite walks the view's index over every solved ticket (35 ms at 100,000 rather than 0.2).
    recent = sa.select(Ticket.id).where(Ticket.id > after_id).order_by(Ticket.id).limit(NEW_AT_MOST)
    query = filtered_query(state, shop, user, moment, db.engine.dialect.name).where(Ticket.id.in_(recent))
    ids = query.order_by(None).with_only_columns(Ticket.id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0
