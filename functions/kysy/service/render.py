"""How an answer's text becomes paragraphs, lists and links: the ONE set of rules.

The same rules are written twice, here and in ``functions/kysy/static/editor/kysy-render.js`` (bundled
into the widget, loaded as is by the editor preview), and both are checked against the shared vectors
in ``tests/vectors/rich_text.json``:

* Blank lines (only spaces or tabs) separate blocks. Lines inside a paragraph keep their breaks.
* A line starting with ``- `` or ``* `` is a bulleted list item, ``1. `` or ``1) `` a numbered one (a list
  that starts at 3 says so). Any other line ends the list (stored text has no indentation to continue
  an item with: ``clean_text`` strips every line). A list may follow a paragraph line directly
  ("Options:" then "- one").
* ``[text](https://…)`` is a link (http, https or mailto); a bare ``http(s)://…`` address is a link to
  itself, without the punctuation that ends a sentence around it (``.,;:!?'"`` etc. and an unmatched ``)``).
  Only lowercase schemes count.
* Everything else is text. The structure holds plain strings; HTML is made only by ``rich_html``,
  which escapes every piece, so user text never becomes markup.

Structure: a list of blocks ``{"p": inline}``, ``{"ul": [inline, ...]}``, ``{"ol": [inline, ...], "start": n}``;
``inline`` is a list of strings (line breaks as ``\\n``) and links ``{"a": href, "t": text}``.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

REL = "nofollow noopener ugc"
_ITEM = re.compile(r"[ \t]*(?:([-*])|([1-9][0-9]{0,8})[.)])[ \t]+([^ \t].*)", re.DOTALL)
# \s differs between Python and JavaScript only in characters clean_text() removes, and U+FEFF.
# [text](http/https/mailto address), or a bare http(s) address: any run of characters but spaces and
# <>, where parentheses must pair up, that does not end in sentence punctuation. (\s differs between
# Python and JavaScript only in characters clean_text() removes, and U+FEFF.)
_URL_CHAR = r"[^\s\ufeff()<>]"
_PAIRED = rf"\({_URL_CHAR}*\)"
_LINKS = re.compile(
    rf"\[([^\]\n]+)\]\(((?:https?://|mailto:)(?:{_URL_CHAR}|{_PAIRED})+)\)"
    rf"|(https?://(?:{_URL_CHAR}|{_PAIRED})*(?:[^\s\ufeff()<>.,;:!?'\"’”»\]}}*_]|{_PAIRED}))"
)

Inline = list[str | dict[str, str]]
Block = dict[str, Any]


def _trim(text: str) -> str:
    return text.strip(" \t")


def parse_inline(text: str) -> Inline:
    out: Inline = []
    pos = 0
    for match in _LINKS.finditer(text):
        if match.start() > pos:
            out.append(text[pos : match.start()])
        url = match.group(2) or match.group(3)
        out.append({"a": url, "t": match.group(1) or url})
        pos = match.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def parse_rich(text: str) -> list[Block]:
    """The answer's blocks (see the module docstring for the rules)."""
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None  # the paragraph or list the next line may continue
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _trim(raw)
        item = _ITEM.fullmatch(raw)
        if not line:
            current = None
        elif item:
            kind = "ul" if item.group(1) else "ol"
            if current is None or kind not in current:
                current = {kind: []}
                if kind == "ol" and int(item.group(2)) != 1:
                    current["start"] = int(item.group(2))
                blocks.append(current)
            current[kind].append(parse_inline(_trim(item.group(3))))
        elif current is not None and "p" in current:
            current["p"] += "\n" + line
        else:
            current = {"p": line}
            blocks.append(current)
    for block in blocks:
        if "p" in block:
            block["p"] = parse_inline(block["p"])
    return blocks


_SPECIAL = re.compile(r"[&<>\"']")


def _esc(text: str) -> str:
    """``& < > " '`` as numeric references (the widget's ``esc`` does the same, byte for byte)."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


def _inline_html(inline: Inline) -> str:
    out = []
    for piece in inline:
        if isinstance(piece, str):
            out.append(_esc(piece).replace("\n", "<br>"))
        else:
            out.append(f'<a href="{_esc(piece["a"])}" rel="{REL}">{_esc(piece["t"])}</a>')
    return "".join(out)


def rich_html(blocks: list[Block]) -> str:
    """HTML of the blocks; byte for byte what the widget puts in its JSON-LD (``html`` in render.js)."""
    out = []
    for block in blocks:
        if "p" in block:
            out.append(f"<p>{_inline_html(block['p'])}</p>")
            continue
        kind = "ul" if "ul" in block else "ol"
        start = f' start="{block["start"]}"' if "start" in block else ""
        items = "".join(f"<li>{_inline_html(item)}</li>" for item in block[kind])
        out.append(f"<{kind}{start}>{items}</{kind}>")
    return "".join(out)


def render_rich_text(text: str) -> str:
    """Paragraphs, lists and safe links as HTML; everything else escaped."""
    return rich_html(parse_rich(text))


def render_fragment(page: dict[str, Any]) -> str:
    post = page["post"]
    lang = escape(post.get("lang") or "fi", quote=True)
    rows = []
    for item in page["items"]:
        qid = escape(item["id"], quote=True)
        rows.append(
            f'<div class="kysy-qa" id="kysy-{qid}" itemscope itemprop="mainEntity" itemtype="https://schema.org/Question">'
            f'<h3 itemprop="name">{escape(item["question"])}</h3>'
            '<div itemscope itemprop="acceptedAnswer" itemtype="https://schema.org/Answer">'
            f'<div itemprop="text">{render_rich_text(item["answer"])}</div></div></div>'
        )
    return (
        f'<section class="kysy-static" lang="{lang}" itemscope itemtype="https://schema.org/FAQPage">'
        + "".join(rows)
        + "</section>"
    )
