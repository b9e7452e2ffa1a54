"""Reply hints speak the seller's language; the words they propose for the reply speak the customer's."""
from __future__ import annotations

import html as htmlmod
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from inbox.extensions import db

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)

DUTCH_DAMAGED = ("Goedemiddag,\n\nIk heb uw dekbedovertrek ontvangen maar er zit een grote scheur in. "
                 "Ik ben hier echt niet blij mee. Kunt u mij laten weten wat u hieraan doet?\n\n"
                 "Met vriendelijke groet,\nIngrid van Dijk")
DUTCH_CASUAL = "Hoi!\n\nIs het vloerkleed ook in 200x300 te krijgen?\n\nLiefs, Lisa"
ENGLISH_LATE = "Hi, my order still hasn't arrived. Can you help? Cheers, Ciara"


def hints(client, ticket, body: str) -> str:
    page = client.post(f"/tickets/{ticket.id}/nudges", data={"body": body}).get_data(as_text=True)
    return htmlmod.unescape(page)


@pytest.fixture
def agent(login_as):
    def sign_in_with(locale: str):
        user = login_as("agent")
        user.locale = locale
        db.session.commit()
        return user
    return sign_in_with


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_english_ui_on_a_dutch_ticket_explains_in_english_and_proposes_dutch(client, agent, shop, make_ticket):
    ticket = make_ticket(shop, subject="Scheur", body=DUTCH_DAMAGED, received_at=MONDAY_11)
    agent("en")
    text = hints(client, ticket, "Ok, we kijken ernaar.")
    assert "Address the customer by name: ‘Beste mevrouw/meneer van Dijk,’" in text
    assert "Acknowledge the customer's feeling: ‘Wat vervelend dat uw bestelling beschadigd is aangekomen" in text
    assert "Offer at least two solutions: ‘een vervangend exemplaar, uw geld terug" in text
    assert "End with a sign-off and your name: ‘Met vriendelijke groet, Agent’" in text
    assert "Expert" in text and "Personal" in text
    for dutch_explanation in ("Spreek de klant", "Erken het gevoel", "Bied minstens", "Sluit af met", "Deskundig"):
        assert dutch_explanation not in text


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_dutch_ui_on_an_english_ticket_explains_in_dutch_and_proposes_english(client, agent, shop, make_ticket):
    ticket = make_ticket(shop, subject="Late", body=ENGLISH_LATE, customer_name="Ciara Byrne", received_at=MONDAY_11)
    agent("nl")
    text = hints(client, ticket, "Ok.")
    assert "Spreek de klant aan met naam: ‘Hi Ciara,’" in text
    assert "Bied minstens twee oplossingen: ‘we resend it by express, or we refund you in full’." in text
    assert "Zeg wat er nu gebeurt en wanneer: ‘We will send a replacement today.’" in text
    assert "Sluit af met een groet en uw naam: ‘Best wishes, Agent’" in text
    for english_explanation in ("Address the customer", "Offer at least", "Say what happens", "End with a"):
        assert english_explanation not in text


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_a_customer_who_says_hoi_gets_a_hoi_back(client, agent, shop, make_ticket):
    ticket = make_ticket(shop, subject="Kleed", body=DUTCH_CASUAL, customer_name="Lisa de Boer", received_at=MONDAY_11)
    agent("nl")
    text = hints(client, ticket, "Ja, dat kan.")
    assert "‘Hoi Lisa,’" in text and "‘Groetjes, Agent’" in text
    assert "Beste mevrouw/meneer" not in text


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_done_and_not_applicable_hints_are_in_the_ui_language_too(client, agent, shop, make_ticket):
    ticket = make_ticket(shop, subject="Kleed", body=DUTCH_CASUAL, customer_name="Lisa de Boer", received_at=MONDAY_11)
    agent("en")
    text = hints(client, ticket, "Hoi Lisa,\n\nJa, dat kan. Groetjes, Youssef")
    assert "The customer is addressed by name." in text and "Signed off." in text
    assert "No problem reported." in text
    assert "Netjes afgesloten" not in text and "Geen probleem" not in text
