"""Every page of the app, derived from its routes, so a new page cannot be left out of the phone and
accessibility sweep (tests/browser/test_every_page.py): a GET route is either a page here or named in
NOT_PAGES with the reason."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

# Routes that answer GET but are not a page a person looks at.
NOT_PAGES = {
    "static": "files",
    "assets.vendor": "front-end packages from npm",
    "index": "redirects to the inbox",
    "live.badges": "htmx: refreshed SLA badges",
    "live.changes": "htmx: what changed on a ticket",
    "live.inbox": "htmx: the open inbox's poll for new questions and view counts",
    "composer.template_list": "htmx: the composer's template list (opened in test_every_page's ticket states)",
    "composer.pick_template": "htmx: one template in the composer (opened in test_every_page's ticket states)",
    "replies.option_row": "htmx: one row of the template editor",
    "composer.article_list": "htmx: the composer's help-article picker",
    "mail.attachment": "a download",
    "attachments.upload": "a download (a file waiting on a draft or a template)",
    "attachments.upload_thumbnail": "an image",
    "attachments.thumbnail": "an image",
    "mail.review_download": "a download",
    "mail.original": "a download (a customer's mail as it arrived)",
    "reports.download": "a CSV download",
    "contact.team_photo": "an image (a colleague's photo on the contact page)",
    "account.own_photo": "an image (the user's own photo on the account page)",
}
# Pages a visitor sees without signing in.
PUBLIC = {"auth.login", "contact.form", "contact.thanks", "team.accept", "help.index", "help.article",
          "customer.question", "customer.ask_link", "customer.rate_confirm"}


@dataclass(frozen=True)
class Sample:
    """Ids in the demo shop to fill in route arguments."""
    ticket_id: int
    template_id: int
    user_id: int
    shop_id: int
    token: str
    endpoint_id: int
    article_id: int
    slug: str
    key: str = ""   # a customer's private link to the ticket's page


def sample(app) -> Sample:
    """Ids from the seeded demo shop, and a fresh invitation for the invite page."""
    from inbox.extensions import db
    from inbox.models import HelpArticle, ReplyTemplate, Shop, Ticket, User, WebhookEndpoint
    from inbox.services import customer_links, help as help_service, invitations

    with app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        owner = db.session.scalar(sa.select(User).where(User.email == "owner@example.com"))
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.status == "open")
                                   .order_by(Ticket.due_at).limit(1))
        template = db.session.scalar(sa.select(ReplyTemplate).where(ReplyTemplate.shop_id == shop.id).limit(1))
        agent = db.session.scalar(sa.select(User).where(User.email == "agent2@example.com"))
        _invitation, token = invitations.invite(shop, email="sweep@example.com", role="agent", by=owner)
        endpoint = WebhookEndpoint(shop_id=shop.id, url="https://hooks.example.com/inbox", events="ticket.created",
                                   secret="whsec_sweep", created_by=owner.id)
        db.session.add(endpoint)
        key = customer_links.make_link(ticket).rpartition("/")[2]
        db.session.commit()
        # The size table: the article with the widest content.
        article = db.session.scalar(sa.select(HelpArticle).where(HelpArticle.shop_id == shop.id,
                                                                 HelpArticle.category == "wrong_item"))
        return Sample(ticket.id, template.id, agent.id, shop.id, token, endpoint.id, article.id,
                      help_service.slug(article.title_en), key)


def page_urls(app, ids: Sample) -> dict[str, str]:
    """{endpoint: URL} of every GET page; the API (JSON, its own blueprint) is not a page either."""
    values = {"ticket_id": ids.ticket_id, "template_id": ids.template_id, "user_id": ids.user_id,
              "shop_id": ids.shop_id, "token": ids.token, "endpoint_id": ids.endpoint_id,
              "article_id": ids.article_id, "slug": ids.slug, "key": ids.key, "score": "good"}
    urls = {}
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
                continue
            urls[rule.endpoint] = url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})
    return urls
