"""An agent answers a damaged-item complaint with a template, watches the checks turn green, and sends."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from inbox.extensions import db
from inbox.models import OutboundEmail

COMPLAINT = ("Goedemiddag,\n\nVandaag ontving ik het dekbedovertrek, maar er zit een grote scheur in de stof. "
             "Ik ben hier echt niet blij mee. Wat kunt u voor mij doen?\n\nMet vriendelijke groet,\nIngrid van Dijk")


@pytest.fixture
def complaint(new_question):
    """A fresh Dutch, formal, upset damaged-item question in the demo shop, received just now."""
    return new_question(subject="Scheur in dekbedovertrek", body=COMPLAINT, customer_name="Ingrid van Dijk",
                        customer_email="ingrid@example.com", product="Dekbedovertrek Nova", order_number="1098765432")


def nudge(page: Page, ticket_id: int, code: str):
    return page.locator(f"#ticket-{ticket_id}-nudges [data-code={code}]")


def settled(page: Page):
    """htmx binds new content a moment after swapping it in; a robot clicks faster than that, a person does not."""
    # A locator, not wait_for_function: that evals its expression in the page, which the CSP forbids.
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-swapping, .htmx-request")).to_have_count(0)


def test_reply_with_a_template_watch_checks_turn_green_and_send(page: Page, login, complaint, browser_app, artifacts):
    login("agent1@example.com")
    page.goto(f"/tickets/{complaint}")
    composer = page.locator(f"#ticket-{complaint}-reply")
    expect(composer.locator(".composer-sla .sla")).to_contain_text("left")
    expect(composer.locator(".composer-tone")).to_contain_text("formal (u)")
    expect(composer.locator(".composer-tone")).to_contain_text("upset")

    # A too-short answer: the checks say what is missing.
    body = page.locator(f"#ticket-{complaint}-body")
    body.fill("Ok, we kijken ernaar.")
    expect(nudge(page, complaint, "options")).to_have_class(re.compile("nudge-todo"))
    expect(nudge(page, complaint, "feeling")).to_have_class(re.compile("nudge-todo"))
    expect(page.locator(f"#ticket-{complaint}-draft-status")).to_contain_text("Draft saved")

    # Start over with the suggested template and offer two of its solutions.
    body.fill("")
    page.locator(".template-chip.suggested", has_text="Beschadigd product: opties").click()
    picker = page.locator(f"#ticket-{complaint}-template-pick")
    expect(picker.locator("input[name=option]")).to_have_count(3)
    settled(page)
    picker.locator("input[name=option]").nth(1).uncheck()
    picker.locator("input[name=option]").nth(2).check()
    picker.get_by_role("button", name="Insert template").click()

    body = page.locator(f"#ticket-{complaint}-body")
    expect(body).to_have_value(re.compile(r"^Beste Ingrid van Dijk,"))
    text = body.input_value()
    assert "Dekbedovertrek Nova" in text and "Anna\nDemo Shop" in text
    assert "1. Een nieuw exemplaar, vandaag verzonden, zonder kosten.\n2. U houdt het product" in text
    assert "{" not in text
    for code in ("options", "feeling", "name", "formality", "next_step", "closing", "fast"):
        expect(nudge(page, complaint, code)).to_have_class(re.compile("nudge-ok"))
    expect(page.locator(f"#ticket-{complaint}-nudges .all-three")).to_be_visible()

    # Typing "je" to a customer who writes "u" turns one check back, live.
    body.press("End")
    body.type("\nPS: je hoort snel van ons.")
    expect(nudge(page, complaint, "formality")).to_have_class(re.compile("nudge-todo"))
    expect(page.locator(f"#ticket-{complaint}-nudges .all-three")).to_have_count(0)
    page.screenshot(path=f"{artifacts}/composer-nudges.png", full_page=True)
    body.fill(text)
    expect(nudge(page, complaint, "formality")).to_have_class(re.compile("nudge-ok"))
    composer.screenshot(path=f"{artifacts}/composer.png")

    # A reload (another tab, a crash) restores the draft.
    page.reload()
    expect(page.locator(f"#ticket-{complaint}-body")).to_have_value(text)
    expect(page.get_by_text("Your unsent draft was restored.")).to_be_visible()

    page.get_by_role("button", name="Send & solve").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    reply = page.locator(".thread .msg-reply").last
    expect(reply).to_contain_text("Beste Ingrid van Dijk,")
    expect(reply.locator(".delivery")).to_be_visible()
    expect(reply.locator(".sla")).to_contain_text("on time")
    expect(page.locator(f"#ticket-{complaint}-sla")).to_contain_text("Answered on time")
    expect(page.locator(f"#ticket-{complaint}-body")).to_have_value("")
    page.screenshot(path=f"{artifacts}/composer-sent.png", full_page=True)
    with browser_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))
                                 .where(OutboundEmail.ticket_id == complaint)) == 1


def test_manager_manages_templates_and_sees_an_unknown_placeholder_as_an_error(page: Page, login, artifacts):
    login("manager@example.com")
    page.get_by_role("link", name="Templates").click()
    expect(page.get_by_role("heading", name="Templates")).to_be_visible()
    expect(page.get_by_role("link", name="Beschadigd product: opties")).to_be_visible()
    page.screenshot(path=f"{artifacts}/templates.png", full_page=True)

    page.get_by_role("link", name="+ New template").click()
    page.get_by_label("Title").fill("Verkeerde kleur")
    page.get_by_label("Category").select_option("wrong_item")
    page.get_by_label("Text").fill("Beste {klantnaam},\n\n{options}\n\nGroet,\n{agent_first_name}")
    page.locator("input[name=option]").nth(0).fill("De juiste kleur, vandaag verstuurd.")
    page.locator("input[name=option]").nth(1).fill("Geld terug binnen 2 werkdagen.")
    settled(page)
    page.get_by_role("button", name="+ Add a solution").click()
    expect(page.locator("input[name=option]")).to_have_count(3)
    page.locator("input[name=option]").nth(2).fill("Houden met 20% korting.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Unknown placeholder: {klantnaam}")).to_be_visible()
    page.screenshot(path=f"{artifacts}/template-error.png", full_page=True)

    page.get_by_label("Text").fill("Beste {customer_name},\n\n{options}\n\nGroet,\n{agent_first_name}")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template “Verkeerde kleur” created.")).to_be_visible()
    row = page.locator("tr", has_text="Verkeerde kleur")
    expect(row).to_contain_text("3")
    row.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Template “Verkeerde kleur” archived.")).to_be_visible()
    page.get_by_role("link", name="Archived").click()
    expect(page.locator("tr", has_text="Verkeerde kleur")).to_be_visible()


def test_agent_does_not_see_the_templates_area(page: Page, login):
    login("agent1@example.com")
    expect(page.get_by_role("link", name="Templates")).to_have_count(0)
    assert page.goto("/templates").status == 403


def test_the_other_templates_load_when_the_list_is_opened(page: Page, login, complaint):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("agent1@example.com")
    page.goto(f"/tickets/{complaint}")
    more = page.locator(".template-more:not(.article-more)")
    expect(more.locator("summary")).to_contain_text("More templates")
    expect(more.locator("li button")).to_have_count(0)   # not sent with the page
    more.locator("summary").click()
    expect(more.locator("li button").first).to_be_visible()
    late = more.get_by_role("button", name="Vertraagde levering: opties", exact=True)
    expect(late).to_have_count(1)
    settled(page)
    late.click()
    expect(page.locator(f"#ticket-{complaint}-template-pick")).to_contain_text("Vertraagde levering: opties")
    assert errors == []   # the list and the chip do not inherit the send buttons' hx-disabled-elt
