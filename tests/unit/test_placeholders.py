"""Placeholders in saved replies: spotting mistakes when saving, filling them in when inserting."""
from inbox.placeholders import PLACEHOLDERS, fill, numbered, unknown_placeholders

VALUES = {"customer_first_name": "Ingrid", "customer_name": "Ingrid van Dijk", "order_number": "1012345678",
          "product": "dekbedovertrek", "agent_name": "Anna Bakker", "agent_first_name": "Anna",
          "shop_name": "Demo Shop", "ticket_id": "42"}


def test_every_known_placeholder_is_accepted():
    assert unknown_placeholders(" ".join("{" + name + "}" for name in PLACEHOLDERS)) == []


def test_a_typo_in_a_placeholder_is_reported():
    assert unknown_placeholders("Beste {customer_frist_name}, over {order_number}") == ["customer_frist_name"]


def test_braces_around_words_with_spaces_are_reported_too():
    assert unknown_placeholders("Uw {order number} is onderweg") == ["order number"]


def test_doubled_braces_are_not_placeholders():
    assert unknown_placeholders("Code {{korting}} geldt tot vrijdag") == []


def test_fill_uses_ticket_and_agent_values():
    text = fill("Beste {customer_first_name}, bestelling {order_number}.\n\nGroet,\n{agent_first_name}\n{shop_name}", VALUES)
    assert text == "Beste Ingrid, bestelling 1012345678.\n\nGroet,\nAnna\nDemo Shop"


def test_unknown_value_becomes_a_visible_gap_not_a_raw_brace():
    text = fill("Uw bestelling {order_number}", {**VALUES, "order_number": ""}, missing={"order_number": "[order number]"})
    assert text == "Uw bestelling [order number]"


def test_ticked_options_replace_the_options_placeholder_as_a_numbered_list():
    text = fill("U kunt kiezen:\n{options}\n\nGroet", VALUES, ["Een nieuwe", "Geld terug"])
    assert text == "U kunt kiezen:\n1. Een nieuwe\n2. Geld terug\n\nGroet"


def test_without_an_options_placeholder_the_list_goes_before_the_sign_off():
    text = fill("Beste Ingrid,\n\nSorry!\n\nGroet, Anna", VALUES, ["A", "B"])
    assert text == "Beste Ingrid,\n\nSorry!\n\n1. A\n2. B\n\nGroet, Anna"


def test_no_options_ticked_leaves_no_empty_gap():
    assert fill("Kies:\n\n{options}\n\nGroet", VALUES, []) == "Kies:\n\nGroet"


def test_numbered_skips_blank_options():
    assert numbered(["A", " ", "B"]) == "1. A\n2. B"
