"""Real-browser tests: Playwright's Python API driving Debian's Chromium against a live, seeded app."""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

from inbox import ROOT

CHROMIUM = os.environ.get("INBOX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
DEMO_PASSWORD = "inbox-demo"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
WIDTHS = (320, 390, 820)


def pytest_collection_modifyitems(config, items):
    """Mark everything here as a browser test; skip (or fail, in CI) where no Chromium is found."""
    here = os.path.dirname(__file__)
    have_chromium = shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
            if not have_chromium and os.environ.get("INBOX_REQUIRE_BROWSER") != "1":
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, "
                                                        "or set INBOX_CHROMIUM)"))


@pytest.fixture(scope="session")
def browser_app(tmp_path_factory):
    """An app on its own SQLite file, migrated and seeded with the demo shops, as a newcomer would have it."""
    from inbox import create_app

    path = tmp_path_factory.mktemp("browser") / "inbox.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "browser-tests-only",
                      "MAIL_OUTBOX_DIR": str(path.parent / "outbox")})
    _copy_database(_demo_database(tmp_path_factory), path.with_name("seeded.sqlite"))
    _restore_seeded(app)
    return app


def _demo_database(tmp_path_factory) -> Path:
    """The demo data, seeded once per test run into a file every pytest-xdist worker copies: seeding costs
    each worker that runs browser tests ~6 s of CPU, the copy milliseconds."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's directory, above each worker's own
    seeded = base / "demo-seeded.sqlite"
    with open(base / "demo-seeded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker seeds; the others wait for it here
        if not seeded.exists():
            _seed_demo(seeded)
    return seeded


def _seed_demo(target: Path) -> None:
    from inbox import create_app
    from inbox.extensions import db
    from inbox.schema import install_schema
    import seed

    building = target.with_name("demo-seeding.sqlite")
    for suffix in ("", "-wal", "-shm"):   # what a worker that failed half-way left: a stale log would replay into it
        building.with_name(building.name + suffix).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{building}", "SECRET_KEY": "browser-tests-only",
                      "MAIL_OUTBOX_DIR": str(target.parent / "demo-outbox")})
    with app.app_context():
        install_schema(db.engine)
        seed.seed_demo(random.Random(7))
        db.session.remove()
        db.engine.dispose()   # the last connection closed writes the write-ahead log into the file
    os.replace(building, target)   # whole or not at all, should seeding fail half-way


def _copy_database(source, target) -> None:
    # SQLite's backup API: safe while the live server's pool has the target open.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _restore_seeded(app) -> None:
    live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    _copy_database(os.path.join(os.path.dirname(live), "seeded.sqlite"), live)
    for kept in ("inbox_kept", "inbox_template_rows", "inbox_help_budget"):   # per-process figures of the data before
        app.extensions.pop(kept, None)


@pytest.fixture(autouse=True)
def freshly_seeded(request, browser_app):
    """Each test starts from the demo data as seeded, whatever the tests before it sent, moved or changed."""
    if not getattr(request.module, "SEEDED_PER_MODULE", False):
        _restore_seeded(browser_app)


@pytest.fixture(scope="module", autouse=True)
def seeded_per_module(request, browser_app):
    """A module that signs in once for all its tests (SEEDED_PER_MODULE = True: a read-only sweep) starts from
    the seeded data once, before its own module fixtures: restoring it per test would sign its browsers out."""
    if getattr(request.module, "SEEDED_PER_MODULE", False):
        _restore_seeded(browser_app)


@pytest.fixture(scope="session")
def live_server(browser_app):
    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def login(page):
    """Sign in through the real form; returns the page."""
    def sign_in(email, password=DEMO_PASSWORD, target=page):
        target.goto("/login")
        target.get_by_label("E-mail").fill(email)
        target.get_by_label("Password").fill(password)
        target.get_by_role("button", name="Sign in").click()
        target.wait_for_url("**/tickets**")
        return target
    return sign_in


@pytest.fixture
def new_question(browser_app):
    """Log a question of its own in the Demo Shop, received just now, so its drafts and visitors are nobody
    else's: `new_question(subject=..., body=..., customer_name=..., ...)` (as tickets.create_ticket) -> its id."""
    def make(**fields) -> int:
        import sqlalchemy as sa

        from inbox import clock
        from inbox.extensions import db
        from inbox.models import Shop
        from inbox.services import tickets

        with browser_app.app_context():
            shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
            ticket = tickets.create_ticket(shop, received_at=clock.now(), **fields)
            db.session.commit()
            return ticket.id
    return make


@pytest.fixture(scope="session")
def artifacts():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts")
    os.makedirs(path, exist_ok=True)
    return path


# -- checks shared by the phone and accessibility tests ------------------------------------------------

# Against the width asked for: a phone zooms out to show a page that is too wide, which widens the viewport.
OVERFLOW = """(width) => {
  if (document.documentElement.scrollWidth <= width) return [];
  const inScrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).trim()
      .replace(/\\s+/g, '.')} (${Math.round(el.getBoundingClientRect().right)} px)`;
  const wide = Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > width + 1);
  // The culprits: what sticks out of the page itself, or is placed absolutely (it escapes a scroll box that is
  // not its containing block).
  const culprits = wide.filter((el) => !inScrollBox(el) || getComputedStyle(el).position === 'absolute');
  return [`the page is ${document.documentElement.scrollWidth} px wide`, ...(culprits.length ? culprits : wide)
    .slice(-6).map(name)];
}"""


def assert_fits(page: Page, what: str, widths=WIDTHS):
    """No sideways scrolling at any of the widths; the page is left at 390 px."""
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 844})
            wider = page.evaluate(OVERFLOW, width)
            assert not wider, f"{what} scrolls sideways at {width} px; too wide: {wider}"
    finally:
        page.set_viewport_size(PHONE)


AXE_RUN = """async ([within, tags]) => {
  const result = await axe.run(within ? {include: within.map((sel) => [sel])} : document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\\n` + v.nodes.slice(0, 4)
    .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`).join('\\n'));
}"""


def assert_axe_clean(page: Page, what: str, *within: str):
    """No WCAG 2.1 A/AA violation on the page, or only in the elements `within` (CSS selectors): a state is
    scanned where it changed the page, which the sweep scanned whole (axe on the full inbox takes seconds)."""
    violations = page.evaluate(AXE_RUN, [list(within) or None, WCAG_21_AA])
    assert not violations, f"axe-core on {what}:\n" + "\n".join(violations)


def with_axe(page):
    """axe-core in every document of the tab, as an init script (a Content-Security-Policy does not block it)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci`")
    page.context.add_init_script(path=str(AXE))
    return page


def violations(page) -> list[str]:
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3)}`);
    }""")
    return found


WIDER = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 12).map((el) => `${el.tagName.toLowerCase()}.${String(el.className)} (${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


def sideways(page) -> list[str]:
    """The elements that stick out to the right (none when the page needs no sideways scrolling)."""
    return page.evaluate(WIDER)
