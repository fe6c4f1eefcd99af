"""Markdown into blocks with markdown-it-py (CommonMark), front matter with python-frontmatter.

Both come with the ``import`` extra (``pip install 'kysy[import]'``); the Lambda functions never
import this module.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kysy.importer.blocks import Run, block_from_runs, link, norm_space
from kysy.importer.model import Block
from kysy.importer.optional import needs

if TYPE_CHECKING:
    from markdown_it.token import Token


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Front matter (YAML, TOML) as plain strings, and the Markdown after it."""
    with needs("python-frontmatter"):
        import frontmatter
    try:
        meta, content = frontmatter.parse(text)
    except Exception:
        return {}, text
    out: dict[str, str] = {}
    for key, value in meta.items():
        if isinstance(value, dt.datetime | dt.date):
            out[str(key).lower()] = value.isoformat()
        elif isinstance(value, str | int | float):
            out[str(key).lower()] = str(value).strip()
    return out, content


def markdown_blocks(text: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks and front-matter metadata of a Markdown post."""
    meta, content = front_matter(text)
    with needs("markdown-it-py"):
        from markdown_it import MarkdownIt

    class _Markdown(MarkdownIt):
        def normalizeLink(self, url: str) -> str:  # noqa: N802 - markdown-it's name
            return url  # keep addresses as written (no percent-encoding of ä, ö)

    parser = _Markdown("commonmark").enable(["table", "strikethrough"])
    tokens: list[Token] = parser.parse(content)
    return _Walker(tokens).blocks, meta


class _Walker:
    def __init__(self, tokens: list[Token]) -> None:
        self.blocks: list[Block] = []
        self._lists: list[dict[str, Any]] = []  # open lists: {"id", "ordered", "next"}
        self._list_seq = 0
        self._heading = 0
        self._quote = 0
        self._rule = False
        self._item_first = False
        for token in tokens:
            self._token(token)
        sizes: dict[int, int] = {}
        for block in self.blocks:
            if block.kind == "item":
                sizes[block.list_id] = sizes.get(block.list_id, 0) + 1
        for block in self.blocks:
            if block.kind == "item":
                block.list_size = sizes[block.list_id]

    def _add(self, new: list[Block]) -> None:
        for block in new:
            if self._rule:
                block.rule_before, self._rule = True, False
            self.blocks.append(block)

    def _token(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self._list_seq += 1
            start = int(token.attrGet("start") or 1)
            self._lists.append({"id": self._list_seq, "ordered": kind == "ordered_list_open", "next": start})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._lists.pop()
        elif kind == "list_item_open":
            self._item_first = True
        elif kind == "heading_open":
            self._heading = int(token.tag[1])
        elif kind == "heading_close":
            self._heading = 0
        elif kind == "blockquote_open":
            self._quote += 1
        elif kind == "blockquote_close":
            self._quote -= 1
        elif kind == "hr":
            self._rule = True
        elif kind in ("fence", "code_block"):
            text = token.content.rstrip("\n")
            if text.strip():
                self._add([Block(text=text, kind="code")])
        elif kind == "html_block":
            self._add(block_from_runs([Run(_strip_tags(token.content))]))
        elif kind == "inline":
            self._inline(token)

    def _inline(self, token: Token) -> None:
        runs = _runs(token.children or [])
        if self._heading:
            self._add(block_from_runs(runs, "heading", level=self._heading))
        elif self._lists and self._item_first:
            self._item_first = False
            current = self._lists[-1]
            marker, ordinal = "- ", 0
            if current["ordered"]:
                ordinal = current["next"]
                current["next"] += 1
                marker = f"{ordinal}. "
            self._add(block_from_runs(runs, "item", marker=marker, ordinal=ordinal, list_id=current["id"]))
        else:
            self._add(block_from_runs(runs, "quote" if self._quote else "para"))


def _runs(children: list[Token]) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    href: str | None = None
    link_text: list[Run] = []
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(0, bold - 1)
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic = max(0, italic - 1)
        elif kind == "link_open":
            href, link_text = str(child.attrGet("href") or ""), []
        elif kind == "link_close" and href is not None:
            text = "".join(r.text for r in link_text)
            runs.append(Run(link(text, href), all(r.bold for r in link_text if r.text.strip()), False))
            href = None
        else:
            text = {"softbreak": " ", "hardbreak": "\n"}.get(kind, child.content)
            if kind == "image":
                text = ""
            elif kind == "html_inline":
                text = "\n" if child.content.lower().startswith("<br") else ""
            target = link_text if href is not None else runs
            target.append(Run(text, bold > 0, italic > 0))
    return runs


def _strip_tags(html: str) -> str:
    """An HTML block inside Markdown keeps its text only (never markup)."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                self.skip = max(0, self.skip - 1)

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    collector = _Text()
    collector.feed(html)
    collector.close()
    return norm_space(" ".join(collector.parts))
