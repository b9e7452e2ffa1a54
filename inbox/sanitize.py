"""Sanitising customer HTML for display, and plain text to safe HTML.

Pure functions, no Flask.  Everything customers send is hostile until it
went through :func:`clean_html`:

* only a fixed set of formatting tags survives; script, style, iframe,
  svg, forms and the like are removed *with* their content;
* event handlers, ``style`` attributes and ``javascript:``/``data:`` URLs
  are dropped;
* links open in a new tab with ``rel="noopener noreferrer nofollow"``;
* remote images are not loaded unless the caller allows it: they become
  ``<img data-remote-src="..." alt="[image blocked: ...]">`` (no ``src``)
  so the UI can offer "show images"; ``cid:`` images (inline parts of the
  same mail) become ``<img data-cid="..." alt="[inline image: ...]">``;
  ``data:`` and relative images are removed.
"""

from __future__ import annotations

import html as _html
import re

import nh3

__all__ = ["clean_html", "has_remote_images", "text_to_html", "LINK_REL"]

LINK_REL = "noopener noreferrer nofollow"

_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins",
        "sub", "sup", "small", "mark",
        "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "a", "hr",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "span", "div", "pre", "code", "img",
    }
)

# Removed together with everything inside them (the text of a <script> or
# a <style> is not content a human wrote).
_CLEAN_CONTENT_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed",
        "applet", "svg", "math", "template", "noscript", "title", "select",
        "textarea", "button", "head", "meta", "link", "base",
    }
)

_ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "tr": {"align", "valign"},
    "table": {"align", "border", "cellpadding", "cellspacing", "width"},
    "ol": {"start", "type"},
    "p": {"align"},
    "div": {"align"},
}

# Schemes that survive in href/src at all; per-tag rules in _attribute_filter.
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid"})
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_REMOTE_SCHEMES = ("http:", "https:")

_IMG_TAG_RE = re.compile(r"<img\b([^>]*)>")
# nh3 (html5ever) serialises attributes as name="value" with &, ", <, >
# escaped, so this simple pattern is exact on its output.
_ATTR_RE = re.compile(r'([^\s=/"\'<>]+)="([^"]*)"')


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    low = value.strip().lower()
    if attr == "href":
        return value if low.startswith(_LINK_SCHEMES) else None
    if tag == "img" and attr == "src":
        return value if low.startswith(_REMOTE_SCHEMES + ("cid:",)) else None
    if attr in ("width", "height"):
        # no "expression(...)" or other tricks: plain sizes only
        return value if re.fullmatch(r"\s*\d{1,4}(%|px)?\s*", value) else None
    return value


def _first_pass(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(_URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


def _short(url: str, limit: int = 60) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "\u2026"


def _rewrite_images(cleaned: str, allow_remote_images: bool) -> tuple[str, int]:
    """Rewrite <img> tags of nh3's output; returns (html, blocked count)."""
    blocked = 0

    def repl(match: re.Match[str]) -> str:
        nonlocal blocked
        attrs = {name.lower(): _html.unescape(val) for name, val in _ATTR_RE.findall(match.group(1))}
        src = attrs.pop("src", "").strip()
        low = src.lower()
        if low.startswith(_REMOTE_SCHEMES):
            if allow_remote_images:
                attrs = {"src": src, **attrs}
            else:
                blocked += 1
                alt = attrs.get("alt", "").strip()
                attrs["alt"] = f"[image blocked: {alt or _short(src)}]"
                attrs = {"data-remote-src": src, **attrs}
        elif low.startswith("cid:"):
            cid = src[4:].strip().strip("<>")
            alt = attrs.get("alt", "").strip()
            attrs["alt"] = f"[inline image: {alt or cid}]"
            attrs = {"data-cid": cid, **attrs}
        else:
            return ""  # data:, relative or no source at all: nothing to show
        parts = "".join(f' {k}="{_html.escape(v, quote=True)}"' for k, v in attrs.items())
        return f"<img{parts}>"

    return _IMG_TAG_RE.sub(repl, cleaned), blocked


def clean_html(html: str, *, allow_remote_images: bool = False) -> str:
    """Return *html* sanitised for display inside the app."""
    if not html:
        return ""
    cleaned, _ = _rewrite_images(_first_pass(html), allow_remote_images)
    return cleaned


def has_remote_images(html: str) -> bool:
    """True when displaying *html* would load an image from the network."""
    if not html:
        return False
    _, blocked = _rewrite_images(_first_pass(html), False)
    return blocked > 0


# --- plain text -------------------------------------------------------------

_URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?*'\""


def _split_url(url: str) -> tuple[str, str]:
    """Split trailing punctuation (and unbalanced brackets) off a URL."""
    tail = ""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCT:
            pass
        elif last in ")]}":
            opening = {")": "(", "]": "[", "}": "{"}[last]
            if url.count(opening) >= url.count(last):
                break
        else:
            break
        tail = last + tail
        url = url[:-1]
    return url, tail


def _linkify_line(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL_RE.finditer(line):
        url, tail = _split_url(match.group(0))
        if len(url) <= len("https://"):
            continue
        out.append(_html.escape(line[pos : match.start()], quote=False))
        href = _html.escape(url, quote=True)
        out.append(f'<a href="{href}" rel="{LINK_REL}" target="_blank">{_html.escape(url, quote=False)}</a>')
        out.append(_html.escape(tail, quote=False))
        pos = match.end()
    out.append(_html.escape(line[pos:], quote=False))
    return "".join(out)


def text_to_html(text: str) -> str:
    """Escape plain *text*: blank lines make paragraphs, newlines ``<br>``,
    bare http(s) URLs become safe links."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text)]
    html_paragraphs = [
        "<p>" + "<br>\n".join(_linkify_line(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    ]
    return "\n".join(html_paragraphs)
