"""Full-text search over tickets: SQLite FTS5 or PostgreSQL tsvector, kept in sync by database triggers.

One search document per ticket, in two parts: the "head" (subject, customer name and e-mail, order number)
and the "body" (the text of every message). Triggers maintain it, so every way a ticket or message is written
(services, intake, bulk Core inserts) is covered without the writers knowing about search.

Dutch and English: both databases index plain, diacritic-folded words (no language-specific stemmer, so a
ticket's language does not have to be known to find it). The query side strips common Dutch and English
suffixes and searches by prefix, so "pakketten" finds "pakket" and "pakketje", "deliveries" finds "delivery"
and "delivered", and a word being typed ("bestel") already matches. Every word must match (AND).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

MAX_TERMS = 8
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # the words both indexes see: letters and digits
# Longest first. Dutch plurals and diminutives, English plurals and verb forms.
SUFFIXES = ("etjes", "tjes", "jes", "etje", "tje", "ingen", "ies", "ied", "ing", "en", "es", "ed", "er", "je", "s", "e", "y")
MIN_STEM = 4


def fold(text: str) -> str:
    """Lower case without diacritics: "Één" -> "een"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem_prefix(word: str) -> str:
    """A prefix that the word's other forms share: "pakketten" -> "pakket", "deliveries" -> "deliver"."""
    if word.isdigit() or len(word) <= MIN_STEM:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    # Dutch doubles a consonant before a suffix: pakket-ten, bestell-en (keep one so both forms match).
    if len(word) > MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def terms(query: str) -> list[str]:
    """The search terms of what was typed: folded, stemmed to prefixes, at most MAX_TERMS, no duplicates."""
    found = []
    for word in WORD.findall(fold(query or "")):
        if len(word) < 2:
            continue
        prefix = stem_prefix(word)
        if prefix not in found:
            found.append(prefix)
    return found[:MAX_TERMS]


# One page of a search looks at a bounded number of candidates, newest first below its cursor, so its cost does
# not grow with the shop's history. SQLite: the newest HORIZON matches of the words (FTS5 reads them in id order);
# PostgreSQL: the shop's newest HORIZON tickets, each document tested, unless the words are rare (GIN_BUDGET).
# A page that is not full when the bound is reached says how far back it looked and offers the older questions.
# Testing a document costs PostgreSQL ~2 µs (5,000: ~10 ms at 1,000,000 tickets); reading a match's id off FTS5's
# index costs SQLite far less.
HORIZON = {"postgresql": 5_000, "sqlite": 20_000}
# PostgreSQL: words whose index entries the planner estimates at no more than this (all shops together) are read
# through the GIN index, every match; it collects all entries of a prefix ("levering:*", 87,000 of 2,000,000
# documents) before it can sort them by id, which for a common word takes seconds, for a rare one milliseconds
# (~4 µs an entry: at 9,000, "levering" in the 100,000-ticket bench, 35 ms, where the window takes 10).
GIN_BUDGET = 5_000


@dataclass(frozen=True)
class Plan:
    """How one page of a search reads its candidates. `window`: only the newest HORIZON below the cursor (else
    every match, through the index); `floor`: SQLite's lowest match id within the window (0: no bound needed)."""

    window: bool
    floor: int = 0


def plan(session, shop_id: int, query_terms: list[str], *, below: int | None = None,
         above: int | None = None, narrowed: bool = True) -> Plan:
    """The plan of one page of a search (one or two small queries: see HORIZON). `narrowed`: a view or filter
    may drop matches; without one, every match of the shop is a row of the page."""
    if session.get_bind().dialect.name == "postgresql":
        return Plan(window=_estimated_entries(session, query_terms) > GIN_BUDGET)
    if not narrowed:
        # Every match of the shop is a row of the page: FTS5 reads them newest first and the page stops after it.
        return Plan(window=False)
    # The id of the HORIZON-th match next to the cursor, by reading ids off the index (no documents): 0 when
    # there are no more matches than that, so the page reads them all.
    floor = session.scalar(_sqlite_window(sa.select(_FTS.c.rowid), shop_id, query_terms, below, above)
                           .offset(HORIZON["sqlite"]).limit(1))
    return Plan(window=floor is not None, floor=floor or 0)


def _estimated_entries(session, query_terms: list[str]) -> int:
    """The planner's estimate of the GIN index entries a search reads: the documents holding any of the words
    (each word's entries are all collected). From the statistics ANALYZE keeps; no rows are read."""
    found = session.scalar(sa.text("EXPLAIN (FORMAT JSON) SELECT 1 FROM ticket_search "
                                   "WHERE doc @@ to_tsquery('simple', :q)"),
                           {"q": " | ".join(f"{t}:*" for t in query_terms)})
    return int(found[0]["Plan"]["Plan Rows"])


def older_than_window(session, shop_id: int, plan_: Plan, *, below: int | None = None) -> int | None:
    """After a page that was not full: the id of the oldest candidate it looked at when older questions were
    left unsearched (the cursor to go on from), else None."""
    if not plan_.window:
        return None
    if session.get_bind().dialect.name != "postgresql":
        return plan_.floor or None
    # The window's last ticket, if one lies beyond it.
    rows = session.scalars(_pg_window(shop_id, below, None, _TS.c.ticket_id)
                           .offset(HORIZON["postgresql"] - 1).limit(2)).all()
    return rows[0] if len(rows) == 2 else None


def match(query, ticket, dialect: str, shop_id: int, query_terms: list[str], plan_: Plan | None = None, *,
          below: int | None = None, above: int | None = None):
    """`query` (a SELECT over `ticket`) narrowed to tickets whose document contains every term (by prefix),
    newest first, within the plan's bound (see plan(); None: every match).

    SQLite: the FTS index drives the join and gives rows in descending id order, so the database stops after a
    page of matches; the plan's floor keeps a page whose view holds few of them from reading every match.

    PostgreSQL has no index that is both full-text and ordered. Rare words go through the GIN index: every
    match, sorted by id (few). Common words walk the shop's newest HORIZON tickets backwards and test each
    document, stopping after a page (a LIMIT in a subquery, so the planner cannot swap in the GIN index).

    `below` / `above`: only tickets with a lower / higher id (the next or previous page after a cursor); with
    `above` the matches come oldest first (the caller turns them round).
    """
    plan_ = plan_ or Plan(window=False)
    if dialect == "postgresql":
        ts = _TS
        tsquery = sa.func.to_tsquery("simple", " & ".join(f"{t}:*" for t in query_terms))
        if plan_.window:
            recent = (_pg_window(shop_id, below, above, ts.c.ticket_id, ts.c.doc)
                      .limit(HORIZON["postgresql"]).subquery("recent"))
            return (query.join(recent, recent.c.ticket_id == ticket.id).where(recent.c.doc.op("@@")(tsquery))
                    .order_by(recent.c.ticket_id.asc() if above is not None else recent.c.ticket_id.desc()))
        query = (query.join(ts, ts.c.ticket_id == ticket.id)
                 .where(ts.c.shop_id == shop_id).where(ts.c.doc.op("@@")(tsquery)))
        query = _bounded(query, ts.c.ticket_id, below, above)
        # "+ 0" keeps the planner off the backward walk over the primary key: the GIN index goes first.
        return query.order_by((ts.c.ticket_id + 0).asc() if above is not None else (ts.c.ticket_id + 0).desc())
    fts = _FTS
    query = _sqlite_window(query.join(fts, fts.c.rowid == ticket.id), shop_id, query_terms, below, above)
    if plan_.floor:
        query = query.where(fts.c.rowid <= plan_.floor if above is not None else fts.c.rowid >= plan_.floor)
    return query


# -- the window of candidates: what one page of a search reads, next to its cursor ---------------------------

_TS = sa.table("ticket_search", sa.column("ticket_id"), sa.column("shop_id"), sa.column("doc"))
_FTS = sa.table("ticket_fts", sa.column("rowid"))

# The FTS5 index holds every shop's tickets, newest first: the walk starts at the shop's newest ticket and stops
# at its oldest (two probes of the (shop, id) index), so the matches of other shops' newer or older tickets are
# never read, joined and dropped (a bulk load's other shop, all newer: 8,829 matches before the first of the
# shop's own for "levering" at 1,000,000). Where shops' tickets alternate, each still reads the others' between.
SQLITE_IN_SHOP = ("ticket_fts.rowid BETWEEN (SELECT min(id) FROM ticket WHERE shop_id = :shop) "
                  "AND (SELECT max(id) FROM ticket WHERE shop_id = :shop)")


def _sqlite_window(query, shop_id: int, query_terms: list[str], below: int | None, above: int | None):
    """SQLite: `query` (over ticket_fts) narrowed to the shop's matches of the terms past the cursor, in the
    order FTS5 reads them (newest first; oldest first with `above`). plan() finds the HORIZON-th of them, match()
    joins them."""
    fts = _FTS
    query = _bounded(query.where(sa.text("ticket_fts MATCH :match").bindparams(match=_fts_expr(query_terms)))
                     .where(sa.text(SQLITE_IN_SHOP).bindparams(shop=shop_id)), fts.c.rowid, below, above)
    return query.order_by(fts.c.rowid.asc() if above is not None else fts.c.rowid.desc())


def _pg_window(shop_id: int, below: int | None, above: int | None, *columns):
    """PostgreSQL: the shop's search documents past the cursor (these columns of them), newest first (oldest
    first with `above`); match() tests the first HORIZON, older_than_window() names the last of those.

    The shop as a range and first in the order: only the (shop_id, ticket_id) index gives that order, where
    "shop_id = :s" would let the planner walk the primary key backwards through other shops' newer tickets
    (1,000,000 rows before the first of the Demo Shop's in the bench)."""
    ids, shop = _TS.c.ticket_id, _TS.c.shop_id
    order = [shop.asc(), ids.asc()] if above is not None else [shop.desc(), ids.desc()]
    return _bounded(sa.select(*columns).where(shop >= shop_id, shop <= shop_id), ids, below, above).order_by(*order)


def _fts_expr(query_terms: list[str]) -> str:
    # Each term is letters and digits only (WORD), quoted all the same: FTS5 then reads no operator in it.
    return " ".join(f'"{t}"*' for t in query_terms)


def _bounded(query, column, below: int | None, above: int | None):
    if below is not None:
        query = query.where(column < below)
    if above is not None:
        query = query.where(column > above)
    return query


def highlight(text: str | None, query_terms: list[str]) -> Markup:
    """The text, escaped, with every word that starts with a search term wrapped in <mark>."""
    text = text or ""
    terms_ = tuple(query_terms)
    # Most texts on a page of results hold no term at all (the match was elsewhere in the thread): one
    # substring test settles those, and ASCII words need no Unicode folding.
    if not terms_:
        return escape(text)
    folded = text.lower() if text.isascii() else fold(text)
    if not any(t in folded for t in terms_):
        return escape(text)
    out, last = [], 0
    for m in WORD.finditer(text):
        word = m.group().lower() if m.group().isascii() else fold(m.group())
        if word.startswith(terms_):
            out.append(escape(text[last:m.start()]))
            out.append(Markup("<mark>%s</mark>") % m.group())
            last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


# -- the index itself -------------------------------------------------------------------------------------

SQLITE_HEAD = ("coalesce({t}.subject, '') || ' ' || coalesce({t}.customer_name, '') || ' ' || "
               "coalesce({t}.customer_email, '') || ' ' || coalesce({t}.order_number, '')")

# A prefix index for every length a search term has (2 to 10 letters): "retour"* then reads one ready list, newest
# first, and stops after a page, where without one FTS5 merges the lists of every word that starts so (retour,
# retourlabel, retourneren ...) in full: 0.1 ms against 250 ms at 1,000,000 tickets. It costs about 80% more
# index work per message written.
SQLITE_PREFIXES = "2 3 4 5 6 7 8 9 10"
SQLITE_TABLE = ("CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5("
                f"head, body, tokenize='unicode61 remove_diacritics 2', prefix='{SQLITE_PREFIXES}')")
SQLITE_TRIGGERS = {
    # bandit B608: the DDL is built from the constants above.
    "ticket_fts_ai": f"""CREATE TRIGGER IF NOT EXISTS ticket_fts_ai AFTER INSERT ON ticket BEGIN
        INSERT INTO ticket_fts(rowid, head, body) VALUES (new.id, {SQLITE_HEAD.format(t='new')}, ''); END""",  # nosec B608
    # bandit B608: the DDL is built from the constants above.
    "ticket_fts_au": f"""CREATE TRIGGER IF NOT EXISTS ticket_fts_au
        AFTER UPDATE OF subject, customer_name, customer_email, order_number ON ticket BEGIN
        UPDATE ticket_fts SET head = {SQLITE_HEAD.format(t='new')} WHERE rowid = new.id; END""",  # nosec B608
    "ticket_fts_ad": """CREATE TRIGGER IF NOT EXISTS ticket_fts_ad AFTER DELETE ON ticket BEGIN
        DELETE FROM ticket_fts WHERE rowid = old.id; END""",
    # Appending is cheap; edits of a message's text are rare and rebuild the ticket's body.
    # No trigger on message delete: messages are only deleted with their ticket, which drops the row.
    "message_fts_ai": """CREATE TRIGGER IF NOT EXISTS message_fts_ai AFTER INSERT ON message BEGIN
        UPDATE ticket_fts SET body = body || ' ' || coalesce(new.body, '') WHERE rowid = new.ticket_id; END""",
    "message_fts_au": """CREATE TRIGGER IF NOT EXISTS message_fts_au AFTER UPDATE OF body ON message BEGIN
        UPDATE ticket_fts SET body = (SELECT group_concat(coalesce(body, ''), ' ') FROM message
        WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id; END""",
}



def _replaced(text: str, characters: str) -> str:
    """SQL: `text` with each of the characters replaced by a space."""
    for c in characters:
        text = f"replace({text}, '{c}', ' ')"
    return text


def pg_vector(text: str) -> str:
    """The SQL of a part of a PostgreSQL search document: the tsvector of the SQL expression `text`."""
    return f"to_tsvector('simple', public.inbox_fold({text}))"


PG_HEAD = pg_vector("coalesce({t}.subject, '') || ' ' || coalesce({t}.customer_name, '') || ' ' || "
                    "coalesce({t}.customer_email, '') || ' ' || coalesce({t}.order_number, '')")
PG_SEPARATORS = "@._-/:"
# translate() folds the common Latin diacritics without needing the unaccent extension.
# Separators become spaces so e-mail addresses and URLs split into words, as they do in FTS5.
# Most texts are ASCII (each character one byte; 'á' takes two where characters may, in UTF-8): for those only the
# separators change, and six replace() calls find them ten times faster than translate() walks its list of 34 for
# each character (100 MB of messages: 1.2 s against 12 s, a large part of a bulk load's search documents).
# bandit B608: the DDL is built from the constants above.
PG_FOLD = f"""CREATE OR REPLACE FUNCTION public.inbox_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN octet_length(t) = length(t) AND octet_length('á') = 2
                THEN {_replaced("lower(t)", PG_SEPARATORS)}
                ELSE translate(lower(t), 'áàâäãåéèêëíìîïóòôöõúùûüýÿñç{PG_SEPARATORS}',
                                         'aaaaaaeeeeiiiiooooouuuuyync      ') END $$"""  # nosec B608
PG_STATEMENTS = [
    PG_FOLD,
    """CREATE TABLE IF NOT EXISTS ticket_search (
        ticket_id integer PRIMARY KEY REFERENCES ticket(id) ON DELETE CASCADE,
        shop_id integer NOT NULL,
        head tsvector NOT NULL DEFAULT ''::tsvector,
        body tsvector NOT NULL DEFAULT ''::tsvector,
        doc tsvector GENERATED ALWAYS AS (head || body) STORED)""",
    # bandit B608: the DDL is built from the constants above.
    f"""CREATE OR REPLACE FUNCTION public.inbox_ticket_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_search (ticket_id, shop_id, head) VALUES (NEW.id, NEW.shop_id, {PG_HEAD.format(t='NEW')})
        ON CONFLICT (ticket_id) DO UPDATE SET head = EXCLUDED.head, shop_id = EXCLUDED.shop_id;
        RETURN NULL;
    END $$""",  # nosec B608
    # bandit B608: the DDL is built from the constants above.
    f"""CREATE OR REPLACE FUNCTION public.inbox_message_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE ticket_search SET body = body || to_tsvector('simple', public.inbox_fold(coalesce(NEW.body, '')))
            WHERE ticket_id = NEW.ticket_id;
        ELSE
            UPDATE ticket_search SET body = (SELECT to_tsvector('simple', public.inbox_fold(coalesce(string_agg(body, ' '), '')))
                                             FROM message WHERE ticket_id = NEW.ticket_id)
            WHERE ticket_id = NEW.ticket_id;
        END IF;
        RETURN NULL;
    END $$""",  # nosec B608
]
PG_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_ticket_search_doc ON ticket_search USING gin (doc)",
    "CREATE INDEX IF NOT EXISTS ix_ticket_search_shop ON ticket_search (shop_id, ticket_id)",
]
PG_TRIGGERS = {
    "ticket_search_iu": """CREATE TRIGGER ticket_search_iu AFTER INSERT OR UPDATE OF subject, customer_name, customer_email,
        order_number ON ticket FOR EACH ROW EXECUTE FUNCTION public.inbox_ticket_search()""",
    "message_search_iu": """CREATE TRIGGER message_search_iu AFTER INSERT OR UPDATE OF body ON message
        FOR EACH ROW EXECUTE FUNCTION public.inbox_message_search()""",
}


def owns_table(name: str) -> bool:
    """The index's own tables (and FTS5's shadow tables): created by install(), so migrations leave them be."""
    return name == "ticket_search" or name.startswith("ticket_fts")


def install(engine) -> None:
    """Create the index and its triggers (idempotent). Registered in inbox.schema.EXTRAS, for databases made
    without the migrations (tests); the migrations call install_on()."""
    with engine.begin() as conn:
        install_on(conn)


def install_on(conn) -> None:
    """The index, its triggers and (PostgreSQL) its functions on this connection, idempotent; when the index
    is new on a database that already holds tickets, they are indexed (the migration's backfill)."""
    if conn.dialect.name == "sqlite":
        made = conn.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'"))
        if made and f"prefix='{SQLITE_PREFIXES}'" not in made:   # an index of an earlier shape: made anew
            conn.exec_driver_sql("DROP TABLE ticket_fts")
    existed = sa.inspect(conn).has_table("ticket_search" if conn.dialect.name == "postgresql" else "ticket_fts")
    _install(conn)
    if not existed:
        rebuild_all(conn)


def uninstall_on(conn) -> None:
    """Everything install_on() made (the migration's downgrade)."""
    drop_triggers(conn)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TABLE IF EXISTS ticket_search")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS public.inbox_ticket_search()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS public.inbox_message_search()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS public.inbox_fold(text)")
    else:
        conn.exec_driver_sql("DROP TABLE IF EXISTS ticket_fts")


def _install(conn) -> None:
    if conn.dialect.name == "postgresql":
        for statement in PG_STATEMENTS + PG_INDEXES:
            conn.exec_driver_sql(statement)
        for name, statement in PG_TRIGGERS.items():
            table = "ticket" if name.startswith("ticket") else "message"
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            conn.exec_driver_sql(statement)
    else:
        conn.exec_driver_sql(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS.values():
            conn.exec_driver_sql(statement)


def install_indexes(conn) -> None:
    """PostgreSQL's indexes of the documents (after a bulk load that went without them)."""
    for statement in PG_INDEXES:
        conn.exec_driver_sql(statement)


def drop_triggers(conn) -> None:
    """For bulk loads: write without per-row index upkeep, then call rebuild()."""
    if conn.dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {'ticket' if name.startswith('ticket') else 'message'}")
    else:
        for name in SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_all(conn) -> None:
    """Index every ticket anew: one statement per table, each ticket's messages read by the (ticket, time)
    index, so a million tickets take minutes, not hours."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE ticket_search")
        for statement in PG_INDEXES:   # one build after the rows, not a million insertions into a GIN index
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {statement.split(' ')[5]}")
        conn.exec_driver_sql(_pg_documents(""))
        for statement in PG_INDEXES:
            conn.exec_driver_sql(statement)
    else:
        conn.exec_driver_sql("DELETE FROM ticket_fts")
        conn.exec_driver_sql(_sqlite_documents(""))


def rebuild(conn, shop_id: int) -> None:
    """(Re)build the documents of one shop's tickets in a single statement per table."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DELETE FROM ticket_search WHERE shop_id = :s"), {"s": shop_id})
        conn.execute(sa.text(_pg_documents("WHERE t.shop_id = :s")), {"s": shop_id})
    else:
        conn.execute(sa.text("DELETE FROM ticket_fts WHERE rowid IN (SELECT id FROM ticket WHERE shop_id = :s)"),
                     {"s": shop_id})
        conn.execute(sa.text(_sqlite_documents("WHERE t.shop_id = :s")), {"s": shop_id})


def _pg_documents(where: str) -> str:
    # bandit B608: only the PG_HEAD constant and a fixed WHERE clause are formatted in.
    return f"""
        INSERT INTO ticket_search (ticket_id, shop_id, head, body)
        SELECT t.id, t.shop_id, {PG_HEAD.format(t='t')},
               {pg_vector("coalesce((SELECT string_agg(body, ' ' ORDER BY id) FROM message m WHERE m.ticket_id = t.id), '')")}
        FROM ticket t {where}"""  # nosec B608


def _sqlite_documents(where: str) -> str:
    # bandit B608: only the SQLITE_HEAD constant and a fixed WHERE clause are formatted in.
    return f"""
        INSERT INTO ticket_fts (rowid, head, body)
        SELECT t.id, {SQLITE_HEAD.format(t='t')},
               coalesce((SELECT group_concat(body, ' ') FROM message m WHERE m.ticket_id = t.id), '')
        FROM ticket t {where}"""  # nosec B608
