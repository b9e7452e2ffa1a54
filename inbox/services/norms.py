"""The norms, measured from the database: aggregated queries feeding the pure inbox.metrics, the
weekly check, and its one e-mail per week.

The weekly counts come from the kept days and weeks (inbox.services.ticket_days, product_weeks, norm_weeks);
the SQL building blocks they share with the queries here are in inbox.services.norm_sql.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal, gettext as _
from sqlalchemy.exc import IntegrityError

from inbox import clock, metrics
from inbox.extensions import db, statement
from inbox.i18n import business_duration, force_locale
from inbox.models import NormNotice, NormSettings, NormWeek, PhoneHours, Shop, Ticket, User
from inbox.services import (audit, count_progress, keyset, mail, norm_weeks, product_weeks, public_url, recount,
                            service_counts, sla, ticket_days, webhooks)
from inbox.services.phone_hours import DEFAULT_PHONE_HOURS, closures, phone_calendar, phone_weekly_hours  # noqa: F401
from inbox.services.norm_sql import CLOCK_START, LATE, MAYBE_LATE, UNANSWERED, in_period, missing_at, waiting_at
from inbox.labels import CATEGORY_LABELS
from inbox.workflow import Role

log = logging.getLogger(__name__)

# The performance page shows 13 weeks, with the 13 before them for the expected question rate.
PAGE_WEEKS = 26


# -- response time ----------------------------------------------------------------------------------

def weekly_tickets(shop: Shop, weeks: list[metrics.Week], now: datetime,
                   assignee_id: int | None = None) -> list[metrics.WeekScore]:
    """Per week: questions on time, late, missing and still waiting (the assignee's only, if given), from the
    daily counts kept with every ticket change (inbox.services.ticket_days)."""
    return ticket_days.weekly_response(shop, weeks, now, assignee_id)


def miss_count(shop: Shop, now: datetime) -> int:
    """This week's misses: late first reactions plus questions still without one past their due time."""
    week = metrics.week_of(now, shop.tz)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(
        in_period(shop.id, week.start, week.end), sa.or_(LATE, missing_at(now)))) or 0


@statement
def _tickets_version():
    # Three index probes: the newest ticket of any shop (an insert, even one backdated), this shop's latest written
    # ticket (an UPDATE that moves updated_at, even one made past the ORM), and the week's version in `norm_week`,
    # which every ORM change to one of the week's tickets bumps in its own transaction (norm_weeks._note_changes):
    # also a deleted ticket, or a mail imported with an old date.
    return sa.select(sa.select(sa.func.max(Ticket.id)).scalar_subquery(),
                     sa.select(sa.func.max(Ticket.updated_at))
                     .where(Ticket.shop_id == sa.bindparam("shop_id")).scalar_subquery(),
                     sa.select(NormWeek.version).where(NormWeek.shop_id == sa.bindparam("shop_id"),
                                                       NormWeek.week_start == sa.bindparam("week_start"))
                     .scalar_subquery())


def banner_miss_count(shop: Shop, now: datetime) -> int:
    """miss_count for the inbox's banner (on every page of a manager), kept per process only while the database
    shows it cannot have moved (_tickets_version) and no waiting question's due time passed. So the banner agrees
    with the performance page whichever process serves either. Nothing while the shop is counted again after an
    update (its pages say so; without a worker, this starts the count)."""
    if not count_progress.of_shop(shop).done:
        recount.count_in_background()
        return 0
    week = metrics.week_of(now, shop.tz)
    version = (*db.session.execute(_tickets_version(), {"shop_id": shop.id, "week_start": week.start}).one(),
               week.start)
    store = current_app.extensions.setdefault("inbox_miss_counts", {})
    hit = store.get(shop.id)
    if hit is not None and hit[0] == version and now < hit[1]:
        return hit[2]
    count = miss_count(shop, now)
    next_due = db.session.scalar(sa.select(sa.func.min(Ticket.first_reply_due_at)).where(
        in_period(shop.id, week.start, week.end), waiting_at(now)))
    store[shop.id] = (version, min(next_due, week.end) if next_due else week.end, count)
    return count


@dataclass(frozen=True)
class Miss:
    ticket_id: int
    subject: str
    clock_start: datetime
    due: datetime | None
    first_reply_at: datetime | None
    late_seconds: int           # business seconds past due (so far, when still unanswered)
    assignee: str | None
    forwarded: bool


def week_misses(shop: Shop, week: metrics.Week, now: datetime, assignee_id: int | None = None,
                limit: int | None = None) -> list[Miss]:
    """Each miss of the week (the `limit` latest, if given), latest first, with how late it was in business time.

    A page of the latest misses reads no more than that many rows of each of two partial indexes on (shop, clock
    start, id), merged here: the late first reactions (norm_sql.MAYBE_LATE) and the questions without one, past
    their due time (norm_sql.UNANSWERED, whose index carries the due time, so the week's questions still waiting
    are passed over in the index); so neither the week's questions answered in time nor all of those without one
    are walked, however many the week holds. Only when these leave the page short come the week's questions
    (norm_sql.in_period) received in it but forwarded before it (their clock starts before the week, so they come
    last)."""
    # The assignee's name by a subquery rather than a join: PostgreSQL then reads the index in the page's order and
    # stops at the page, where with a join it guessed a few rows and joined and sorted every miss of the week.
    assignee = sa.select(User.display_name).where(User.id == Ticket.assignee_id).scalar_subquery()
    columns = (Ticket.id, Ticket.subject, CLOCK_START, Ticket.first_reply_due_at, Ticket.first_reply_at,
               Ticket.first_reply_margin, assignee, Ticket.forwarded_at)
    where = [Ticket.shop_id == shop.id]
    if assignee_id is not None:
        where.append(Ticket.assignee_id == assignee_id)
    start, end = week.start, week.end

    def part(*conditions):
        query = (sa.select(*columns).where(*where, *conditions)
                 .order_by(CLOCK_START.desc(), Ticket.id.desc()).limit(limit))
        return db.session.execute(query).all()

    in_week = (CLOCK_START >= start, CLOCK_START < end, Ticket.received_at < end)
    rows = [*part(*MAYBE_LATE, LATE, *in_week), *part(UNANSWERED, missing_at(now), *in_week)]
    rows = sorted(rows, key=lambda row: (row[2], row[0]), reverse=True)[:limit]
    if limit is None or len(rows) < limit:
        early = part(sa.or_(LATE, missing_at(now)), Ticket.received_at >= start, Ticket.received_at < end,
                     Ticket.forwarded_at < start)
        rows = (rows + early)[:limit]
    cal = sla.calendar_for(shop)
    result = []
    for tid, subject, start, due, replied, margin, who, forwarded in rows:
        if replied is not None:
            late = -margin if margin is not None else cal.business_seconds_between(due, replied)
        else:
            late = cal.business_seconds_between(due, now)
        result.append(Miss(tid, subject, start, due, replied, max(0, late), who, forwarded is not None))
    return result


def week_forecast(shop: Shop, week: metrics.Week, now: datetime, assignee_id: int | None = None,
                  limit: int | None = None) -> list[metrics.AtRisk]:
    """This week's questions still waiting for a first reaction that are not late yet, soonest due first (the
    `limit` first, if given). Read off the partial index of unanswered questions by due time
    (ix_ticket_unanswered_due, which carries when each clock started), from now on, until `limit` of this week's
    are found: never the week's questions past due, nor all of those still waiting. How many there are is the
    week's `waiting` (weekly_tickets), which counts the same questions: those whose clock started in it."""
    query = (sa.select(Ticket.id, Ticket.forwarded_at, Ticket.received_at, Ticket.first_reply_due_at)
             .where(Ticket.shop_id == shop.id, waiting_at(now))
             .order_by(Ticket.first_reply_due_at, Ticket.id))
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    # In pages of rows after the last one read, not a server-side cursor (on PostgreSQL its DECLARE, FETCH and
    # CLOSE cost more than the rows at 100,000 tickets).
    batch = 4 * (limit or 25)
    due: dict[int, datetime] = {}
    after = None
    while limit is None or len(due) < limit:
        page = query if after is None else query.where(
            *keyset.past(Ticket.first_reply_due_at, Ticket.id, *after, descending=False))
        rows = db.session.execute(page.limit(batch)).all()
        for tid, forwarded, received, at in rows:
            if week.start <= clock.as_utc(forwarded or received) < week.end:
                due[tid] = at
                if len(due) == limit:
                    break
        if len(rows) < batch:
            break
        after = (rows[-1][3], rows[-1][0])
    rows = db.session.execute(sa.select(Ticket.id, Ticket.subject, User.display_name)
                              .outerjoin(User, User.id == Ticket.assignee_id).where(Ticket.id.in_(list(due)))) \
        if due else ()
    return metrics.forecast([(tid, subject, due[tid], who) for tid, subject, who in rows], sla.calendar_for(shop),
                            now)


# -- phone -------------------------------------------------------------------------------------------

def save_settings(shop: Shop, weekly: dict[int, tuple[tuple[str, str], ...]], *, volume_email: bool, by) -> None:
    """The phone's opening hours (weekday -> ("09:00", "17:00") spans; none: closed that day) and the opt-in
    question-volume e-mail. The caller commits."""
    db.session.execute(sa.delete(PhoneHours).where(PhoneHours.shop_id == shop.id))
    for wd, spans in weekly.items():
        for start, end in spans:
            db.session.add(PhoneHours(shop_id=shop.id, weekday=wd, opens=start, closes=end))
    prefs = db.session.scalar(sa.select(NormSettings).where(NormSettings.shop_id == shop.id))
    if prefs is None:
        prefs = NormSettings(shop_id=shop.id)
        db.session.add(prefs)
    prefs.volume_email = volume_email
    hours = "; ".join(f"{wd}:{', '.join(f'{a}-{b}' for a, b in spans)}" for wd, spans in weekly.items() if spans)
    audit.record(shop.id, "norms.settings", actor=by, new=hours)


def phone_weekly(shop: Shop, weeks: list[metrics.Week], now: datetime) -> list[metrics.PhoneScore]:
    """Calls answered, missed and outside the phone's hours per week: weeks that are over kept (norm_weeks)."""
    return [metrics.PhoneScore(w, *c.phone) for w, c in zip(weeks, norm_weeks.week_counts(shop, weeks, now))]



# -- question volume -----------------------------------------------------------------------------------

def weekly_orders(shop: Shop, weeks: list[metrics.Week]) -> list[int]:
    """Distinct order numbers per week, from the kept weeks (inbox.services.product_weeks)."""
    return product_weeks.weekly_orders(shop, weeks)


def product_volume(shop: Shop, recent: list[metrics.Week],
                   history: int = metrics.HISTORY_WEEKS) -> list[metrics.ProductRate]:
    """Per product: questions per 100 orders in the recent weeks against the `history` weeks before, and for a
    product well above its expectation the recent weeks' most common questions, from the kept weeks
    (inbox.services.product_weeks)."""
    past = metrics.weeks_back(recent[0].start - timedelta(hours=12), shop.tz, history)
    counts, categories = [], {}
    for weeks in (recent, past):
        per_product: dict[str, list[int]] = {}
        for (name, category), (questions, lines) in product_weeks.totals(shop, weeks).items():
            row = per_product.setdefault(name, [0, 0])
            row[0] += questions
            row[1] += lines
            if weeks is recent and questions:
                categories.setdefault(name, Counter())[category] += questions
        counts.append({k: tuple(v) for k, v in per_product.items()})
    rows = metrics.product_rates(*counts)
    for r in rows:
        if r.flagged:
            r.categories = categories.get(r.product, Counter()).most_common(3)
    return rows


# -- service measures -------------------------------------------------------------------------------------

DEFAULT_PERIOD_DAYS = 28   # the page's service measures: the last four weeks unless a period is chosen


def service_measures(shop: Shop, start: date, end: date, now: datetime,
                     assignee_id: int | None = None) -> dict[tuple, metrics.ServiceMeasures]:
    """The service measures of the questions whose clock started on the local days start..end, for everyone, per
    agent and per channel (only the assignee's, if given), from the counts kept with every change.

    Counts that do not add up (a row changed past the app) are logged and the period is counted from its tickets
    instead: the right figures, slower, rather than an error page; `flask norms rebuild` mends the counts."""
    try:
        return service_counts.read(shop, start, end, now, assignee_id)
    except ValueError:
        log.exception("The service counts of shop %s do not add up for %s..%s: counted from the tickets instead. "
                      "Run `flask --app inbox norms rebuild --shop %s`.", shop.id, start, end, shop.id)
        return service_counts.read_exact(shop, start, end, now, assignee_id)


# -- the weekly check ------------------------------------------------------------------------------------

def shop_staff(shop: Shop) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.shop_id == shop.id)))


def owners(shop: Shop) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.shop_id == shop.id, User.role == Role.OWNER.value,
                                                         User.active.is_(True)).order_by(User.id)))


def _claim(shop: Shop, norm: str, week: metrics.Week, count: int, now: datetime) -> NormNotice | None:
    """Insert the notice first; only the worker whose insert succeeds sends the e-mail."""
    notice = NormNotice(shop_id=shop.id, norm=norm, iso_year=week.year, iso_week=week.week, count=count, sent_at=now)
    db.session.add(notice)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return notice


def _send(shop: Shop, notice: NormNotice, subject_body) -> bool:
    recipients = owners(shop)
    if not recipients:
        return False
    locale = recipients[0].locale or ("nl" if shop.country == "NL" else "en")
    with force_locale(locale):
        subject, body = subject_body()
        body += "\n\n-- \n" + _("Seller Inbox for %(shop)s: sent to the shop's owners, at most once a week.",
                                  shop=shop.name)
        sender = _sender(shop)
    message = mail.system_message(to=", ".join(u.email for u in recipients), subject=subject, body=body,
                                  from_addr=sender,
                                  headers={"X-Inbox-Norm": f"{notice.norm} {notice.iso_year}-W{notice.iso_week:02d}"})
    try:
        mail.deliver(message)
    except Exception:
        # Give the week back, so the next run tries again rather than never warning at all.
        db.session.delete(notice)
        db.session.commit()
        raise
    return True


def _sender(shop: Shop) -> str:
    """"Seller Inbox for <shop>" at the app's own address: the owner sees which shop the warning is about."""
    _name, address = parseaddr(current_app.config.get("MAIL_FROM", "Seller Inbox <no-reply@localhost>"))
    return formataddr((_("Seller Inbox for %(shop)s", shop=shop.name), address or "no-reply@localhost"))


def page_url(shop: Shop) -> str | None:
    """The performance page's absolute address; None when neither the shop nor INBOX_BASE_URL set the address
    of Seller Inbox (a bare "/reports" in an e-mail leads nowhere)."""
    base = public_url.configured(shop)
    return f"{base}/reports" if base else None


def _see_the_page(shop: Shop) -> str:
    url = page_url(shop)
    return _("See the performance page: %(url)s", url=url) if url else _("See the Performance page in Seller Inbox.")


def warn_webhooks(shop: Shop, week: metrics.Week, count: int, now: datetime) -> bool:
    """`norm.weekly_warning` for the shop's endpoints, once per ISO week: its own notice row (norm "webhook"),
    committed with the deliveries, so a second worker queues nothing and an e-mail that failed and is tried
    again does not send the event twice. True when queued now."""
    if not webhooks.wanted(shop.id, "norm.weekly_warning"):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(NormNotice(shop_id=shop.id, norm="webhook", iso_year=week.year, iso_week=week.week,
                                      count=count, sent_at=now))
    except IntegrityError:
        return False   # queued already, by this worker last round or by another one just now
    webhooks.emit(shop.id, "norm.weekly_warning", {
        "week": week.key, "iso_year": week.year, "iso_week": week.week, "week_start": week.start.isoformat(),
        "week_end": week.end.isoformat(), "late_first_reactions": count, "warning_at": metrics.WARNING_AT,
        "ticket_ids": [m.ticket_id for m in week_misses(shop, week, now)]})
    db.session.commit()
    return True


def check_response(shop: Shop, now: datetime) -> bool:
    """At 10 misses in this ISO week the owner gets one e-mail for the week. True when it was sent now."""
    count = miss_count(shop, now)
    if count < metrics.WARNING_AT:
        return False
    week = metrics.week_of(now, shop.tz)
    warn_webhooks(shop, week, count, now)
    notice = _claim(shop, "response", week, count, now)
    if notice is None:
        return False
    misses = week_misses(shop, week, now)

    def compose():
        lines = [_("%(n)s questions in week %(week)s did not get a first reaction within 8 business hours.",
                   n=count, week=week.week),
                 _("At %(limit)s the marketplace sends its own warning and your performance score drops.",
                   limit=metrics.WARNING_AT), ""]
        for m in misses[:30]:
            late = business_duration(m.late_seconds)
            if m.assignee:
                lines.append(_("- #%(id)s %(subject)s (late by %(late)s, %(assignee)s)", id=m.ticket_id,
                               subject=m.subject, late=late, assignee=m.assignee))
            else:
                lines.append(_("- #%(id)s %(subject)s (late by %(late)s)", id=m.ticket_id, subject=m.subject,
                               late=late))
        lines += ["", _see_the_page(shop)]
        return _("%(shop)s: %(n)s late first reactions this week", shop=shop.name, n=count), "\n".join(lines)
    return _send(shop, notice, compose)


def check_volume(shop: Shop, now: datetime) -> bool:
    """Opt-in: products well above their expected question rate last week get one e-mail."""
    settings = db.session.scalar(sa.select(NormSettings).where(NormSettings.shop_id == shop.id))
    if settings is None or not settings.volume_email:
        return False
    last_week = metrics.weeks_back(now, shop.tz, 2)[0]
    flagged = [r for r in product_volume(shop, [last_week]) if r.flagged]
    if not flagged:
        return False
    notice = _claim(shop, "volume", last_week, len(flagged), now)
    if notice is None:
        return False

    def compose():
        lines = [_("These products drew more questions per 100 orders in week %(week)s than usual:", week=last_week.week), ""]
        for r in flagged:
            cats = ", ".join(f"{CATEGORY_LABELS.get(c, c)} ({n})" for c, n in r.categories)
            rate, expected = format_decimal(r.rate, format="0.0"), format_decimal(r.expected, format="0.0")
            if cats:
                lines.append(_("- %(product)s: %(rate)s / %(expected)s expected — %(categories)s",
                               product=r.product, rate=rate, expected=expected, categories=cats))
            else:
                lines.append(_("- %(product)s: %(rate)s / %(expected)s expected", product=r.product, rate=rate,
                               expected=expected))
        lines += ["", _("Better product information often prevents these questions."), _see_the_page(shop)]
        return _("%(shop)s: more questions than expected", shop=shop.name), "\n".join(lines)
    return _send(shop, notice, compose)


def run_checks(now: datetime) -> list[tuple[str, str]]:
    """Every shop's checks; returns (shop name, what was sent). Also counts and keeps what the performance page
    shows by default (the phone's weeks newly over), so page views need not."""
    sent = []
    for shop in db.session.scalars(sa.select(Shop).order_by(Shop.id)).all():
        try:
            if not count_progress.of_shop(shop).done:
                continue   # counted again after an update (the worker's `recount` job): checked once counted
            if check_response(shop, now):
                sent.append((shop.name, "response"))
            if check_volume(shop, now):
                sent.append((shop.name, "volume"))
            norm_weeks.week_counts(shop, metrics.weeks_back(now, shop.tz, metrics.HISTORY_WEEKS), now)
        except Exception:
            log.exception("norm check failed for shop %s", shop.id)
            db.session.rollback()
    return sent
