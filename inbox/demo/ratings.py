"""The demo shop's "How did we do?" answers: about a third of the solved questions of the last weeks rated, mostly
good, with the comments customers really write, and a few bad ones: most followed up by the manager, two still
waiting on the performance page's to-do list (each with its internal note and the bad-rating tag)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Rating, Shop, Ticket, User
from inbox.services import satisfaction

WEEKS = 13            # the performance page's longest view
ANSWERED = 0.35       # the share of solved questions whose customer clicks a rating
STILL_OPEN = 2        # bad ratings nobody followed up yet

COMMENTS = {
    "good": {
        "nl": ["Snel en vriendelijk geholpen, dank jullie wel!", "Binnen een uur antwoord, top.",
               "Fijn dat het retour zo makkelijk ging.", "Duidelijk antwoord, precies wat ik wilde weten.",
               "Heel netjes opgelost, ik bestel zeker weer."],
        "en": ["Quick and friendly, thank you!", "Clear answer, exactly what I needed.",
               "Great service, the replacement arrived the next day."],
    },
    "okay": {
        "nl": ["Het antwoord klopte, maar het duurde wel twee dagen.", "Opgelost, al moest ik mijn ordernummer "
               "twee keer doorgeven."],
        "en": ["Solved in the end, but I had to explain it twice."],
    },
    "bad": {
        "nl": ["Ik heb nog steeds geen nieuw hoeslaken en niemand laat iets horen.",
               "Standaardantwoord gekregen, mijn vraag over de maat is niet beantwoord.",
               "Retourgeld na drie weken nog niet ontvangen."],
        "en": ["Still waiting for my refund, nobody got back to me."],
    },
}


def _score(rng: random.Random) -> str:
    return rng.choices(("good", "okay", "bad"), weights=(74, 17, 9))[0]


def seed(rng: random.Random, shop: Shop, now: datetime) -> int:
    """Rate the shop's solved questions of the last WEEKS weeks as customers would; answers how many."""
    manager = db.session.scalar(sa.select(User).where(User.shop_id == shop.id, User.role == "manager"))
    solved = db.session.execute(
        sa.select(Ticket.id, Ticket.assignee_id, Ticket.channel, Ticket.language, Ticket.solved_at,
                  Ticket.customer_email)
        .where(Ticket.shop_id == shop.id, Ticket.status == "solved", Ticket.solved_at.is_not(None),
               Ticket.solved_at >= now - timedelta(weeks=WEEKS))
        .order_by(Ticket.id)).all()
    rows, bad = [], []
    for ticket_id, agent_id, channel, language, solved_at, email in solved:
        if satisfaction.is_machine(email) or rng.random() > ANSWERED:
            continue
        at = min(solved_at + timedelta(minutes=rng.randrange(20, 3 * 24 * 60)), now - timedelta(minutes=5))
        score = _score(rng)
        lang = "nl" if language == "nl" else "en"
        wants_to_say = {"good": .2, "okay": .5, "bad": .9}[score]
        comment = rng.choice(COMMENTS[score][lang]) if rng.random() < wants_to_say else None
        rating = Rating(shop_id=shop.id, ticket_id=ticket_id, agent_id=agent_id, channel=channel, score=score,
                        comment=comment, created_at=at, updated_at=at)
        rows.append(rating)
        if score == "bad":
            bad.append(rating)
    # The newest bad ones wait for the manager; the older ones were followed up within a day or two.
    bad.sort(key=lambda r: r.created_at)
    for rating in bad[:-STILL_OPEN] if len(bad) > STILL_OPEN else []:
        rating.followed_up_at = min(rating.created_at + timedelta(hours=rng.randrange(2, 40)), now)
        rating.followed_up_by = manager.id if manager else None
    db.session.add_all(rows)
    for rating in bad[-STILL_OPEN:]:
        ticket = db.session.get(Ticket, rating.ticket_id)
        satisfaction.open_follow_up(ticket, shop, rating.comment, rating.created_at)
    db.session.flush()
    return len(rows)
