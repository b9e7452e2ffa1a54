"""Benchmark: the public help centre and the contact form's search-as-you-type, with 1,000 help articles in a
shop that also holds 100,000 tickets, served by gunicorn.

    .venv/bin/python bench/help.py                 # SQLite file in instance/bench-inbox.sqlite (bench/inbox.py's)
    .venv/bin/python bench/help.py --pg            # PostgreSQL (INBOX_BENCH_PG_URL, as bench/inbox.py)
    options: --tickets 100000 --articles 1000 --requests 200 --workers 2 --reseed --rate-limit 0

The data set is bench/inbox.py's (built once, reused), plus --articles published help articles in the Demo Shop
made from the demo set with varied products and words (added once). One client at a time asks each page
--requests times; "server p50" is the app's own time from its Server-Timing header, "client p50" adds the
loopback round trip. The rate limit of the public pages is turned off for the run (INBOX_HELP_RATE_LIMIT=0) unless
--rate-limit N sets it: then every request also counts in the shared budget (one upsert and a commit), as in
production, with N high enough never to answer 429.
Pages: the help centre's overview, a search on it, one article, and the contact form's suggestions for a subject
plus a question being typed (POST, as the form sends it).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from urllib.parse import urlencode

from harness import ROOT, Client, database_url, prepare, server_env  # bench/, beside this file
from load import gunicorn  # bench/, beside this file

SEARCHES = ["retour", "levertijd", "factuur btw", "beschadigd", "maat dekbedovertrek", "refund", "warranty",
            "betalen ideal"]
TYPED = [("Pakket nog niet ontvangen", "Hallo, ik heb vorige week besteld maar mijn pakket is nog niet aangekomen. "
          "Track en trace zegt dat het onderweg is. Wanneer komt het?"),
         ("Retour", "Het dekbedovertrek is te klein, ik wil het terugsturen en mijn geld terug."),
         ("Invoice", "I need an invoice with our company VAT number for order 1234567."),
         ("Scheur in hoeslaken", "Er zit een scheur in het hoeslaken dat ik gisteren kreeg. Wat nu?")]
WORDS = ["linnen", "percale", "bamboe", "katoen", "wol", "velvet", "badstof", "molton", "satijn", "flanel"]


def add_articles(url: str, wanted: int) -> tuple[int, list[tuple[int, str]]]:
    """Publish articles in the Demo Shop until it has `wanted`; answer the shop id and some (id, slug) pairs."""
    import sqlalchemy as sa

    from inbox import create_app
    from inbox.demo.help_articles import ARTICLES
    from inbox.extensions import db
    from inbox.models import HelpArticle, Shop
    from inbox.services import help as help_service

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        have = db.session.scalar(sa.select(sa.func.count(HelpArticle.id)).where(HelpArticle.shop_id == shop.id))
        rng = random.Random(17)
        rows = []
        for n in range(have, wanted):
            category, _published, (nl_title, nl_body), (en_title, en_body) = ARTICLES[n % (len(ARTICLES) - 1)]
            word, other = rng.choice(WORDS), rng.choice(WORDS)
            rows.append(HelpArticle(shop_id=shop.id, category=category, position=n, published=True,
                                    title_nl=f"{nl_title} ({word}, {n})", body_nl=f"{nl_body}\n\nOver {word} en {other}.",
                                    title_en=f"{en_title} ({word}, {n})" if en_title else "",
                                    body_en=f"{en_body}\n\nAbout {word} and {other}." if en_title else ""))
        if rows:
            db.session.add_all(rows)
            db.session.commit()
            print(f"added {len(rows)} help articles")
        sample = db.session.execute(sa.select(HelpArticle.id, HelpArticle.title_nl).where(
            HelpArticle.shop_id == shop.id, HelpArticle.published.is_(True)).order_by(sa.func.random()).limit(20))
        return shop.id, [(i, help_service.slug(t)) for i, t in sample]


class Visitor(Client):
    """A customer's browser on the contact form: its session cookie and the form's CSRF token."""

    def __init__(self, port: int, shop_id: int):
        super().__init__(port, headers={"User-Agent": "Mozilla/5.0 (bench) Firefox/133.0"})
        self.token = self.csrf_token(f"/contact/{shop_id}")

    def request(self, method, path, body=None, headers=None):
        status, data = super().request(method, path, body, headers)
        if status != 200:
            raise SystemExit(f"{method} {path}: {status}")
        return status, data


def measure(visitor: Visitor, calls: list, requests: int) -> tuple[list[float], list[float]]:
    server, client = [], []
    for n in range(requests):
        method, path, body, headers = calls[n % len(calls)]
        t = time.perf_counter()
        visitor.request(method, path, body, headers)
        client.append(time.perf_counter() - t)
        server.append(visitor.server_ms)
    return server, client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--rate-limit", type=int, default=0, help="INBOX_HELP_RATE_LIMIT for the run (0: off)")
    args = parser.parse_args()

    url = database_url(args)
    prepare(url, args.tickets, args.reseed)
    shop_id, sample = add_articles(url, args.articles)

    env = server_env(url, INBOX_HELP_RATE_LIMIT=str(args.rate_limit))
    with gunicorn(sys.executable, "inbox:create_app()", args.workers, env, cwd=ROOT) as port:
        visitor = Visitor(port, shop_id)
        form = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": visitor.token,
                "HX-Request": "true"}
        pages = {
            "help page": [("GET", f"/help/{shop_id}?lang=nl", None, None)],
            "search": [("GET", f"/help/{shop_id}?" + urlencode({"lang": "nl", "q": q}), None, None) for q in SEARCHES],
            "article": [("GET", f"/help/{shop_id}/{i}-{slug}?lang=nl", None, None) for i, slug in sample],
            # What the form sends after each pause in typing: the subject, the question so far, the ids shown.
            "as-you-type": [("POST", f"/help/{shop_id}/suggest",
                             urlencode({"subject": subject, "body": body[:cut], "lang": "nl", "shown": ["1", "2"]},
                                       doseq=True), form)
                            for subject, body in TYPED for cut in (20, 60, len(body))],
        }
        for calls in pages.values():   # warm both workers (the index is built once per process)
            measure(visitor, calls, 2 * args.workers + len(calls))
        print(f"\nrate limit: {args.rate_limit or 'off'}")
        print(f"{'db':10s} {'page':12s} {'server p50':>11s} {'server p95':>11s} {'client p50':>11s}")
        for name, calls in pages.items():
            server, client = measure(visitor, calls, args.requests)
            server.sort()
            print(f"{'postgresql' if args.pg else 'sqlite':10s} {name:12s} {statistics.median(server):8.2f} ms "
                  f"{server[int(len(server) * .95)]:8.2f} ms {statistics.median(client) * 1000:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
