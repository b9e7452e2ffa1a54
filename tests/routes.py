"""Every route of the app, described for the route sweep (tests/app/test_route_sweep.py).

A route's `access` is who may use it:
- "public": anyone, signed in or not (the sign-in page, the contact form, files);
- "api": the JSON API, with a bearer token instead of a session (exempt from CSRF);
- "signed_in": every role of the shop;
- a permission of inbox.workflow.PERMISSIONS ("answer", "manage_team", ...): the roles that have it; every other
  role gets 403.

The URL arguments are filled by name (ARGUMENTS): a `ticket_id` is one of the shop's tickets, and in the cross-shop
check one of another shop's, which must answer 404. A route that is not described here fails the sweep: describe
it when you add it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    access: str
    data: dict = field(default_factory=dict)   # a form that gets past validation, where the check needs one
    why: str = ""


# URL argument -> the kind of object it names (tests/app/test_route_sweep.py makes one of each per shop).
ARGUMENTS = {
    "ticket_id": "ticket", "template_id": "template", "user_id": "user", "invitation_id": "invitation",
    "item_id": "quarantined", "attachment_id": "attachment", "row_id": "outbound", "token_id": "api_token",
    "session_id": "login_session", "shop_id": "shop", "message_id": "message", "endpoint_id": "webhook_endpoint",
    "delivery_id": "webhook_delivery", "article_id": "help_article", "rating_id": "rating", "upload_id": "upload",
}
# Arguments that are not another shop's objects, with the value to use.
FIXED = {"name": {"reports.download": "response", "assets.vendor": "htmx.min.js"}, "token": "not-a-real-token",
         "key": "not-a-real-link", "score": "good", "filename": "app.css", "slug": "retour"}

ROUTES = {
    "static": Route("public", why="the app's own CSS and JS"),
    "assets.vendor": Route("public", why="htmx, installed from npm"),
    "index": Route("public", why="sends everyone to the inbox, which asks for a sign-in"),
    "auth.login": Route("public"),
    "auth.logout": Route("signed_in"),
    "team.accept": Route("public", why="the link itself is the credential"),
    "contact.form": Route("public", why="customers write in; the shop id is public"),
    "contact.thanks": Route("public"),
    "contact.team_photo": Route("public", why="only an opted-in, active colleague's photo, by a random key"),
    "help.index": Route("public", why="the shop's help centre, beside its contact form"),
    "help.article": Route("public", why="a published article; drafts and other shops' ids are 404"),
    "help.suggest": Route("public", why="the contact form's suggestions while the customer types"),
    "help.answered": Route("public", why="\"this answered my question\": a counter, nothing else"),
    "customer.question": Route("public", why="the private link itself is the credential; a wrong one answers 404"),
    "customer.reply": Route("public", why="the private link itself is the credential; a wrong one answers 404"),
    "customer.ask_link": Route("public", why="customers ask for a fresh link; answers the same for any address"),
    "customer.revoke_links": Route("answer"),
    "customer.rate_confirm": Route("public", why="the private link is the credential; only asks to confirm"),
    "customer.rate": Route("public", why="the private link itself is the credential; a wrong one answers 404"),
    "customer.followed_up": Route("see_reports"),
    "api.post_call": Route("api"),
    "api.post_orders": Route("api"),
    "api.list_tickets": Route("api"),
    "api.create_ticket": Route("api"),
    "api.get_ticket": Route("api"),
    "api.update_ticket": Route("api"),
    "api.get_ticket_sla": Route("api"),
    "api.create_message": Route("api"),
    "api.download_attachment": Route("api"),
    "api.get_customer": Route("api"),
    "api.list_users": Route("api"),
    "api.get_week_norms": Route("api"),
    "api.openapi_document": Route("public", why="the API's OpenAPI document, like any API's"),
    "api_docs.reference": Route("public", why="the API reference, built from the same document"),

    "account.index": Route("signed_in"),
    "account.profile": Route("signed_in"),
    "account.password": Route("signed_in"),
    "account.away": Route("signed_in"),
    "account.photo": Route("signed_in"),
    "account.remove_photo": Route("signed_in"),
    "account.own_photo": Route("signed_in", why="the user's own photo only; none: 404"),
    "account.end_browser": Route("signed_in", why="only the user's own browsers: another's id is 404"),
    "account.end_all_browsers": Route("signed_in"),

    "tickets.index": Route("signed_in"),
    "live.badges": Route("signed_in"),
    "tickets.show": Route("signed_in"),
    "live.changes": Route("signed_in"),
    "live.presence_beat": Route("signed_in"),
    "live.inbox": Route("signed_in"),
    "tickets.new": Route("answer"),
    "tickets.bulk": Route("answer"),
    "tickets.status": Route("answer", data={"status": "pending"}),
    "tickets.assign": Route("answer"),
    "tickets.tags": Route("answer"),
    "composer.reply": Route("answer"),
    "composer.article_list": Route("answer"),
    "composer.insert_article": Route("answer"),
    "composer.draft": Route("answer"),
    "composer.review": Route("answer"),
    "composer.first_reaction": Route("answer"),
    "composer.template_list": Route("answer"),
    "composer.pick_template": Route("answer"),
    "composer.insert_template": Route("answer"),
    "mail.attachment": Route("signed_in"),
    "attachments.add": Route("answer"),
    "attachments.remove": Route("answer"),
    "attachments.upload": Route("signed_in"),
    "attachments.upload_thumbnail": Route("signed_in"),
    "attachments.thumbnail": Route("signed_in"),
    "attachments.template_add": Route("manage_templates"),
    "attachments.template_remove": Route("manage_templates"),
    "mail.original": Route("signed_in", why="a customer's mail as it arrived, for everyone who reads the thread"),
    "mail.delivery_retry": Route("answer"),

    "articles.from_reply": Route("answer", why="an agent's draft from a reply of the shop; another shop's is 404"),
    "articles.index": Route("manage_help"),
    "articles.new": Route("manage_help"),
    "articles.edit": Route("manage_help"),
    "articles.move": Route("manage_help"),
    "articles.delete": Route("manage_help"),
    "articles.figures": Route("manage_help"),
    "replies.index": Route("manage_templates"),
    "replies.new": Route("manage_templates"),
    "replies.edit": Route("manage_templates"),
    "replies.archive": Route("manage_templates"),
    "replies.unarchive": Route("manage_templates"),
    "replies.option_row": Route("manage_templates"),

    "reports.index": Route("signed_in", why="each role sees its own figures"),
    "reports.download": Route("signed_in"),
    "reports_data.calls": Route("see_reports"),
    "reports_data.orders": Route("see_reports"),
    "planning.index": Route("see_reports"),
    "reports_data.settings": Route("manage_shop"),
    "reports_data.tokens": Route("manage_shop"),
    "reports_data.revoke_token": Route("manage_shop"),

    "team.index": Route("signed_in", why="everyone sees who is away"),
    "team.invite": Route("manage_team"),
    "team.revoke": Route("manage_team"),
    "team.change_role": Route("manage_team", data={"role": "agent"}),
    "team.deactivate": Route("manage_team"),
    "team.reactivate": Route("manage_team"),
    "team.reset_password": Route("manage_team"),
    "audit.index": Route("manage_team"),

    "settings.shop": Route("manage_shop"),
    "vacation.index": Route("manage_shop"),
    "vacation.close": Route("manage_shop"),
    "vacation.reopen": Route("manage_shop"),
    "mail.settings": Route("manage_shop"),
    "mail.test_connection": Route("manage_shop"),
    "mail.review": Route("manage_shop"),
    "mail.review_download": Route("manage_shop"),
    "mail.review_retry": Route("manage_shop"),
    "mail.review_delete": Route("manage_shop"),
    "webhooks.index": Route("manage_shop"),
    "webhooks.deliveries": Route("manage_shop"),
    "webhooks.delete": Route("manage_shop"),
    "webhooks.resend": Route("manage_shop"),
}
