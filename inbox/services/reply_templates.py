"""Saved replies (templates): which fit a ticket, and turning one into text for this customer."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from inbox import placeholders
from inbox.extensions import db, statement
from inbox.i18n import _
from inbox.models import ReplyTemplate, ReplyTemplateOption, Shop, Ticket, User
from inbox.nudges import detect_category
from inbox.services import audit, flush_locks, uploads
from inbox.services.composer import latest_question


def for_shop(shop_id: int, *, archived: bool | None = False) -> list[ReplyTemplate]:
    """The shop's templates (active ones by default; archived=None for all), by language, category, title."""
    query = sa.select(ReplyTemplate).where(ReplyTemplate.shop_id == shop_id)
    if archived is not None:
        query = query.where(ReplyTemplate.archived.is_(archived))
    query = query.order_by(ReplyTemplate.language, ReplyTemplate.category, ReplyTemplate.title, ReplyTemplate.id)
    return list(db.session.scalars(query))


def ticket_category(ticket: Ticket) -> str:
    """The category of what the customer asks now; a follow-up can be about something else than the first mail."""
    category = detect_category(f"{ticket.subject}\n{latest_question(ticket)}")
    return category if category != "general" else (ticket.category or "general")


@statement
def _template_rows():
    # Table columns, not entities: plain rows, which SQLAlchemy hands over without its ORM loading.
    t, o = ReplyTemplate.__table__.c, ReplyTemplateOption.__table__.c
    return (sa.select(t.id, t.title, t.category, t.language, sa.func.count(o.id).label("option_count"))
            .select_from(ReplyTemplate.__table__.outerjoin(ReplyTemplateOption.__table__, o.template_id == t.id))
            .where(t.shop_id == sa.bindparam("shop_id"), t.archived.is_(False))
            .group_by(t.id, t.title, t.category, t.language)
            .order_by(t.language, t.category, t.title, t.id))


def _rows(shop: Shop) -> list:
    """The shop's active templates as rows of the template list. Each process keeps them per shop and reads them
    again once the shop's templates_version (loaded with the user on every request) has moved on: every change
    goes through save() or set_archived(), which move it."""
    cache = current_app.extensions.setdefault("inbox_template_rows", {})
    version, rows = cache.get(shop.id, (None, None))
    if version != shop.templates_version:
        version = shop.templates_version
        rows = list(db.session.execute(_template_rows(), {"shop_id": shop.id}))
        cache[shop.id] = (version, rows)
    return rows


def _changed(shop_id: int) -> None:
    # The shop's row is one a step of a count in steps writes too (its cursor): its lock first, as a flush that
    # writes the row takes it, so a question written later in this transaction cannot wait crosswise with a step.
    flush_locks.hold_shops(db.session.connection(), [(shop_id, False)])
    db.session.execute(sa.update(Shop).where(Shop.id == shop_id)
                       .values(templates_version=Shop.templates_version + 1))


def _split(ticket: Ticket, shop: Shop) -> tuple[list, list, str]:
    category = ticket_category(ticket)
    suggested, others = [], []
    for template in _rows(shop):
        (suggested if template.language == ticket.language and template.category == category else others
         ).append(template)
    return suggested, others, category


def suggest(ticket: Ticket, shop: Shop) -> tuple[list, list]:
    """(suggested, others): suggested fit the ticket's language and category; others are the rest of the active
    templates, those in the ticket's language first (the composer's list). Rows of id, title, category, language
    and option_count, from one aggregate query instead of every template with its options."""
    suggested, others, category = _split(ticket, shop)
    others.sort(key=lambda t: (t.language != ticket.language, t.category != category, t.category, t.title))
    return suggested, others


def template_bar(ticket: Ticket, shop: Shop) -> tuple[list, int]:
    """What the composer shows at first: the suggested templates, and how many others its list will load."""
    suggested, others, _category = _split(ticket, shop)
    return suggested, len(others)


def values_for(ticket: Ticket, user: User, shop: Shop) -> dict[str, str]:
    return {
        "customer_first_name": ticket.customer_first_name,
        "customer_name": ticket.customer_name,
        "order_number": ticket.order_number or "",
        "product": ticket.product or "",
        "agent_name": user.display_name,
        "agent_first_name": user.first_name,
        "shop_name": shop.name,
        "ticket_id": str(ticket.id),
    }


def missing_markers() -> dict[str, str]:
    """What the agent sees where a value is unknown for this ticket: a gap to fill before sending."""
    return {
        "customer_first_name": _("[customer's name]"),
        "customer_name": _("[customer's name]"),
        "order_number": _("[order number]"),
        "product": _("[product]"),
    }


def render(template: ReplyTemplate, ticket: Ticket, user: User, shop: Shop, option_ids=()) -> str:
    """The template's text for this ticket, with the ticked solutions (in the template's order) as a numbered list."""
    wanted = {int(i) for i in option_ids}
    chosen = [o.text for o in template.options if o.id in wanted]
    return placeholders.fill(template.body, values_for(ticket, user, shop), chosen, missing=missing_markers())


def save(template: ReplyTemplate, *, title: str, category: str, language: str, body: str,
         options: list[str], by: User) -> ReplyTemplate:
    """Create or update a template and replace its solution options (blank rows dropped). The caller commits."""
    created = template.id is None
    template.title, template.category, template.language, template.body = title.strip(), category, language, body
    wanted = [text.strip() for text in options if text and text.strip()]
    current = [o.text for o in template.options]
    if wanted != current:
        template.options = [ReplyTemplateOption(shop_id=template.shop_id, position=i, text=text)
                            for i, text in enumerate(wanted)]
    if created:
        db.session.add(template)
    db.session.flush()
    _changed(template.shop_id)
    audit.record(template.shop_id, "template.create" if created else "template.update", actor=by,
                 new=template.title)
    return template


def set_archived(template: ReplyTemplate, archived: bool, *, by: User) -> None:
    if template.archived == archived:
        return
    template.archived = archived
    _changed(template.shop_id)
    audit.record(template.shop_id, "template.archive" if archived else "template.unarchive", actor=by,
                 new=template.title)


# --------------------------------------------------------------------------- standard attachments

def files(template: ReplyTemplate) -> list:
    """The files inserting this template attaches (services/uploads keeps them)."""
    return uploads.template_files(template)


def add_files(template: ReplyTemplate, shop: Shop, incoming: list[uploads.IncomingFile], *, by: User) -> list[str]:
    """Keep files as the template's standard attachments (checked as any attachment); answers the refusals. The
    caller commits."""
    before = {u.filename for u in uploads.template_files(template)}
    problems = uploads.add_to_template(template, shop, incoming)
    db.session.flush()
    for name in [u.filename for u in uploads.template_files(template) if u.filename not in before]:
        audit.record(template.shop_id, "template.file.add", actor=by, field="attachment", new=name)
    return problems


def remove_file(template: ReplyTemplate, upload_id: int, *, by: User) -> bool:
    """Take a standard attachment off the template; False when it is not there. The caller commits."""
    row = next((u for u in uploads.template_files(template) if u.id == upload_id), None)
    if row is None:
        return False
    audit.record(template.shop_id, "template.file.remove", actor=by, field="attachment", old=row.filename)
    return uploads.remove_from_template(template, upload_id)
