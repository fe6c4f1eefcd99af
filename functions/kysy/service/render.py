"""Server-rendered HTML of a post's published Q&A, for crawlers and readers without JavaScript.

Every piece of user or editor text goes through ``html.escape``; the only markup that text can
produce is a paragraph break and a link written as ``[text](https://...)`` in an answer.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

_LINK = re.compile(r"\[([^\]\n]{1,300})\]\(((?:https?://|mailto:)[^\s)]{1,2000})\)")


def render_rich_text(text: str) -> str:
    """Paragraphs and safe links; everything else escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for paragraph in paragraphs:
        pieces: list[str] = []
        last = 0
        for match in _LINK.finditer(paragraph):
            pieces.append(escape(paragraph[last : match.start()]))
            href = escape(match.group(2), quote=True)
            pieces.append(f'<a href="{href}" rel="nofollow noopener ugc">{escape(match.group(1))}</a>')
            last = match.end()
        pieces.append(escape(paragraph[last:]))
        out.append("<p>" + "".join(pieces).replace("\n", "<br>") + "</p>")
    return "".join(out)


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
