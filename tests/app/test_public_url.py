"""The address of Seller Inbox in e-mails: the owner sets it on Mail settings (suggested at set-up, checked), it
wins over INBOX_BASE_URL, and every absolute link in mail uses it — also in mail the worker builds, outside any
request. While it is missing the mail settings page warns, and every page once mail goes out. With a worker
sending, the "send each reply right away" choice is not offered."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import HelpArticle, MailSettings
from inbox.services import help as help_service, outbox, public_url
from tests.customer import mailing_shop, send  # noqa: F401  (fixture)


def settings_page(client) -> str:
    return client.get("/mail/settings").get_data(as_text=True)


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return value.group(1) if value else None


def save(client, **values):
    return client.post("/mail/settings", data={"imap_security": "ssl", "smtp_security": "starttls", **values})


@pytest.mark.parametrize("typed, stored", [
    ("https://inbox.example.com/", "https://inbox.example.com"),
    ("  HTTPS://inbox.example.com/support/ ", "https://inbox.example.com/support"),
    ("http://127.0.0.1:5104", "http://127.0.0.1:5104"),
])
def test_an_address_is_stored_without_its_trailing_slash(app, typed, stored):
    with app.test_request_context():
        assert public_url.normalise(typed) == stored


@pytest.mark.parametrize("typed", ["inbox.example.com", "ftp://inbox.example.com", "https://", "javascript:alert(1)",
                                   "https://me:pw@inbox.example.com", "https://inbox.example.com/?a=1",
                                   "https://inbox.example.com/#top", "https://inbox.example.com:99999",
                                   "https://inbox example.com", "https://x.example/" + "a" * 300])
def test_anything_else_is_refused_with_a_reason(app, typed):
    with app.test_request_context(), pytest.raises(public_url.BadAddress):
        public_url.normalise(typed)


def test_the_settings_page_suggests_the_address_in_use_and_saves_it_checked(client, login_as, shop):
    login_as("owner")
    page = settings_page(client)
    assert 'id="base-url-notice"' in page                                     # missing: the page warns
    assert field_value(page, "public_url") == "http://localhost"             # the address the owner reached us at
    assert "Suggested: the address you are using now" in page

    refused = save(client, public_url="inbox.demo-shop.example", from_address="support@demo-shop.example")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Enter a full web address starting with https://" in html and "support@demo-shop.example" in html
    assert public_url.configured(shop) is None

    assert save(client, public_url="https://inbox.demo-shop.example/").status_code == 303
    assert db.session.scalar(sa.select(MailSettings.public_url)) == "https://inbox.demo-shop.example"
    page = settings_page(client)
    assert 'id="base-url-notice"' not in page and field_value(page, "public_url") == "https://inbox.demo-shop.example"


def test_inbox_base_url_is_the_default_and_the_shops_own_address_wins(app, client, login_as, shop):
    app.config["BASE_URL"] = "https://inbox.host.example/"
    login_as("owner")
    page = settings_page(client)
    assert 'id="base-url-notice"' not in page
    assert field_value(page, "public_url") in (None, "")                  # empty: the installation's address
    assert "Empty: the installation's address https://inbox.host.example (INBOX_BASE_URL)." in page
    assert public_url.configured(shop) == "https://inbox.host.example"
    save(client, public_url="https://help.demo-shop.example")
    assert public_url.configured(shop) == "https://help.demo-shop.example"


def test_the_worker_links_customers_to_the_shops_address(app, mailing_shop, staff, make_ticket, smtp_sink):
    """Mail built outside any request (the worker) has no browser's address to fall back on."""
    app.config["BASE_URL"] = "https://inbox.host.example"
    db.session.scalar(sa.select(MailSettings)).public_url = "https://inbox.demo-shop.example"
    ticket = make_ticket(mailing_shop)
    send(ticket, mailing_shop, staff["agent"], status="solved")   # solved: with the rating links
    outbox.run_queue()
    [reply] = smtp_sink.wait_for(1)   # the solved reply, its rating links in it (waiting for a second waited 10 s)
    links = re.findall(r"https?://\S+", reply.message.get_body(("plain",)).get_content())
    assert links and all(link.startswith("https://inbox.demo-shop.example/q/") for link in links), links
    assert any(link.endswith("/rate/good") for link in links)


def test_invitations_and_help_links_use_the_shops_address(client, login_as, shop, staff, make_ticket):
    db.session.add(MailSettings(shop_id=shop.id, public_url="https://inbox.demo-shop.example"))
    db.session.commit()
    login_as("owner")
    invited = client.post("/team/invite", data={"email": "nieuw@example.com", "role": "agent"})
    html = invited.get_data(as_text=True)
    assert re.search(r"id=\"shown-link\"[^>]*value=\"https://inbox\.demo-shop\.example/", html), html[html.find("shown-link") - 200:][:600]
    article = help_service.save(HelpArticle(shop_id=shop.id), category="return", published=True, by=staff["owner"],
                                texts={"nl": ("Hoe stuur ik iets retour?", "Met het label."),
                                       "en": ("How do I return something?", "With the label.")})
    db.session.commit()
    ticket = make_ticket(shop)
    inserted = client.post(f"/tickets/{ticket.id}/articles/{article.id}/insert", data={"body": ""},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"https://inbox.demo-shop.example/help/{shop.id}/{article.id}-" in inserted


def test_every_page_warns_the_owner_once_the_shops_own_mail_server_sends(client, login_as, shop, staff):
    login_as("owner")
    assert "E-mails go out without working links" not in client.get("/tickets").get_data(as_text=True)
    db.session.add(MailSettings(shop_id=shop.id, smtp_host="smtp.demo-shop.example"))
    db.session.commit()
    page = client.get("/tickets").get_data(as_text=True)
    assert "E-mails go out without working links" in page and "/mail/settings#public_url" in page
    db.session.scalar(sa.select(MailSettings)).public_url = "https://inbox.demo-shop.example"
    db.session.commit()
    assert "E-mails go out without working links" not in client.get("/tickets").get_data(as_text=True)


@pytest.mark.parametrize("config, offered, says", [
    ({}, True, None),
    ({"OUTBOX_SENDER": "worker"}, False, "Replies are sent by the background worker within seconds"),
    ({"SEND_ON_REPLY": True}, False, "Each reply is sent right after it is saved"),
    ({"SEND_ON_REPLY": False}, False, "Replies wait in the outbox until the background worker"),
])
def test_send_right_away_is_offered_only_where_the_shops_choice_counts(app, client, login_as, shop, config,
                                                                        offered, says):
    app.config.update(config)
    login_as("owner")
    page = settings_page(client)
    assert ('name="send_on_reply"' in page) == offered
    if says:
        assert says in page
    save(client, public_url="https://inbox.demo-shop.example")   # the box not sent: the stored choice stays
    assert db.session.scalar(sa.select(MailSettings.send_on_reply)) is (not offered)


def test_the_sender_of_the_apps_own_mail_is_set_from_the_environment():
    from inbox.config import from_environment
    assert from_environment({"INBOX_MAIL_FROM": "Seller Inbox <inbox@demo-shop.example>"}) == {
        "MAIL_FROM": "Seller Inbox <inbox@demo-shop.example>"}
