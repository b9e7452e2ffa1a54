"""A manager opens the performance page, reads the weekly warning and the charts, and downloads the numbers."""
from playwright.sync_api import Page, expect


def test_manager_sees_charts_warning_and_downloads_csv(page: Page, login, artifacts):
    login("manager@example.com")
    page.get_by_role("link", name="Performance").click()
    expect(page.get_by_role("heading", name="Performance", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="This week: the weekly warning")).to_be_visible()
    for name in ("Share of questions with a first reaction within 8 business hours, last 13 weeks",
                 "Share of call attempts answered during opening hours, last 13 weeks",
                 "Questions per 100 orders, last 13 weeks"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("#chart-response .norm")).to_be_visible()
    # The numbers behind the chart, for screen readers and for checking.
    page.locator("#response details.numbers summary").click()
    expect(page.get_by_role("table", name="First reaction within 8 business hours, per week")).to_be_visible()
    expect(page.locator("#products tr.is-flagged").first).to_be_visible()   # the demo's trouble product
    page.screenshot(path=f"{artifacts}/performance.png", full_page=True)
    page.locator("#response").screenshot(path=f"{artifacts}/performance-response.png")
    with page.expect_download() as info:
        page.locator("#response").get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("response-")
    with open(download.path(), encoding="utf-8-sig") as f:
        text = f.read()
    assert text.startswith("Week,Monday,Questions,On time") and text.count("\n") == 14


def test_agent_sees_own_figures_only(page: Page, login, artifacts):
    login("agent1@example.com")
    page.goto("/reports")
    expect(page.get_by_text("Your own figures")).to_be_visible()
    expect(page.locator("#phone")).to_have_count(0)
    page.screenshot(path=f"{artifacts}/performance-agent.png", full_page=True)


def test_the_service_measures_caption_wraps_above_its_scrolling_table_on_a_phone(page: Page, login, artifacts):
    login("manager@example.com")
    page.goto("/reports#service")
    caption, box = page.locator("#service caption"), page.locator("#service .table-scroll")
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 844})
        expect(caption).to_contain_text("Service measures")
        assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")   # the table itself still scrolls
        # The whole caption within the box, and still so with the table scrolled to its end.
        for scrolled in (False, True):
            if scrolled:
                box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
            inner, outer = caption.bounding_box(), box.bounding_box()
            assert outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5, \
                f"caption cut off at {width} px (scrolled: {scrolled})"
        page.locator("#service").screenshot(path=f"{artifacts}/service-measures-{width}.png")
        box.evaluate("(el) => { el.scrollLeft = 0; }")
