"""Who may see and do what: every lookup is scoped to the signed-in user's shop."""
from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from flask_login import current_user, login_required

from inbox.extensions import db, statement
from inbox.models import Draft, Ticket, User


def require(permission: str):
    """Sign-in required, and the user's role must grant `permission`.

    :raise 403: when the role does not allow it.
    """
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.may(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@statement
def _shop_ticket(with_draft: bool):
    # Tags in the same query: every ticket view shows them.
    query = (sa.select(Ticket).where(Ticket.id == sa.bindparam("ticket_id"), Ticket.shop_id == sa.bindparam("shop_id"))
             .options(so.joinedload(Ticket.tag_rows)))
    if with_draft:   # the ticket page, which has loaded the shop's users: the assignee is among them
        query = (query.add_columns(Draft).outerjoin(Draft, sa.and_(Draft.ticket_id == Ticket.id,
                                                                   Draft.user_id == sa.bindparam("user_id")))
                 .options(so.lazyload(Ticket.assignee)))
    return query


def shop_ticket_or_404(ticket_id: int) -> Ticket:
    """The ticket with this id in the current user's shop.

    :raise 404: when it does not exist or belongs to another shop.
    """
    ticket = db.session.scalars(_shop_ticket(False), {"ticket_id": ticket_id, "shop_id": current_user.shop_id}
                                ).unique().one_or_none()
    if ticket is None:
        abort(404, description=f"Ticket {ticket_id} doesn't exist.")
    return ticket


def shop_ticket_and_draft_or_404(ticket_id: int) -> tuple[Ticket, Draft | None]:
    """The ticket, as shop_ticket_or_404, with the current user's unsent draft on it, in the same query.
    Load shop_users() first: the assignee is taken from them."""
    row = db.session.execute(_shop_ticket(True), {"ticket_id": ticket_id, "shop_id": current_user.shop_id,
                                                  "user_id": current_user.id}).unique().one_or_none()
    if row is None:
        abort(404, description=f"Ticket {ticket_id} doesn't exist.")
    return row[0], row[1]


def shop_user_or_404(user_id: int) -> User:
    """A colleague in the current user's shop.

    :raise 404: when the user does not exist or belongs to another shop.
    """
    user = db.session.scalar(sa.select(User).where(User.id == user_id, User.shop_id == current_user.shop_id))
    if user is None:
        abort(404, description=f"User {user_id} doesn't exist.")
    return user


def shop_row_or_404(model, row_id: int, *options):
    """The row of `model` (a table with a shop_id) with this id in the current user's shop; options as for
    Select.options (e.g. an undeferred column).

    :raise 404: when it does not exist or belongs to another shop.
    """
    row = db.session.scalar(sa.select(model).where(model.id == row_id, model.shop_id == current_user.shop_id)
                            .options(*options))
    if row is None:
        abort(404)
    return row


@statement
def _shop_users(active_only: bool):
    query = sa.select(User).where(User.shop_id == sa.bindparam("shop_id")).order_by(User.display_name)
    return query.where(User.active.is_(True)) if active_only else query


def shop_users(active_only: bool = True) -> list[User]:
    return list(db.session.scalars(_shop_users(active_only), {"shop_id": current_user.shop_id}))
