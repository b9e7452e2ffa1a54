"""Message bodies to plain text: HTML without its markup, format=flowed (RFC 3676) unwrapped."""
from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser


_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "dl", "dt", "dd", "address", "center", "form"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "xml"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.depth = 0
        self.skip = 0
        self.pre = 0

    def _flush(self, force: bool = False) -> None:
        line = "".join(self.cur)
        if not self.pre:
            line = re.sub(r"[ \t\r\n\f\xa0]+", " ", line).strip()
        if line or force:
            self.lines.append(("> " * self.depth) + line if line else ">" * self.depth)
        self.cur = []

    def _blank(self) -> None:
        self._flush()
        if not self.lines:
            return
        last = self.lines[-1]
        if last.strip("> ") == "":  # already blank: keep the shallower quote level
            self.lines[-1] = ">" * min(last.count(">"), self.depth)
        else:
            self.lines.append(">" * self.depth)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self._flush(force=True)
        elif tag == "blockquote":
            self._blank()
            self.depth += 1
        elif tag == "li":
            self._flush()
            self.cur.append("- ")
        elif tag == "p":
            self._blank()
        elif tag in ("td", "th"):
            if self.cur:
                self.cur.append(" ")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush(force=True)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self._flush()
            self.depth = max(0, self.depth - 1)
            self._blank()
        elif tag == "p":
            self._blank()
        elif tag in _BLOCK_TAGS or tag == "li":
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            parts = data.replace("\r\n", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush(force=True)
                self.cur.append(part)
        else:
            self.cur.append(data)

    def text(self) -> str:
        self._flush()
        out = "\n".join(line.rstrip() for line in self.lines)
        out = re.sub(r"\n{3,}", "\n\n", out)
        return out.replace("\xa0", " ").strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text of *html*; blockquotes become ``> `` quotes."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but never fail here
        return re.sub(r"<[^>]*>", " ", _html.unescape(html)).strip()
    return parser.text()


def unflow(text: str, delsp: bool) -> str:
    out: list[str] = []
    buf: str | None = None
    buf_depth = -1
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        if stripped.startswith(" "):
            stripped = stripped[1:]  # space-stuffing
        soft = stripped.endswith(" ") and stripped != "-- "
        if delsp and soft:
            stripped = stripped[:-1]
        if buf is not None and depth == buf_depth:
            buf += stripped
        else:
            if buf is not None:
                out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf, buf_depth = stripped, depth
        if not soft:
            out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf = None
    if buf is not None:
        out.append((">" * buf_depth + " " if buf_depth else "") + buf)
    return "\n".join(out)
