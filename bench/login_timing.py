"""Sign-in time for an unknown e-mail address against a wrong password: they must not differ, or the time of the
answer tells an attacker which addresses have an account.

    .venv/bin/python bench/login_timing.py [--rounds 40] [--show-leak]

--show-leak skips the stand-in hash for unknown addresses (the behaviour before inbox/passwords.py), to show
what the measurement catches. Runs the app in-process (Flask's test client) on a SQLite file.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--show-leak", action="store_true")
    args = parser.parse_args()

    from inbox import create_app, passwords
    from inbox.extensions import db
    from inbox.models import Shop, User
    from inbox.schema import install_schema

    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/timing.sqlite", "SECRET_KEY": "bench-only",
                      "WTF_CSRF_ENABLED": False, "LOGIN_FREE_FAILURES": 10**6})
    with app.app_context():
        install_schema(db.engine)
        shop = Shop(name="Bench", country="NL", timezone="Europe/Amsterdam")
        db.session.add(shop)
        db.session.flush()
        user = User(shop_id=shop.id, email="known@bench.example", display_name="Known", role="agent")
        user.set_password("the right password")
        db.session.add(user)
        db.session.commit()
    if args.show_leak:
        dummy, original = passwords.dummy_hash(), passwords.check
        passwords.check = lambda stored, pw: False if stored == dummy else original(stored, pw)

    client = app.test_client()
    times = {"wrong password": [], "unknown e-mail": []}
    emails = {"wrong password": "known@bench.example", "unknown e-mail": "nobody@bench.example"}
    for round_ in range(args.rounds + 3):
        for kind in (("wrong password", "unknown e-mail") if round_ % 2 else ("unknown e-mail", "wrong password")):
            started = time.perf_counter()
            response = client.post("/login", data={"email": emails[kind], "password": "a wrong guess"})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 401, response.status_code
            if round_ >= 3:   # the first rounds warm up caches and the stand-in hash
                times[kind].append(elapsed)
    print(f"{args.rounds} sign-ins each{' (stand-in hash skipped: the old behaviour)' if args.show_leak else ''}")
    for kind, values in times.items():
        values.sort()
        print(f"  {kind:15} median {statistics.median(values):7.1f} ms   p10 {values[len(values) // 10]:7.1f}"
              f"   p90 {values[len(values) * 9 // 10]:7.1f}")
    a, b = (statistics.median(v) for v in times.values())
    print(f"  difference of the medians: {abs(a - b):.1f} ms ({abs(a - b) / max(a, b) * 100:.1f}%)")


if __name__ == "__main__":
    main()
