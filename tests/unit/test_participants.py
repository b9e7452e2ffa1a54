"""Who a follow-up's sender is for a conversation: the customer, a known participant, or a stranger."""
import pytest

from inbox.participants import Conversation, Role, new_participants, role_of

TICKET = Conversation.of("Ingrid@Example.com", ["partner@example.com", "noreply@webshop.example"])


@pytest.mark.parametrize("sender, role", [
    ("ingrid@example.com", Role.CUSTOMER),
    (" INGRID@example.com ", Role.CUSTOMER),
    ("<ingrid@example.com>", Role.CUSTOMER),
    ("partner@example.com", Role.PARTICIPANT),
    ("noreply@webshop.example", Role.PARTICIPANT),
    ("mallory@evil.example", Role.STRANGER),
    ("ingrid@example.com.evil.example", Role.STRANGER),
    ("", Role.STRANGER),
    (None, Role.STRANGER),
])
def test_role_is_decided_by_the_from_address(sender, role):
    assert role_of(sender, TICKET) is role


def test_the_marketplace_is_a_participant_even_when_the_ticket_never_saw_its_address():
    assert role_of("service@marketplace.example", TICKET, from_marketplace=True) is Role.PARTICIPANT


def test_a_ticket_without_a_customer_address_knows_no_customer():
    phone = Conversation.of(None)
    assert role_of("ingrid@example.com", phone) is Role.STRANGER


def test_a_mail_brings_its_from_reply_to_and_copied_addresses_but_not_the_customer_or_us():
    found = new_participants(customer_email="ingrid@example.com", sender="noreply@webshop.example",
                             reply_to="ingrid@example.com",
                             to=["shop-1@inbox.localhost", "Partner@Example.com"],
                             cc=["partner@example.com", "support@demo-shop.example", "not-an-address", ""],
                             own=["shop-1@inbox.localhost", "@demo-shop.example"])
    assert found == ["noreply@webshop.example", "partner@example.com"]
