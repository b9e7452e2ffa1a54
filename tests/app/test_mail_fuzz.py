"""Over a thousand malformed mails (tests/mailfuzz.py) through `mail import` and the SMTP receiver, on the suite's
database: every one ends as a new ticket, a threaded message, a duplicate or a review item. None crash the
intake, none vanish, and the database agrees with what was reported for each.

One app and one shop take the whole corpus (no fixture per mail), so the test stays within CI's budget on both
databases. `pytest -s` prints the counts per path."""
from __future__ import annotations

import smtplib
from collections import Counter

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import InboundMail, QuarantinedMail, Ticket
from inbox.services import intake, mailconfig
from tests.mailfuzz import corpus

IMPORT_COUNT = 1000
SMTP_COUNT = 300
HUGE = 16 * 1024  # a "huge" attachment, once the app's limit is set below it


def fuzz_config(app) -> None:
    app.config["MAIL_MAX_ATTACHMENT_BYTES"] = HUGE
    app.config["MAIL_MAX_TOTAL_BYTES"] = 4 * HUGE


def kind(outcome: str) -> str:
    return {"new": "kept", "threaded": "threaded", "note": "threaded", "bounce": "threaded",
            "duplicate": "duplicate", "rejected": "review"}.get(outcome, "vanished")


def database_counts(shop) -> Counter:
    """What the database holds, in the same four kinds: each must match what intake reported."""
    inbound = Counter(dict(db.session.execute(
        sa.select(InboundMail.outcome, sa.func.count()).where(InboundMail.shop_id == shop.id)
        .group_by(InboundMail.outcome)).all()))
    return Counter({
        "kept": db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.shop_id == shop.id)),
        "kept_records": inbound["new"],
        "threaded": inbound["threaded"] + inbound["note"] + inbound["bounce"],
        "review": db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))
                                    .where(QuarantinedMail.shop_id == shop.id)),
    })


def assert_every_mail_ended_somewhere(counts: Counter, total: int, shop) -> None:
    assert counts["crashed"] == 0 and counts["vanished"] == 0, counts
    assert sum(counts[k] for k in ("kept", "threaded", "duplicate", "review")) == total, counts
    held = database_counts(shop)
    assert (held["kept"], held["kept_records"], held["threaded"], held["review"]) == (
        counts["kept"], counts["kept"], counts["threaded"], counts["review"]), (held, counts)
    # Each way of ending is really exercised by the corpus, not only the easy one.
    assert min(counts["kept"], counts["threaded"], counts["duplicate"], counts["review"]) > 0, counts


def test_a_thousand_malformed_mails_through_mail_import_all_end_somewhere(app, shop, tmp_path):
    fuzz_config(app)
    files = []
    for name, raw in corpus(IMPORT_COUNT, seed=14, huge=HUGE):
        path = tmp_path / f"{name}.eml"
        path.write_bytes(raw)
        files.append(path)
    result = app.test_cli_runner().invoke(args=["mail", "import", *map(str, files), "--shop", str(shop.id)])
    # exit 1 would mean a mail kept nowhere; a traceback is a crash of the whole import.
    assert result.exit_code == 0 and result.exception is None, result.output[-3000:]

    reported = {}
    for line in result.output.splitlines():
        name, sep, what = line.partition(".eml: ")
        if sep:
            reported[name] = what
    counts = Counter()
    for path in files:
        what = reported.get(path.stem)
        if what is None:
            counts["crashed"] += 1
        elif what.startswith("new ticket"):
            counts["kept"] += 1
        elif what.startswith(("threaded into", "note into", "bounce into")):
            counts["threaded"] += 1
        elif what.startswith("duplicate"):
            counts["duplicate"] += 1
        elif what.startswith("kept for review"):
            counts["review"] += 1
        else:
            counts["vanished"] += 1
    print(f"\nfuzz import {IMPORT_COUNT} on {db.engine.dialect.name}: {dict(counts)}")
    assert_every_mail_ended_somewhere(counts, IMPORT_COUNT, shop)


def test_three_hundred_malformed_mails_through_the_smtp_receiver_are_all_accepted_and_kept(app, shop, receiver,
                                                                                           monkeypatch):
    fuzz_config(app)
    outcomes = []
    real_receive = intake.receive_email

    def recorded(*args, **kwargs):  # the real intake, with its answer noted for the count
        result = real_receive(*args, **kwargs)
        outcomes.append(result.outcome)
        return result
    monkeypatch.setattr(intake, "receive_email", recorded)

    counts = Counter()
    to = mailconfig.inbound_address(shop)
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=60) as smtp:
        for _name, raw in corpus(SMTP_COUNT, seed=5, huge=HUGE):
            try:
                smtp.sendmail("relay@example.net", [to], raw)
            except smtplib.SMTPResponseException as refused:
                counts["crashed"] += 1
                print(f"refused {_name}: {refused.smtp_code} {refused.smtp_error!r}")
    for outcome in outcomes:
        counts[kind(outcome)] += 1
    counts["vanished"] += SMTP_COUNT - len(outcomes) - counts["crashed"]
    db.session.expire_all()
    print(f"\nfuzz SMTP {SMTP_COUNT} on {db.engine.dialect.name}: {dict(counts)}")
    assert_every_mail_ended_somewhere(counts, SMTP_COUNT, shop)
