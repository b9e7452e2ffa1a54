"""Fill the peer's database: instance/peer/venv/bin/python bench/peer/load_tickets.py --tickets 100000

Staff users, four queues and N tickets with about three follow-ups each, created over the past year, most of them
closed. Rows go in with bulk_create in chunks; created/modified are written as generated (auto_now is set aside
for the load). Run after `manage.py migrate`; it empties the ticket tables first.
"""
import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

PASSWORD = "peer-bench"
CHUNK = 5000
QUEUES = [("Orders", "orders"), ("Returns", "returns"), ("Payments", "payments"), ("Shipping", "shipping")]
AGENTS = [("sanne", "Sanne", "Jansen"), ("tom", "Tom", "de Vries"), ("emily", "Emily", "Clarke"),
          ("joris", "Joris", "Bakker")]
# (status, weight): most tickets are long closed, a few are still open.
STATUSES = [(Ticket.CLOSED_STATUS, 70), (Ticket.RESOLVED_STATUS, 12), (Ticket.OPEN_STATUS, 12),
            (Ticket.REOPENED_STATUS, 3), (Ticket.DUPLICATE_STATUS, 3)]
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "Bos", "Peters", "Hendriks", "Dekker", "Clarke", "Walker", "Brown", "Green", "Murphy", "Taylor", "Evans"]
FIRST = ["anna", "bram", "chris", "daan", "eva", "fleur", "gijs", "hanna", "isa", "jan", "kim", "lars", "mila",
         "noah", "olivia", "pim", "rosa", "sem", "tess", "yara"]
PRODUCTS = ["rain jacket", "coffee grinder", "desk lamp", "running shoes", "phone case", "wool blanket",
            "bike light", "teapot", "backpack", "headphones", "plant pot", "cutting board"]
SUBJECTS = ["Where is my order {order}?", "The {product} arrived damaged", "Refund for order {order}",
            "Wrong size {product}", "Invoice with VAT for order {order}", "Return label for the {product}",
            "Parcel marked delivered but not received", "Can I change my delivery address?",
            "Question about the {product}", "Charged twice for order {order}"]
BODIES = ["Hello, I ordered a {product} ({order}) last week and it has still not arrived. The tracking page has "
          "not changed for four days. Can you tell me where it is?",
          "Hi, the {product} from order {order} came in today but the box was crushed and it does not work. "
          "I have photos if you need them. Can you send a new one or refund me?",
          "Good morning, I would like to return the {product}. It is unused and still in the box. How do I get a "
          "return label, and how long does the refund take?",
          "Dear support, my bank statement shows two payments for order {order}. Please refund the second one.",
          "Hello, could you send me an invoice with VAT for order {order}? I need it for my accounts. Thanks."]
REPLIES = ["Thanks for your message. I have asked the carrier to look into it and will get back to you within "
           "two working days.",
           "I am sorry to hear that. I have sent a new {product} today; you do not need to return the damaged one.",
           "The return label is attached. Once the parcel is back with us the refund takes about five working days.",
           "I have refunded the duplicate payment; it should be back on your account within a few days.",
           "The invoice is attached to this message. Let me know if anything else is needed."]
THANKS = ["Thanks a lot, that helps!", "Great, thank you for the quick help.", "Perfect, that works for me.",
          "Received it today, all good now."]


def weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def fill(rng, text):
    return text.format(order=f"#{rng.randint(100000, 999999)}", product=rng.choice(PRODUCTS))


def users():
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.com", PASSWORD, first_name="Ada",
                                              last_name="Admin")
    agents = []
    for username, first, last in AGENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, first_name=first,
                                            last_name=last, is_staff=True)
        agents.append(user)
    return admin, agents


def load(n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    admin, agents = users()
    staff = [admin] + agents
    FollowUp.objects.all().delete()
    Ticket.objects.all().delete()
    queues = []
    for title, slug in QUEUES:
        queue = Queue.objects.filter(slug=slug).first() or Queue.objects.create(
            title=title, slug=slug, email_address=f"{slug}@shop.example")
        queues.append(queue)
    for name in ("created", "modified"):  # keep the generated dates
        field = Ticket._meta.get_field(name)
        field.auto_now = field.auto_now_add = False
    now = timezone.now()
    created = sorted(now - timedelta(seconds=rng.uniform(3600, 365 * 86400)) for _ in range(n))
    made = 0
    with transaction.atomic():
        for start in range(0, n, CHUNK):
            tickets, plans = [], []
            for when in created[start:start + CHUNK]:
                status = weighted(rng, STATUSES)
                first, last = rng.choice(FIRST), rng.choice(SURNAMES)
                email = f"{first}.{last.replace(' ', '').lower()}{rng.randint(1, 99)}@mail.example"
                replies = rng.choices([0, 1, 2, 3], weights=[25, 40, 25, 10])[0]  # + opened (+ closed): ~3
                steps, t = [], when
                for k in range(replies):
                    t += timedelta(minutes=rng.randint(20, 48 * 60))
                    t = min(t, now)
                    steps.append((t, k % 2 == 0))  # agent, customer, agent, ...
                closed = status in (Ticket.CLOSED_STATUS, Ticket.RESOLVED_STATUS, Ticket.DUPLICATE_STATUS)
                if closed:
                    t = min(t + timedelta(minutes=rng.randint(30, 72 * 60)), now)
                assignee = rng.choice(agents) if rng.random() < 0.85 else None
                tickets.append(Ticket(
                    title=fill(rng, rng.choice(SUBJECTS)), queue=rng.choice(queues), created=when, modified=t,
                    submitter_email=email, assigned_to=assignee, status=status, description=fill(rng, rng.choice(BODIES)),
                    priority=rng.choices([1, 2, 3, 4, 5], [2, 8, 70, 15, 5])[0],
                    resolution=rng.choice(REPLIES).format(product=rng.choice(PRODUCTS)) if closed else None,
                    due_date=when + timedelta(days=2) if rng.random() < 0.3 else None))
                plans.append((when, email, steps, closed and t, status, assignee))
            Ticket.objects.bulk_create(tickets)  # SQLite hands back the new ids
            follow_ups = []
            for ticket, (when, email, steps, closed_at, status, assignee) in zip(tickets, plans):
                ticket_id = ticket.pk
                follow_ups.append(FollowUp(ticket_id=ticket_id, date=when, title="Ticket Opened", public=True,
                                           comment=f"Ticket opened by {email}", new_status=Ticket.OPEN_STATUS))
                for at, by_agent in steps:
                    agent = assignee or rng.choice(staff)
                    follow_ups.append(FollowUp(
                        ticket_id=ticket_id, date=at, public=True, user=agent if by_agent else None,
                        title="Comment" if by_agent else f"E-Mail Received from {email}",
                        comment=(rng.choice(REPLIES).format(product=rng.choice(PRODUCTS)) if by_agent
                                 else rng.choice(THANKS))))
                if closed_at:
                    follow_ups.append(FollowUp(ticket_id=ticket_id, date=closed_at, public=True,
                                               user=assignee or admin, title=dict(Ticket.STATUS_CHOICES)[status],
                                               comment="Closing this ticket.", new_status=status))
            FollowUp.objects.bulk_create(follow_ups)
            made += len(tickets)
    print(f"peer data: {made:,} tickets, {FollowUp.objects.count():,} follow-ups in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    load(parser.parse_args().tickets)
