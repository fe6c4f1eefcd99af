"""HTML into blocks with the stdlib parser. Only text survives: links become Markdown links,
script/style/iframe content is dropped (and reported), no markup is ever kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from kysy.importer.blocks import norm_space, split_prefix
from kysy.importer.model import Block

_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
    "li", "dt", "dd", "ul", "ol", "dl", "table", "tr", "td", "th", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "nav", "details", "summary", "address",
}  # fmt: skip
_DROPPED = {
    "script",
    "style",
    "iframe",
    "noscript",
    "template",
    "object",
    "embed",
    "svg",
    "canvas",
    "frame",
    "frameset",
    "applet",
    "math",
    "select",
    "button",
    "form",
}
_REPORTED = {"script", "style", "iframe", "object", "embed", "frame", "frameset", "applet", "form"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base", "param", "track"}
_BOLD = {"strong", "b"}
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|/|#|\./|\.\./)|^[^:/?#]+(?:[/?#]|$)", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.removed: list[tuple[str, int]] = []  # (tag, index of the next block)
        self.title = ""
        self.time = ""
        self._segments: list[tuple[str, bool]] = []
        self._kind = "para"
        self._level = 0
        self._marker = ""
        self._skip: list[str] = []
        self._bold = 0
        self._link: list[tuple[str, int]] = []  # (href, segment index where the link text starts)
        self._lists: list[list[int]] = []  # counters of open lists; -1 for <ul>
        self._in_title = False
        self._in_head = False
        self._after_item = False
        self._time_start = -1
        self.time_text = ""

    # -- helpers -------------------------------------------------------------------------
    def _flush(self) -> None:
        while self._link:  # an unclosed <a>: keep its text as text
            self._link.pop()
        raw = "".join(text for text, _ in self._segments)
        lines = [norm_space(line) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            bold_text = norm_space("".join(t for t, b in self._segments if b))
            plain_text = norm_space("".join(t for t, b in self._segments if not b))
            whole_bold = bool(bold_text) and not plain_text
            lead: str | None = None
            rest: str | None = None
            first_plain = next((i for i, (t, b) in enumerate(self._segments) if t.strip() and not b), None)
            if not whole_bold and first_plain not in (None, 0):
                lead = norm_space("".join(t for t, _ in self._segments[:first_plain]))
                rest = norm_space("".join(t for t, _ in self._segments[first_plain:]))
            gap = 0 if self._kind == "item" and self._after_item else 1
            # <p>Q: ...<br>A: ...</p> holds two blocks; other line breaks are just whitespace.
            groups: list[list[str]] = []
            for line in lines:
                if not groups or split_prefix(line)[0]:
                    groups.append([line])
                else:
                    groups[-1].append(line)
            for index, group in enumerate(groups):
                text = norm_space(" ".join(group))
                block = Block(
                    text=text,
                    kind=self._kind,
                    level=self._level,
                    marker=self._marker,
                    gap=gap if index == 0 else 0,
                    bold=whole_bold and len(groups) == 1,
                )
                if len(groups) == 1 and lead and rest:
                    block.lead, block.rest = lead, rest
                if block.kind in ("para", "item", "dd", "dt"):
                    block.prefix, block.text = split_prefix(block.text)
                self.blocks.append(block)
            self._after_item = self._kind == "item"
        self._segments = []
        self._kind, self._level, self._marker = "para", 0, ""

    def _text(self, text: str) -> None:
        self._segments.append((text, self._bold > 0))

    # -- parser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1] and tag not in _VOID:
                self._skip.append(tag)
            return
        if tag in _DROPPED:
            if tag in _REPORTED:
                self.removed.append((tag, len(self.blocks)))
            if tag not in _VOID:
                self._skip.append(tag)
            return
        if tag == "head":
            self._in_head = True
        elif tag == "title":
            self._in_title = True
        elif tag == "time" and not self.time:
            self.time = dict(attrs).get("datetime") or ""
            self._time_start = len(self._segments) if self.time else -1
        elif tag == "meta" and self._in_head and not self.time:
            values = dict(attrs)
            if values.get("property") in ("article:published_time", "og:published_time"):
                self.time = values.get("content") or ""
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag in ("ul", "ol"):
                self._lists.append([0 if tag == "ol" else -1])
                self._after_item = False
            elif tag == "li":
                self._kind = "item"
                counter = self._lists[-1] if self._lists else [-1]
                if counter[0] >= 0:
                    counter[0] += 1
                    self._marker = f"{counter[0]}. "
                else:
                    self._marker = "- "
            elif tag[0] == "h" and tag[1:].isdigit():
                self._kind, self._level = "heading", int(tag[1])
            elif tag in ("dt", "dd"):
                self._kind = tag
            elif tag not in ("li",):
                self._after_item = False
        elif tag == "br":
            self._text("\n")
        elif tag in _BOLD:
            self._bold += 1
        elif tag == "a":
            self._link.append((dict(attrs).get("href") or "", len(self._segments)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            if not self._skip and tag in _REPORTED:
                self.removed.append((tag, len(self.blocks)))
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
        elif tag == "time" and self._time_start >= 0:
            self.time_text = norm_space("".join(t for t, _ in self._segments[self._time_start :]))
            self._time_start = -1
        elif tag in _BOLD:
            self._bold = max(0, self._bold - 1)
        elif tag == "a" and self._link:
            href, start = self._link.pop()
            text = norm_space("".join(t for t, _ in self._segments[start:]))
            bold = bool(self._segments[start:]) and all(b for _, b in self._segments[start:])
            href = href.strip()
            if text and href and _SAFE_URL.match(href):
                del self._segments[start:]
                self._segments.append((f"[{text}]({href.replace(' ', '%20').replace(')', '%29')})", bold))
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
                self._after_item = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
            return
        if self._in_head:
            return
        self._text(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(text: str) -> tuple[list[Block], dict[str, str], list[tuple[str, int]]]:
    """Blocks, metadata (``title`` from <title>, ``date`` from <time>/<meta>) and removed elements."""
    collector = _Collector()
    collector.feed(text)
    collector.close()
    meta: dict[str, str] = {}
    if norm_space(collector.title):
        meta["html_title"] = norm_space(collector.title)
    if collector.time:
        meta["date"] = collector.time
        meta["date_text"] = collector.time_text
    return collector.blocks, meta, collector.removed
