"""Saved replies: managing them (owners and managers), and inserting them from the composer."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Draft, ReplyTemplate, Shop
from inbox.services import reply_templates

HX = {"HX-Request": "true"}
DAMAGED_BODY = ("Beste {customer_name},\n\nWat vervelend dat uw {product} beschadigd is aangekomen.\n\n"
                "U kunt kiezen:\n{options}\n\nMet vriendelijke groet,\n{agent_first_name}\n{shop_name}")


@pytest.fixture
def damaged_template(shop, staff):
    template = ReplyTemplate(shop_id=shop.id)
    reply_templates.save(template, title="Beschadigd: opties", category="damaged_item", language="nl",
                         body=DAMAGED_BODY, options=["Een nieuw exemplaar, vandaag verzonden.",
                                                     "Het volledige bedrag terug.", "U houdt het met 30% korting."],
                         by=staff["owner"])
    db.session.commit()
    return template


def form(**overrides):
    data = {"title": "Late levering", "category": "late_delivery", "language": "nl",
            "body": "Beste {customer_name},\n\n{options}\n\nGroet,\n{agent_first_name}",
            "option": ["Nieuwe sturen", "Geld terug", ""]}
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- who may manage

@pytest.mark.parametrize("method, path", [("get", "/templates"), ("get", "/templates/new"), ("post", "/templates/new"),
                                          ("get", "/templates/{id}/edit"), ("post", "/templates/{id}/archive"),
                                          ("post", "/templates/{id}/unarchive"), ("get", "/templates/option-row")])
def test_agents_cannot_manage_templates(client, login_as, damaged_template, method, path):
    login_as("agent")
    response = getattr(client, method)(path.format(id=damaged_template.id), data=form())
    assert response.status_code == 403


def test_templates_area_is_in_the_navigation_for_managers_only(client, login_as):
    login_as("manager")
    assert 'href="/templates"' in client.get("/tickets").get_data(as_text=True)
    client.post("/logout")
    login_as("agent")
    assert 'href="/templates"' not in client.get("/tickets").get_data(as_text=True)


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_create_a_template_with_solution_options(client, login_as, role):
    login_as(role)
    response = client.post("/templates/new", data=form())
    assert response.status_code == 303
    template = db.session.scalar(sa.select(ReplyTemplate))
    assert (template.title, template.category, template.language) == ("Late levering", "late_delivery", "nl")
    assert [o.text for o in template.options] == ["Nieuwe sturen", "Geld terug"]  # the blank row is dropped
    assert "Late levering" in client.get("/templates").get_data(as_text=True)


def test_unknown_placeholder_is_a_field_error_and_nothing_is_saved(client, login_as):
    login_as("manager")
    response = client.post("/templates/new", data=form(body="Beste {customer_frist_name}, {options}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown placeholder: {customer_frist_name}" in html
    assert 'id="body-errors"' in html
    assert db.session.scalar(sa.select(sa.func.count(ReplyTemplate.id))) == 0


def test_unknown_placeholder_in_an_option_is_refused(client, login_as):
    login_as("manager")
    response = client.post("/templates/new", data=form(option=["Korting op {ordr}"]))
    assert response.status_code == 422
    assert "Unknown placeholder: {ordr}" in response.get_data(as_text=True)


def test_editing_replaces_the_options_in_the_order_given(client, login_as, damaged_template):
    login_as("owner")
    response = client.post(f"/templates/{damaged_template.id}/edit",
                           data=form(title="Beschadigd", category="damaged_item", body=DAMAGED_BODY,
                                     option=["Geld terug", "", "Nieuw exemplaar"]))
    assert response.status_code == 303
    db.session.expire_all()
    template = db.session.get(ReplyTemplate, damaged_template.id)
    assert template.title == "Beschadigd"
    assert [o.text for o in template.options] == ["Geld terug", "Nieuw exemplaar"]


def test_edit_page_shows_the_option_rows_and_the_placeholders(client, login_as, damaged_template):
    login_as("owner")
    html = client.get(f"/templates/{damaged_template.id}/edit").get_data(as_text=True)
    assert html.count('name="option"') == 3
    assert "{customer_first_name}" in html and "+ Add a solution" in html
    row = client.get("/templates/option-row", headers=HX).get_data(as_text=True)
    assert 'name="option"' in row and "Remove" in row


def offered_in_composer(client, ticket) -> str:
    """The ticket page's template bar plus the list it loads when opened."""
    return (client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
            + client.get(f"/tickets/{ticket.id}/templates", headers=HX).get_data(as_text=True))


def test_archived_templates_leave_the_composer_and_can_come_back(client, login_as, damaged_template, shop, make_ticket):
    ticket = make_ticket(shop, body="Mijn dekbed is kapot aangekomen.")
    login_as("manager")
    offered = f"/tickets/{ticket.id}/templates/{damaged_template.id}"
    assert offered in offered_in_composer(client, ticket)
    assert client.post(f"/templates/{damaged_template.id}/archive").status_code == 303
    assert offered not in offered_in_composer(client, ticket)
    assert "Beschadigd: opties" in client.get("/templates?archived=1").get_data(as_text=True)
    assert client.post(f"/tickets/{ticket.id}/templates/{damaged_template.id}/insert", data={}).status_code == 404
    client.post(f"/templates/{damaged_template.id}/unarchive")
    assert offered in offered_in_composer(client, ticket)


def test_the_page_offers_the_fitting_templates_and_loads_the_others_when_the_list_opens(
        client, login_as, damaged_template, shop, staff, make_ticket, make_shop):
    late = ReplyTemplate(shop_id=shop.id)
    reply_templates.save(late, title="Waar blijft mijn pakket", category="late_delivery", language="nl",
                         body="Beste {customer_name},\n\nUw pakket is onderweg.", options=[], by=staff["owner"])
    foreign = ReplyTemplate(shop_id=make_shop("Other", "BE").id)
    reply_templates.save(foreign, title="Niet van jou", category="late_delivery", language="nl", body="x",
                         options=[], by=staff["owner"])
    db.session.commit()
    ticket = make_ticket(shop, subject="Kapot", body="Mijn dekbed is beschadigd aangekomen, de hoes is kapot.")
    login_as("agent")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Beschadigd: opties" in page and "(3 solutions)" in page      # fits: inline, with its solutions
    assert "More templates (1)" in page and "Waar blijft mijn pakket" not in page
    listed = client.get(f"/tickets/{ticket.id}/templates", headers=HX).get_data(as_text=True)
    assert "Waar blijft mijn pakket" in listed and f"/tickets/{ticket.id}/templates/{late.id}" in listed
    assert "Niet van jou" not in listed and "Beschadigd: opties" not in listed


def test_another_shops_template_answers_404(client, login_as, make_shop, make_user):
    other = make_shop("Other Shop")
    template = ReplyTemplate(shop_id=other.id, title="Theirs", body="Hallo", category="general", language="nl")
    db.session.add(template)
    db.session.commit()
    login_as("owner")
    assert client.get(f"/templates/{template.id}/edit").status_code == 404
    assert client.post(f"/templates/{template.id}/archive").status_code == 404


# --------------------------------------------------------------------------- in the composer

def test_templates_fitting_language_and_category_are_suggested_first(shop, staff, make_ticket, damaged_template):
    for title, category, language in [("Damaged EN", "damaged_item", "en"), ("Factuur", "invoice", "nl")]:
        reply_templates.save(ReplyTemplate(shop_id=shop.id), title=title, category=category, language=language,
                             body="Hallo", options=[], by=staff["owner"])
    ticket = make_ticket(shop, subject="Kapot", body="Mijn dekbedovertrek is beschadigd aangekomen, er zit een scheur in.",
                         language="nl")
    suggested, others = reply_templates.suggest(ticket, shop)
    assert [(t.title, t.option_count) for t in suggested] == [("Beschadigd: opties", 3)]
    assert [t.title for t in others] == ["Factuur", "Damaged EN"]  # the ticket's language before other languages


def test_the_template_list_is_read_once_per_change_to_the_shops_templates(count_queries, shop, make_ticket,
                                                                          damaged_template):
    ticket = make_ticket(shop, subject="Kapot", body="Mijn dekbed is beschadigd aangekomen.", language="nl")
    with count_queries() as first:
        assert [t.title for t in reply_templates.template_bar(ticket, shop)[0]] == ["Beschadigd: opties"]
    with count_queries() as again:
        reply_templates.template_bar(ticket, shop)
    assert len([q for q in first if "FROM reply_template" in q]) == 1 and again == []

    # Another process adds one: its commit moves the version this process sees with the shop on its next page.
    with db.engine.begin() as conn:
        conn.execute(sa.insert(ReplyTemplate.__table__).values(
            shop_id=shop.id, title="Kapot: retour", category="damaged_item", language="nl", body="x", archived=False))
        conn.execute(sa.update(Shop.__table__).where(Shop.id == shop.id)
                     .values(templates_version=Shop.templates_version + 1))
    assert [t.title for t in reply_templates.template_bar(ticket, shop)[0]] == ["Beschadigd: opties"]
    db.session.expire(shop)
    assert [t.title for t in reply_templates.template_bar(ticket, shop)[0]] == ["Beschadigd: opties", "Kapot: retour"]


def test_picking_a_template_shows_its_options_to_tick_and_a_filled_preview(client, login_as, shop, make_ticket,
                                                                            damaged_template):
    ticket = make_ticket(shop, body="Kapot aangekomen.", product="dekbedovertrek")
    login_as("agent")
    html = client.get(f"/tickets/{ticket.id}/templates/{damaged_template.id}", headers=HX).get_data(as_text=True)
    assert html.count('type="checkbox" name="option"') == 3
    assert "Beste Ingrid van Dijk," in html and "uw dekbedovertrek" in html


def test_insert_fills_placeholders_and_offers_the_ticked_solutions_as_a_numbered_list(client, login_as, shop,
                                                                                      make_ticket, damaged_template):
    ticket = make_ticket(shop, body="Kapot aangekomen.", product="dekbedovertrek")
    agent = login_as("agent")
    first, _, third = damaged_template.options
    response = client.post(f"/tickets/{ticket.id}/templates/{damaged_template.id}/insert", headers=HX,
                           data={"body": "", "kind": "reply", "option": [str(third.id), str(first.id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    textarea = html[html.index("<textarea"):html.index("</textarea>")]
    assert "Beste Ingrid van Dijk," in textarea
    # The template's order, not the click order; only what was ticked.
    assert "1. Een nieuw exemplaar, vandaag verzonden.\n2. U houdt het met 30% korting." in textarea
    assert "Het volledige bedrag terug." not in textarea
    assert f"{agent.first_name}\nDemo Shop" in textarea
    assert "{" not in textarea
    # In place: the draft holds it, and the nudges come along out of band.
    assert db.session.scalar(sa.select(Draft)).body.startswith("Beste Ingrid van Dijk,")
    assert 'hx-swap-oob="true"' in html


def test_insert_below_what_was_already_typed(client, login_as, shop, make_ticket, damaged_template):
    ticket = make_ticket(shop, body="Kapot aangekomen.")
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/templates/{damaged_template.id}/insert", headers=HX,
                       data={"body": "Eerste regel", "kind": "reply"}).get_data(as_text=True)
    assert "Eerste regel\n\nBeste Ingrid van Dijk," in html


def test_unknown_product_becomes_a_visible_gap(client, login_as, shop, make_ticket, damaged_template):
    ticket = make_ticket(shop, body="Kapot aangekomen.", product=None)
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/templates/{damaged_template.id}/insert", headers=HX,
                       data={"body": ""}).get_data(as_text=True)
    assert "uw [product] beschadigd" in html


def test_starter_set_offers_two_solutions_in_every_complaint_template(shop, staff):
    from inbox.demo import reply_templates as starter
    from inbox.placeholders import unknown_placeholders

    starter.install(shop, by=staff["owner"])
    db.session.commit()
    templates = reply_templates.for_shop(shop.id)
    assert {t.language for t in templates} == {"nl", "en"}
    for category in ("late_delivery", "damaged_item", "wrong_item", "return", "refund", "product_question",
                     "invoice", "general"):
        assert {t.language for t in templates if t.category == category} == {"nl", "en"}, category
    for t in templates:
        assert unknown_placeholders(t.body) == [], t.title
        if t.category in ("late_delivery", "damaged_item", "wrong_item", "refund"):
            assert len(t.options) >= 2, t.title
