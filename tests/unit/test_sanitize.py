"""Customer HTML is hostile: only harmless formatting reaches the agent's browser."""
from __future__ import annotations

import re

import pytest

from inbox.sanitize import LINK_REL, clean_html, has_remote_images, text_to_html


def _no_active_content(html: str) -> None:
    low = html.lower()
    for bad in ("<script", "javascript:", "onerror", "onload", "onclick", "<iframe", "<svg",
                "<style", "<form", "<input", "<object", "<embed", "data:", "style=", "expression("):
        assert bad not in low, f"{bad!r} survived in {html!r}"


# --- XSS vectors --------------------------------------------------------------

@pytest.mark.parametrize(
    "vector",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<img src="https://evil.example/a.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<a href="  JaVaScRiPt:alert(1)">click</a>',
        '<a href="jav&#x09;ascript:alert(1)">click</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
        "<svg onload=alert(1)><script>alert(2)</script></svg>",
        "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<style>@import 'https://evil.example/x.css'; body{background:url(javascript:alert(1))}</style>",
        '<p style="background:url(javascript:alert(1));width:expression(alert(1))">x</p>',
        '<iframe src="https://evil.example/"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
        '<form action="https://evil.example/"><input name=pw><button>go</button></form>',
        '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
        '<body onload="alert(1)">hi</body>',
        "<div onclick='alert(1)' onmouseover=alert(2)>hover</div>",
        "<!--<script>alert(1)</script>-->",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    ],
)
def test_xss_vector_is_neutralised(vector):
    _no_active_content(clean_html(vector))


def test_script_and_style_content_is_removed_not_shown_as_text():
    out = clean_html("<p>Hi</p><script>var secret = 1;</script><style>p { color: red }</style>")
    assert out == "<p>Hi</p>"


def test_safe_formatting_survives():
    html = (
        "<h2>Order</h2><p>Hello <b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quoted</blockquote>"
        "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td colspan=\"2\">b</td></tr></tbody></table>"
        "<pre><code>x = 1</code></pre><div><span>s</span><br></div>"
    )
    out = clean_html(html)
    for tag in ("<h2>", "<b>", "<strong>", "<i>", "<em>", "<u>", "<ul>", "<ol>", "<li>", "<blockquote>",
                "<table>", "<thead>", "<th>", "<tbody>", '<td colspan="2">', "<pre>", "<code>", "<span>", "<br>"):
        assert tag in out


def test_empty_input_gives_empty_string():
    assert clean_html("") == ""


# --- links --------------------------------------------------------------------

def test_links_get_noopener_nofollow_and_new_tab():
    out = clean_html('<a href="https://shop.example/track?a=1&b=2">track</a>')
    assert 'href="https://shop.example/track?a=1&amp;b=2"' in out
    assert f'rel="{LINK_REL}"' in out
    assert 'target="_blank"' in out


def test_link_rel_and_target_from_the_sender_are_replaced():
    out = clean_html('<a href="https://x.example" rel="opener" target="_self">x</a>')
    assert "opener\"" not in out.replace("noopener", "")
    assert "_self" not in out
    assert 'target="_blank"' in out


def test_mailto_links_are_kept_relative_links_are_dropped():
    out = clean_html('<a href="mailto:jan@example.nl">mail</a><a href="/account">account</a>')
    assert 'href="mailto:jan@example.nl"' in out
    assert "/account" not in out


# --- images -------------------------------------------------------------------

def test_remote_image_is_blocked_by_default():
    out = clean_html('<img src="https://track.example/open.gif?u=42" alt="Logo" width="1">')
    assert "src=" not in out.replace("data-remote-src=", "")
    assert 'data-remote-src="https://track.example/open.gif?u=42"' in out
    assert 'alt="[image blocked: Logo]"' in out


def test_remote_image_without_alt_names_the_url_in_the_placeholder():
    out = clean_html('<img src="http://cdn.example/p.png">')
    assert 'alt="[image blocked: http://cdn.example/p.png]"' in out


def test_remote_image_loads_when_allowed():
    out = clean_html('<img src="https://cdn.example/p.png" alt="P">', allow_remote_images=True)
    assert out == '<img src="https://cdn.example/p.png" alt="P">'


def test_cid_image_becomes_inline_placeholder():
    out = clean_html('<img src="cid:foto1@example.nl" alt="foto">')
    assert out == '<img data-cid="foto1@example.nl" alt="[inline image: foto]">'


def test_data_uri_and_relative_images_are_dropped():
    assert clean_html('<p>a<img src="data:image/png;base64,iVBORw0KGgo=">b</p>') == "<p>ab</p>"
    assert clean_html('<img src="logo.png"><img src="//cdn.example/x.png">') == ""


def test_sender_cannot_smuggle_own_data_remote_src():
    out = clean_html('<img data-remote-src="javascript:alert(1)" src="https://x.example/a.png">')
    assert "javascript" not in out
    assert out.count("data-remote-src") == 1


def test_image_attribute_quotes_are_escaped_in_the_placeholder():
    out = clean_html('<img src="https://x.example/a.png" alt="&quot; onerror=&quot;alert(1)">')
    assert re.search(r'alt="\[image blocked: &quot; onerror=&quot;alert\(1\)\]"', out)
    assert " onerror=" not in out.replace("&quot; onerror=", "")


def test_has_remote_images():
    assert has_remote_images('<p><img src="https://t.example/x.gif"></p>')
    assert not has_remote_images('<img src="cid:abc">')
    assert not has_remote_images("<p>no images</p>")
    assert not has_remote_images("")
    # a remote URL only in a <script> or a style is never loaded: not an image to offer
    assert not has_remote_images("<script>new Image().src='https://t.example/x.gif'</script>")


# --- plain text -----------------------------------------------------------------

def test_text_to_html_escapes_markup():
    out = text_to_html('<script>alert("x")</script> & <b>')
    assert out == "<p>&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; &lt;b&gt;</p>"


def test_text_to_html_paragraphs_and_line_breaks():
    assert text_to_html("Hallo,\r\n\r\nregel 1\nregel 2\n\n\n") == "<p>Hallo,</p>\n<p>regel 1<br>\nregel 2</p>"


def test_text_to_html_linkifies_bare_urls_without_trailing_punctuation():
    out = text_to_html("Zie https://shop.example/bestelling?id=1&x=2. Of (http://x.example/a_(b)).")
    assert (
        f'<a href="https://shop.example/bestelling?id=1&amp;x=2" rel="{LINK_REL}" target="_blank">'
        "https://shop.example/bestelling?id=1&amp;x=2</a>." in out
    )
    assert 'href="http://x.example/a_(b)"' in out
    assert out.endswith("</a>).</p>")


def test_text_to_html_url_cannot_break_out_of_the_attribute():
    out = text_to_html('https://x.example/"onmouseover="alert(1) and javascript:alert(1)')
    assert 'href="https://x.example/"' in out
    assert not re.search(r"<[^>]*onmouseover", out)  # stays text, never an attribute
    assert "javascript:alert(1)" in out and 'href="javascript' not in out


def test_text_to_html_empty():
    assert text_to_html("") == ""
