"""What the customer-side tests share: a shop that mails through the test's SMTP server, a reply sent through
the composer, and the private link read back out of a delivered mail."""
from __future__ import annotations

import re

import pytest

from inbox.extensions import db
from inbox.models import MailSettings
from inbox.services import composer

LINK = re.compile(r"https?://[^\s]+/q/([A-Za-z0-9_-]{40,})")


@pytest.fixture
def mailing_shop(shop, smtp_sink):
    """The demo shop, acknowledging every question and sending through the test's SMTP server."""
    shop.ack_all = True
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    return shop


def send(ticket, shop, user, body="Uw pakket komt morgen.", status="pending"):
    """A public reply through the composer, committed."""
    composer.send(ticket, shop, user, body=body, kind="reply", status=status,
                  token=f"t-{ticket.id}-{len(ticket.messages)}")
    db.session.commit()


def link_in(delivered) -> str:
    """The private link's key in a delivered mail."""
    body = delivered.message.get_body(("plain",)).get_content()
    found = LINK.search(body)
    assert found, body
    return found.group(1)
