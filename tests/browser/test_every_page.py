"""Every page on a phone and a desktop: no sideways scrolling at 320, 390 and 820 px, and no WCAG 2.1 A/AA
violation that axe-core finds, also with menus, sheets and dialogs open and forms showing errors.

One signed-in tab per screen kind serves every test of this module (signing in for each would double the
time); each test loads its own page first, so none depends on what another one did."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import pages
from tests.browser.conftest import AXE, DEMO_PASSWORD, PHONE, assert_axe_clean, assert_fits

DESKTOP = {"width": 1280, "height": 900}
SEEDED_PER_MODULE = True   # the tabs below stay signed in across the sweep, which changes no data


def pytest_generate_tests(metafunc):
    # The pages come from the app's routes: a page added tomorrow is in this sweep without anyone adding it.
    if "endpoint" in metafunc.fixturenames:
        from inbox import create_app
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "routes-only"})
        endpoints = sorted({rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
                           - set(pages.NOT_PAGES))
        metafunc.parametrize("endpoint", [e for e in endpoints if not e.startswith("api.")])


@pytest.fixture(scope="module")
def urls(browser_app):
    return pages.page_urls(browser_app, pages.sample(browser_app))


def _tab(browser, live_server, viewport, *, mobile: bool, email: str | None):
    """A tab with axe-core loaded into every document (an init script, which a Content-Security-Policy
    does not block), signed in as `email` if given."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci`")
    context = browser.new_context(base_url=live_server, viewport=viewport, has_touch=mobile, is_mobile=mobile)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    if email:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/tickets**")
    return context, page


@pytest.fixture(scope="module")
def tabs(browser, live_server):
    """{(signed_in, kind): page} for kind phone (390×844, touch) and desktop (1280×900)."""
    made = {}

    def get(signed_in: bool, kind: str) -> Page:
        if (signed_in, kind) not in made:
            made[signed_in, kind] = _tab(browser, live_server, PHONE if kind == "phone" else DESKTOP,
                                         mobile=kind == "phone", email="owner@example.com" if signed_in else None)
        page = made[signed_in, kind][1]
        page.set_viewport_size(PHONE if kind == "phone" else DESKTOP)
        return page
    yield get
    for context, _page in made.values():
        context.close()


def settled(page: Page):
    # A locator, not wait_for_function: that evaluates a string, which the Content-Security-Policy forbids.
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def test_page_fits_a_phone_and_passes_axe(endpoint, urls, tabs):
    signed_in = endpoint not in pages.PUBLIC
    phone = tabs(signed_in, "phone")
    response = phone.goto(urls[endpoint])
    assert response.ok, f"{urls[endpoint]}: {response.status}"
    assert phone.evaluate("scrollY") == 0, "the page opens scrolled down"
    assert_fits(phone, endpoint)
    assert_axe_clean(phone, f"{endpoint} on a phone")
    desktop = tabs(signed_in, "desktop")
    desktop.goto(urls[endpoint])
    assert_axe_clean(desktop, f"{endpoint} on a desktop")
    # Cards side by side start at the same height.
    tops = desktop.evaluate("""() => Array.from(document.querySelectorAll('.two-col')).map((grid) =>
      Array.from(grid.children).slice(0, 2).map((card) => Math.round(card.getBoundingClientRect().top)))""")
    assert all(len(set(pair)) <= 1 for pair in tops), f"two-column cards start at different heights: {tops}"


def test_the_sweep_skips_only_routes_that_exist(browser_app):
    endpoints = {rule.endpoint for rule in browser_app.url_map.iter_rules()}
    assert set(pages.NOT_PAGES) <= endpoints, "NOT_PAGES names a route that is gone"
    assert pages.PUBLIC <= endpoints


def test_inbox_on_a_phone_opens_at_the_top_with_search_and_badges_in_view(tabs):
    phone = tabs(True, "phone")
    phone.goto("/tickets")
    assert phone.evaluate("scrollY") == 0
    for element in (phone.locator(".menu-toggle"), phone.locator("#inbox-q"), phone.locator(".views-toggle"),
                    phone.locator(".ticket-row .sla").first, phone.locator(".ticket-row .status").first):
        expect(element).to_be_in_viewport()
    box = phone.locator(".topbar").bounding_box()
    assert box["height"] <= 60, "the top bar takes a quarter of the screen"
    for target in (".menu-toggle", ".views-toggle", ".filters-toggle", ".page-head .btn"):
        box = phone.locator(target).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"{target} is too small to tap: {box}"


def test_inbox_menus_and_sheets_on_a_phone(tabs):
    """Each menu and sheet fits and passes axe while open (axe looks at what opened: the page around it was
    scanned by the sweep); Escape closes it again."""
    phone = tabs(True, "phone")
    phone.goto("/tickets")
    openers = {
        "#topmenu": lambda: phone.locator(".menu-toggle").click(),
        "#views-sheet": lambda: phone.locator(".views-toggle").click(),
        "#filter-sheet": lambda: phone.locator(".filters-toggle").click(),
        "#bulk-sheet": lambda: (phone.locator(".ticket-row label.hit").first.tap(),
                                phone.locator(".bulk-toggle").click()),
    }
    for sheet, open_it in openers.items():
        open_it()
        expect(phone.locator(sheet)).to_be_visible()
        expect(phone.locator(sheet).locator("a, select, button").last).to_be_in_viewport()
        assert_fits(phone, f"the inbox with {sheet} open")
        assert_axe_clean(phone, f"{sheet} on a phone", sheet)
        phone.keyboard.press("Escape")
        expect(phone.locator(sheet)).to_be_hidden()
    expect(phone.locator(".bulk-count")).to_have_text("1 selected")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_inbox_search_results(tabs, kind):
    page = tabs(True, kind)
    page.goto("/tickets?q=bestelling&view=all")
    expect(page.locator("#ticket-list mark").first).to_be_visible()
    if kind == "phone":
        assert_fits(page, "search results")
    assert_axe_clean(page, f"search results on a {kind}", "#ticket-list .ticket-row:has(mark)")


def test_picking_a_view_in_the_sheet_closes_it(tabs):
    phone = tabs(True, "phone")
    phone.goto("/tickets")
    phone.locator(".views-toggle").click()
    phone.locator("#views-sheet").get_by_role("link", name=re.compile("^Pending")).click()
    expect(phone).to_have_url(re.compile(r"view=pending"))
    expect(phone.locator("#views-sheet")).to_be_hidden()
    expect(phone.locator(".views-toggle")).to_contain_text("Pending")


def test_inbox_bulk_selection_and_help_on_a_desktop(tabs):
    desktop = tabs(True, "desktop")
    desktop.goto("/tickets")
    desktop.locator(".ticket-row input[name=ids]").first.check()
    expect(desktop.get_by_role("button", name="Mark solved")).to_be_enabled()
    assert_axe_clean(desktop, "the inbox with a question selected", ".bulk-bar", ".ticket-row.is-checked")
    desktop.keyboard.press("?")
    expect(desktop.locator("#shortcuts-help")).to_be_visible()
    assert_axe_clean(desktop, "the shortcuts help", "#shortcuts-help")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_ticket_page_with_templates_open_and_hints_showing(tabs, urls, kind):
    page = tabs(True, kind)
    page.goto(urls["tickets.show"])
    composer = page.locator("form.composer")
    more = composer.locator(".template-more:not(.article-more) summary")
    if more.count():
        more.click()
        expect(composer.locator(".template-more:not(.article-more) li a, .template-more:not(.article-more) li button").first).to_be_visible()
    body = composer.locator("textarea").first
    body.fill("Beste klant, wat vervelend. We sturen een nieuwe of u krijgt uw geld terug.")
    expect(composer.locator(".nudges .nudge").first).to_be_visible()
    settled(page)
    if kind == "phone":
        assert_fits(page, "the ticket page while writing")
        for target in (composer.locator(".send-reply").first, page.locator("[data-shortcut=take]"),
                       page.locator("[data-shortcut=solve]")):
            if target.count():  # another test may have taken or solved this question
                box = target.bounding_box()
                assert box["height"] >= 44, f"{target} is too small to tap: {box}"
        body.focus()
        # The send buttons stay reachable while writing (the on-screen keyboard takes the lower half).
        page.set_viewport_size({"width": 390, "height": 420})
        expect(composer.locator(".send-reply").first).to_be_in_viewport()
        page.set_viewport_size(PHONE)
    assert_axe_clean(page, f"the ticket page on a {kind} with templates and hints", "form.composer")
    body.fill("")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_forms_with_errors(tabs, kind):
    page = tabs(True, kind)
    page.goto("/tickets/new")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".field-errors, .form-errors").first).to_be_visible()
    if kind == "phone":
        assert_fits(page, "a form with errors")
    assert_axe_clean(page, f"a form with errors on a {kind}", "main")
    visitor = tabs(False, kind)
    visitor.goto("/login")
    visitor.get_by_label("E-mail").fill("owner@example.com")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.locator(".form-errors, .field-errors, .flash-error").first).to_be_visible()
    assert_axe_clean(visitor, f"the sign-in page with an error on a {kind}", "main")
