"""Placeholders in saved replies: which exist, which a template body misuses, and filling them in.

Pure: no Flask, no database. The composer builds the values from the ticket and the user.
"""
from __future__ import annotations

import re

# Every placeholder a template may use. {options} marks where the ticked solutions go as a numbered list.
PLACEHOLDERS: tuple[str, ...] = (
    "customer_first_name", "customer_name", "order_number", "product",
    "agent_name", "agent_first_name", "shop_name", "ticket_id", "options",
)

# A single word in braces. Doubled braces ({{ }}) are not placeholders and are left alone.
_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*([A-Za-z_][\w.-]*)\s*\}(?!\})")
_STRAY_BRACE = re.compile(r"\{[^{}\n]{0,40}\}")


def used_placeholders(body: str) -> list[str]:
    """The placeholder names in body, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(body or "")))


def unknown_placeholders(body: str) -> list[str]:
    """Names in braces that are not placeholders, e.g. a typo like {customer_frist_name}."""
    known = set(PLACEHOLDERS)
    found = [name for name in used_placeholders(body) if name not in known]
    # Braces around something that is not a name ({order number}) would also reach the customer as-is.
    found += [m.group(0)[1:-1].strip() for m in _STRAY_BRACE.finditer(body or "")
              if not _PLACEHOLDER.fullmatch(m.group(0))]
    return list(dict.fromkeys(found))


def numbered(options: list[str]) -> str:
    """The chosen solutions as a numbered list, one per line."""
    chosen = [text.strip() for text in options if text and text.strip()]
    return "\n".join(f"{i}. {text}" for i, text in enumerate(chosen, 1))


def fill(body: str, values: dict[str, str], options: list[str] = (), missing: dict[str, str] | None = None) -> str:
    """Replace each {placeholder} in body with its value.

    A value that is unknown for this ticket (no order number yet) becomes the `missing` marker
    for that name, e.g. "[order number]", so the agent sees a gap to fill instead of a raw brace.
    Chosen `options` replace {options}; without that placeholder they go before the last paragraph
    (the sign-off).
    """
    missing = missing or {}
    listing = numbered(list(options))

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "options":
            return listing
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = (values.get(name) or "").strip()
        return value or missing.get(name, f"[{name}]")

    text = _PLACEHOLDER.sub(replace, body or "")
    if listing and "options" not in used_placeholders(body or ""):
        text = _insert_before_closing(text, listing)
    # An empty {options} line leaves a double blank line behind.
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def _insert_before_closing(text: str, listing: str) -> str:
    """Put the list before the last paragraph (the sign-off), or at the end of a one-paragraph text."""
    paragraphs = text.rstrip().split("\n\n")
    if len(paragraphs) < 2:
        return f"{text.rstrip()}\n\n{listing}"
    return "\n\n".join(paragraphs[:-1] + [listing, paragraphs[-1]])
