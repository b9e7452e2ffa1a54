"""The shop's help centre: articles, their search, and the counters behind the deflection rate.

Search is bounded, not a database index: a shop has tens of articles, a thousand at most, so each process keeps
one small inverted index per shop (folded words -> article ids, in memory) and rebuilds it when the shop's
articles change (their count or newest updated_at moves; one indexed query per request checks that). The same
code answers on SQLite and PostgreSQL, and a search is a few set unions (bench/help.py measures it).
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup

from inbox import clock, sanitize
from inbox.extensions import db
from inbox.labels import CATEGORY_LABELS
from inbox.models import HelpArticle, HelpArticleWeek, Message, Shop, Ticket, User
from inbox.search import WORD, fold, stem_prefix
from inbox.services import audit

LANGUAGES = ("nl", "en")
CATEGORIES = tuple(CATEGORY_LABELS)   # the question categories of the inbox, in their order
COUNTERS = ("shown", "opened", "answered", "sent")
SUGGESTIONS = 4
MAX_QUERY_TERMS = 16
MIN_TERM = 3
MIN_STEM_FALLBACK = 5
CACHED_SHOPS = 64
# Words that say nothing about the subject of a question, in both languages (kept short: every real word counts).
STOPWORDS = frozenset("""
    aan alle als ben bij dag dan dat deze die dit doe doen een geen had heb hebben heeft het hier hoe hun iets ik
    jij jou jullie kan kon kunnen maar meer met mijn mij moet naar niet nog nou ook over van veel voor wat waar wel
    werd wie wil zal ze zij zijn zou
    about all and are but can could did does dont for from get got had has have hello her his how its just more
    not now one our out she some than that the their them then there they this was what when where which who
    why will with would you your
    goedendag hallo hoi beste dank bedankt groet groeten vriendelijke thanks thank regards dear please graag
""".split())

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> Markup:
    """An article's Markdown as HTML: raw HTML in the text is shown as text, and the result goes through the
    same sanitiser as customer mail (links get rel=noopener, remote images stay blocked)."""
    # bandit B704: the HTML is what nh3 (sanitize.clean_html) let through, the sanitiser for customer mail too.
    return Markup(sanitize.clean_html(_markdown.render(text or "")))  # nosec B704


def slug(title: str) -> str:
    """The words of a title for its URL: "Retour sturen?" -> "retour-sturen"."""
    return "-".join(WORD.findall(fold(title or "")))[:80].strip("-") or "artikel"


def title(article, language: str) -> str:
    """The title in `language`, else in the other one."""
    return _pick(article, language)[0]


def _pick(article, language: str) -> tuple[str, str, str]:
    """(title, body, language) in the asked language, falling back to the other when that one is not written."""
    for lang in (language, *(code for code in LANGUAGES if code != language)):
        if lang in LANGUAGES and (getattr(article, f"title_{lang}") or "").strip():
            return getattr(article, f"title_{lang}"), getattr(article, f"body_{lang}") or "", lang
    return "", "", language


# -- the public side: what customers see ---------------------------------------------------------------


@dataclass
class Entry:
    """A published article as the index holds it: enough for a list, a suggestion and a link."""
    id: int
    category: str
    position: int
    titles: dict[str, str]
    snippets: dict[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language) or next((t for t in self.titles.values() if t), "")

    def snippet(self, language: str) -> str:
        return self.snippets.get(language) if self.titles.get(language) else next(iter(self.snippets.values()), "")

    def slug(self, language: str) -> str:
        return slug(self.title(language))


@dataclass
class Index:
    entries: dict[int, Entry] = field(default_factory=dict)
    ordered: list[Entry] = field(default_factory=list)
    vocabulary: list[str] = field(default_factory=list)   # sorted, for prefix ranges
    postings: dict[str, frozenset[int]] = field(default_factory=dict)
    title_vocabulary: list[str] = field(default_factory=list)   # the same for the titles' words alone
    title_postings: dict[str, frozenset[int]] = field(default_factory=dict)


def _snippet(body: str, length: int = 160) -> str:
    # Emphasis marks go without a trace ("**dekbed**," stays "dekbed,"); list, heading and table marks become spaces,
    # but a hyphen inside a word stays ("e-mail", "track & trace-link").
    text = re.sub(r"[*_`]+", "", body or "")
    text = re.sub(r"(?m)^\s*[-+]\s+|(?<!\w)-+|-+(?!\w)|[#>\[\]()|]+", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _build(rows) -> Index:
    index = Index()
    postings: dict[str, set[int]] = {}
    title_postings: dict[str, set[int]] = {}
    for row in rows:
        titles = {lang: getattr(row, f"title_{lang}") for lang in LANGUAGES
                  if (getattr(row, f"title_{lang}") or "").strip()}
        if not titles:
            continue
        entry = Entry(row.id, row.category, row.position, titles,
                      {lang: _snippet(getattr(row, f"body_{lang}")) for lang in titles})
        index.entries[row.id] = entry
        index.ordered.append(entry)
        head = " ".join(titles.values())
        text = head + " " + " ".join(getattr(row, f"body_{lang}") or "" for lang in titles)
        for word in set(WORD.findall(fold(text))):
            postings.setdefault(word, set()).add(row.id)
        for word in set(WORD.findall(fold(head))):
            title_postings.setdefault(word, set()).add(row.id)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    index.ordered.sort(key=lambda e: (order.get(e.category, len(order)), e.position, e.id))
    index.vocabulary = sorted(postings)
    index.postings = {word: frozenset(ids) for word, ids in postings.items()}
    index.title_vocabulary = sorted(title_postings)
    index.title_postings = {word: frozenset(ids) for word, ids in title_postings.items()}
    return index


_COLUMNS = (HelpArticle.id, HelpArticle.category, HelpArticle.position, HelpArticle.title_nl, HelpArticle.body_nl,
            HelpArticle.title_en, HelpArticle.body_en)


def index_for(shop_id: int) -> Index:
    """The shop's published articles, indexed; each process keeps the index of its last CACHED_SHOPS shops."""
    cache = current_app.extensions.setdefault("inbox_help_index", OrderedDict())
    version = tuple(db.session.execute(
        sa.select(sa.func.count(), sa.func.max(HelpArticle.updated_at)).where(HelpArticle.shop_id == shop_id)).one())
    kept = cache.get(shop_id)
    if kept is not None and kept[0] == version:
        cache.move_to_end(shop_id)
        return kept[1]
    rows = db.session.execute(sa.select(*_COLUMNS).where(HelpArticle.shop_id == shop_id,
                                                           HelpArticle.published.is_(True)))
    index = _build(rows)
    cache[shop_id] = (version, index)
    while len(cache) > CACHED_SHOPS:
        cache.popitem(last=False)
    return index


def query_terms(text: str) -> list[str]:
    """The words of what a customer typed that say something: folded, stemmed to prefixes, no stopwords."""
    found = []
    for word in WORD.findall(fold(text or "")):
        if len(word) < MIN_TERM or word in STOPWORDS or word.isdecimal():
            continue
        prefix = stem_prefix(word)
        if prefix not in found:
            found.append(prefix)
        if len(found) == MAX_QUERY_TERMS:
            break
    return found


def _matches(index: Index, term: str, titles: bool = False) -> set[int]:
    """The articles with a word that starts with `term` (in their titles only, if asked): a range of the sorted
    vocabulary."""
    words, postings = ((index.title_vocabulary, index.title_postings) if titles
                       else (index.vocabulary, index.postings))
    ids: set[int] = set()
    i = bisect_left(words, term)
    while i < len(words) and words[i].startswith(term):
        ids |= postings[words[i]]
        i += 1
    return ids


def search(index: Index, text: str, limit: int | None = None) -> list[Entry]:
    """Articles ranked by how well they match: each word counts by how rare it is among the articles (a word in
    every article says nothing), twice when it is in the title."""
    terms = query_terms(text)
    if not terms or not index.entries:
        return []
    total = len(index.entries)
    scores: dict[int, float] = {}
    for term in terms:
        ids = _matches(index, term)
        # A long word the index has no form of ("retourneren") may share a shorter stem with one ("retour").
        shorter = term
        while not ids and len(shorter) > MIN_STEM_FALLBACK and len(term) - len(shorter) < 3:
            shorter = shorter[:-1]
            ids = _matches(index, shorter)
        term = shorter
        if not ids or (total > 3 and len(ids) > total * 0.6):
            continue
        weight = math.log(1 + total / len(ids))
        in_title = _matches(index, term, titles=True)
        for article_id in ids:
            scores[article_id] = scores.get(article_id, 0.0) + weight * (2 if article_id in in_title else 1)
    ranked = sorted(scores, key=lambda i: (-scores[i], index.entries[i].position, i))
    return [index.entries[i] for i in ranked[:limit]]


def suggest(index: Index, subject: str, body: str) -> list[Entry]:
    """What the contact form offers while the customer types: the subject and the start of the question."""
    return search(index, f"{subject or ''} {(body or '')[:2000]}", SUGGESTIONS)


def for_reply(index: Index, ticket: Ticket, question: str, query: str, limit: int = 12) -> list[Entry]:
    """The articles an agent may link in a reply: what the agent searches for, else those that match the
    customer's question first and then the rest in the help centre's order."""
    if query.strip():
        return search(index, query, limit)
    found = suggest(index, ticket.subject, question)
    seen = {e.id for e in found}
    return (found + [e for e in index.ordered if e.id not in seen])[:limit]


def grouped(entries) -> list[tuple[str, list[Entry]]]:
    """(category, articles) in the inbox's category order."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.category, []).append(entry)
    return list(groups.items())


def published(shop_id: int, article_id: int) -> HelpArticle | None:
    return db.session.scalar(sa.select(HelpArticle).where(HelpArticle.id == article_id, HelpArticle.shop_id == shop_id,
                                                          HelpArticle.published.is_(True)))


def page_text(article: HelpArticle, language: str) -> tuple[str, Markup, str]:
    """(title, body as safe HTML, the language it is in) for the article page."""
    head, body, lang = _pick(article, language)
    return head, render(body), lang


# -- counters ---------------------------------------------------------------------------------------------


def week_of(shop: Shop, at: datetime | None = None) -> date:
    """The Monday of the shop's week at `at` (now)."""
    day = (at or clock.now()).astimezone(shop.tz).date()
    return day - timedelta(days=day.weekday())


def count(shop: Shop, article_ids, counter: str) -> None:
    """Add one to `counter` of each article (of this shop) for this week: one statement for all of them (an
    INSERT … SELECT over the shop's articles that adds to the week's row where there is one), no row per view.
    The caller commits."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return
    week = week_of(shop)
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = HelpArticleWeek.__table__
    # Only this shop's articles are counted: another shop's id in the form matches no row.
    source = sa.select(sa.literal(shop.id), HelpArticle.id, sa.literal(week, table.c.week.type),
                       *(sa.literal(int(c == counter)) for c in COUNTERS)).where(
        HelpArticle.shop_id == shop.id, HelpArticle.id.in_(ids))
    statement = insert(table).from_select(["shop_id", "article_id", "week", *COUNTERS], source)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["article_id", "week"], set_={counter: table.c[counter] + 1}))


@dataclass
class Figures:
    shown: int = 0
    opened: int = 0
    answered: int = 0
    sent: int = 0

    @property
    def not_sent(self) -> int:
        """Contact forms where the article was suggested and the question was then not sent."""
        return max(0, self.shown - self.sent)

    @property
    def rate(self) -> float | None:
        """The deflection rate: of the forms that suggested it, the share that sent nothing."""
        return self.not_sent / self.shown if self.shown else None


def figures(shop: Shop, weeks: int = 8) -> tuple[list[tuple[HelpArticle, Figures]], list[tuple[date, Figures]]]:
    """Per article (over the last `weeks` weeks) and per week (all articles): the managers' deflection view."""
    since = week_of(shop) - timedelta(weeks=weeks - 1)
    w = HelpArticleWeek
    sums = [sa.func.sum(getattr(w, c)) for c in COUNTERS]
    per_article = {row[0]: Figures(*(int(v or 0) for v in row[1:])) for row in db.session.execute(
        sa.select(w.article_id, *sums).where(w.shop_id == shop.id, w.week >= since).group_by(w.article_id))}
    per_week = {row[0]: Figures(*(int(v or 0) for v in row[1:])) for row in db.session.execute(
        sa.select(w.week, *sums).where(w.shop_id == shop.id, w.week >= since).group_by(w.week))}
    articles = all_articles(shop.id)
    by_article = sorted(((a, per_article.get(a.id, Figures())) for a in articles),
                        key=lambda pair: (-pair[1].shown, -pair[1].opened, pair[0].id))
    by_week = [(since + timedelta(weeks=i), per_week.get(since + timedelta(weeks=i), Figures()))
               for i in reversed(range(weeks))]
    return by_article, by_week


# -- the staff side: writing and ordering -----------------------------------------------------------------


def all_articles(shop_id: int) -> list[HelpArticle]:
    """Every article of the shop, drafts too, in the order the help page shows them."""
    order = sa.case({c: i for i, c in enumerate(CATEGORIES)}, value=HelpArticle.category, else_=len(CATEGORIES))
    return list(db.session.scalars(sa.select(HelpArticle).where(HelpArticle.shop_id == shop_id)
                                   .order_by(order, HelpArticle.position, HelpArticle.id)))


def get(shop_id: int, article_id: int) -> HelpArticle | None:
    return db.session.scalar(sa.select(HelpArticle).where(HelpArticle.id == article_id, HelpArticle.shop_id == shop_id))


def save(article: HelpArticle, *, category: str, published: bool, texts: dict[str, tuple[str, str]],
         by: User) -> HelpArticle:
    """Create or update an article; `texts` maps a language to (title, body). New articles go last in their
    category. The caller commits."""
    created = article.id is None
    if created or article.category != category:
        last = db.session.scalar(sa.select(sa.func.max(HelpArticle.position)).where(
            HelpArticle.shop_id == article.shop_id, HelpArticle.category == category))
        article.position = (last or 0) + 1
    article.category, article.published = category, published
    for lang, (head, body) in texts.items():
        setattr(article, f"title_{lang}", (head or "").strip())
        setattr(article, f"body_{lang}", body or "")
    if created:
        article.created_by = by.id
        db.session.add(article)
    article.updated_at = clock.now()
    db.session.flush()
    audit.record(article.shop_id, "help.create" if created else "help.update", actor=by,
                 new=title(article, by.locale or "nl"))
    return article


def move(article: HelpArticle, direction: int, *, by: User) -> None:
    """Swap the article with its neighbour in the same category (up: -1, down: +1)."""
    siblings = [a for a in all_articles(article.shop_id) if a.category == article.category]
    at = siblings.index(article)
    other = at + direction
    if not 0 <= other < len(siblings):
        return
    # Positions may have gaps or ties (after a category change): number the category afresh, then swap.
    siblings[at], siblings[other] = siblings[other], siblings[at]
    now = clock.now()
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position, sibling.updated_at = position, now
    article.updated_at = now
    audit.record(article.shop_id, "help.move", actor=by, new=title(article, by.locale or "nl"))


def delete(article: HelpArticle, *, by: User) -> None:
    audit.record(article.shop_id, "help.delete", actor=by, old=title(article, by.locale or "nl"))
    db.session.execute(sa.delete(HelpArticleWeek).where(HelpArticleWeek.article_id == article.id))
    db.session.delete(article)


def draft_from_message(shop_id: int, message_id: int) -> tuple[str, str, str, str] | None:
    """(language, title, body, category) for a new article made from one of the shop's replies: the reply's text
    and the ticket's subject, language and category, for the manager to edit into something general."""
    row = db.session.execute(
        sa.select(Message.body, Ticket.subject, Ticket.language, Ticket.category)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Message.id == message_id, Message.shop_id == shop_id, Message.kind == "reply")).one_or_none()
    if row is None:
        return None
    language = row.language if row.language in LANGUAGES else "nl"
    category = row.category if row.category in CATEGORY_LABELS else "general"
    return language, (row.subject or "")[:200], row.body or "", category


def draft_for_reply(shop_id: int, language: str, title_: str, body: str) -> HelpArticle | None:
    """The unpublished article already made from this reply's text (a second click), if any."""
    if language not in LANGUAGES:
        return None
    return db.session.scalar(sa.select(HelpArticle).where(
        HelpArticle.shop_id == shop_id, HelpArticle.published.is_(False),
        getattr(HelpArticle, f"title_{language}") == title_.strip()[:200],
        getattr(HelpArticle, f"body_{language}") == body).limit(1))


def ticket_of_message(shop_id: int, message_id: int) -> int | None:
    return db.session.scalar(sa.select(Message.ticket_id).where(Message.id == message_id, Message.shop_id == shop_id))
