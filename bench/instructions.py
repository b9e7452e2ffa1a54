"""Instructions one page costs, counted by valgrind: steady where req/s on a shared machine is not.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \
        .venv/bin/python bench/instructions.py /tickets/101          # "Collected : N" is for --repeat requests

Signs in as the demo owner on bench/inbox.py's data set (instance/bench-inbox.sqlite: bench/inbox.py builds it,
and builds it again after a schema change),
warms the page twice, then counts only the --repeat requests (callgrind_control switches the counting on and off
around them). Compare two revisions by running it from each checkout (bench/inbox.py --against REF exports one to
instance/against-<commit>/).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path.cwd()   # the checkout to measure: run from its top folder
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="pages to request, e.g. /tickets /tickets/101")
    parser.add_argument("--repeat", type=int, default=10)
    data_set = Path(__file__).resolve().parent.parent / "instance" / "bench-inbox.sqlite"
    parser.add_argument("--database", default=f"sqlite:///{data_set}")
    args = parser.parse_args()

    from inbox import create_app
    client = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench"}).test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    signed_in = client.post("/login", data={"email": "owner@example.com", "password": "inbox-demo",
                                            "csrf_token": token})
    if signed_in.status_code not in (302, 303):
        raise SystemExit(f"sign-in failed: {signed_in.status_code}")
    for path in args.paths * 2:
        assert client.get(path).status_code == 200, path
    counting = subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True).returncode == 0
    for _ in range(args.repeat):
        for path in args.paths:
            client.get(path)
    if counting:
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
    else:
        print("not under callgrind: nothing counted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
