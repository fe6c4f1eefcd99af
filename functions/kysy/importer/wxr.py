"""WordPress export files (WXR, the RSS file "Tools → Export" writes): every post and page in it.

Read with lxml without entity expansion or network access. WordPress stores a post's content
without paragraph tags (it adds them when it shows the page), so blank-line separated text is
wrapped in ``<p>`` here the same way before the HTML reader sees it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kysy.importer.model import ImportFailed
from kysy.importer.optional import needs

_BLOCK = re.compile(
    r"<(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|details|summary|blockquote|pre|table|figure|hr|section)\b", re.I
)


@dataclass(frozen=True)
class WxrPost:
    slug: str
    title: str
    url: str
    date: str  # yyyy-mm-dd, or "" when WordPress has none (a draft)
    status: str  # publish, draft, private, ...
    post_type: str  # post, page, attachment, nav_menu_item, ...
    content: str  # HTML


def is_wxr(text: str) -> bool:
    head = text[:3000]
    return "<rss" in head and "wordpress.org/export" in head


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2] if isinstance(tag, str) else ""


def read_wxr(text: str) -> list[WxrPost]:
    with needs("lxml"):
        from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise ImportFailed("invalid_wxr", f"The WordPress export is not valid XML ({error}).") from None
    posts: list[WxrPost] = []
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        fields: dict[str, str] = {}
        for child in item:
            name = _local(child.tag)
            if name == "encoded" and "content" in str(child.tag):
                fields["content"] = child.text or ""
            elif name in ("title", "link", "post_name", "post_date", "status", "post_type", "pubDate"):
                fields.setdefault(name, (child.text or "").strip())
        date = fields.get("post_date", "")[:10]
        posts.append(
            WxrPost(
                slug=fields.get("post_name", ""),
                title=html.unescape(fields.get("title", "")),
                url=fields.get("link", ""),
                date=date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) and date != "0000-00-00" else "",
                status=fields.get("status", ""),
                post_type=fields.get("post_type", "post"),
                content=fields.get("content", ""),
            )
        )
    return posts


def autop(content: str) -> str:
    """WordPress's own paragraph rule, simply: blank lines separate paragraphs, single newlines are <br>."""
    if _BLOCK.search(content):
        # Block markup present: only the loose text between blocks still needs paragraphs.
        parts = re.split(r"(\n\s*\n)", content)
        return "".join(p if _BLOCK.search(p) or not p.strip() else f"<p>{p.strip()}</p>" for p in parts)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", content) if p.strip()]
    return "\n".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)
