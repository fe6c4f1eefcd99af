"""HTML into blocks: the article's main content (trafilatura), its title, language and date.

trafilatura finds the main content and leaves out the theme around it: header, navigation,
sidebars, footers, share buttons, author boxes, comments, "related posts". Two structures it
would flatten are rewritten first so they survive: an accordion's ``<details>`` becomes a
definition list (the ``<summary>`` a term, the body its definition, so the answer ends where the
accordion item ends) and ``<hr>`` becomes a marker paragraph. Only text comes out: links become
``[text](url)``, nothing else of the markup is kept. The libraries come with the ``import`` extra.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kysy.importer.blocks import Run, block_from_runs, link, norm_space
from kysy.importer.dates import date_in_lines
from kysy.importer.model import Block, ImportFailed
from kysy.importer.optional import needs

if TYPE_CHECKING:
    from configparser import ConfigParser

    from lxml.etree import _Element
    from lxml.html import HtmlElement

RULE = "\u2042"  # ⁂ stands for an <hr> while trafilatura works
_CHROME = {
    "nav": "navigation",
    "aside": "sidebar",
    "footer": "footer",
    "form": "form",
    "script": "script",
    "style": "style",
    "iframe": "embedded frame",
}
_CHROME_CLASS = re.compile(r"comment|related|share|sharing|social|sidebar|widget|newsletter|breadcrumb", re.I)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "li",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "table",
        "ul",
        "ol",
        "dl",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "details",
        "summary",
        "address",
        "time",
    ]
)
_HEAD_LEVEL = re.compile(r"^h([1-6])$")


def html_blocks(text: str, *, url: str | None = None) -> tuple[list[Block], dict[str, str], list[str]]:
    """Blocks of the main content, metadata (title, date, lang) and what was left out as page chrome."""
    with needs("lxml"):
        import lxml.html
    with needs("trafilatura"):
        import trafilatura
        from trafilatura.settings import use_config
    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as error:
        raise ImportFailed("invalid_html", f"The HTML could not be read ({error}).") from None
    meta = _metadata(doc)
    removed = _chrome(doc)
    _preserve_structure(doc)
    xml = trafilatura.extract(
        lxml.html.tostring(doc, encoding="unicode"),
        url=url,
        output_format="xml",
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
        config=_config(use_config()),
    )
    if not xml:
        raise ImportFailed("no_text", "No article text was found in this page: there is nothing to import.")
    with needs("lxml"):
        from lxml import etree
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    main = root.find("main")
    walker = _Walker()
    if main is not None:
        walker.walk(main, group=-1)
    blocks = walker.blocks
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        meta.setdefault("title", blocks[0].text)
        if blocks[0].text == meta["title"]:
            blocks = blocks[1:]
    return blocks, meta, removed


def _config(config: ConfigParser) -> ConfigParser:
    """No fall-back to the page's whole text when a short post's content is under 250 characters
    (it would flatten the structure into one paragraph), and no signal-based timeout (threads)."""
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def _metadata(doc: HtmlElement) -> dict[str, str]:
    meta: dict[str, str] = {}
    lang = doc.get("lang") or ""
    if lang:
        meta["lang"] = lang.split("-")[0].lower()
    headings = [norm_space(h.text_content()) for h in doc.iter("h1")]
    headings = [h for h in headings if h]
    if headings:
        meta["title"] = headings[0]
    else:
        for name in ("og:title", "twitter:title"):
            for element in doc.iter("meta"):
                if name in (element.get("property"), element.get("name")) and element.get("content"):
                    meta["title"] = norm_space(element.get("content") or "")
                    break
            if "title" in meta:
                break
    if "title" not in meta:
        title = doc.find(".//title")
        if title is not None and norm_space(title.text_content()):
            meta["html_title"] = norm_space(title.text_content())
    date = _markup_date(doc)
    if date:
        meta["date"] = date
    else:
        found = date_in_lines(_lines_after_title(doc))
        if found:
            meta["date"] = found
    return meta


def _markup_date(doc: HtmlElement) -> str | None:
    """The publication date the page's markup states (meta tags, JSON-LD, <time>), via htmldate."""
    with needs("htmldate"):
        from htmldate import find_date
    try:
        found = find_date(doc, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:
        return None
    return found or None


def _lines_after_title(doc: HtmlElement, count: int = 8) -> list[str]:
    """The visible text lines right after the main heading: where "Published 3.5.2026" lines sit."""
    lines: list[str] = []
    seen_title = False
    body = doc.find("body")
    for element in (body if body is not None else doc).iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCK_TAGS:
            continue
        if element.tag == "h1":
            seen_title = True
            continue
        if not seen_title:
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in element):
            continue  # only innermost blocks, so no text is read twice
        text = norm_space(element.text_content())
        if text:
            lines.append(text)
        if len(lines) >= count:
            break
    return lines


def _chrome(doc: HtmlElement) -> list[str]:
    """What trafilatura will leave out, for the report: counted by kind."""
    counts: dict[str, int] = {}
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        what = _CHROME.get(element.tag)
        if what is None and element.tag in ("div", "section"):
            match = _CHROME_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}")
            what = f"{match.group(0).lower()} block" if match else None
        if what:
            counts[what] = counts.get(what, 0) + 1
    return [f"{what} ({n})" if n > 1 else what for what, n in counts.items()]


def _preserve_structure(doc: HtmlElement) -> None:
    """Rewrite <details> to <dl> and <hr> to a marker paragraph so trafilatura keeps their meaning."""
    for details in list(doc.iter("details")):
        summary = details.find("summary")
        details.tag = "dl"
        details.attrib.clear()
        body = details.makeelement("dd", {})
        for child in list(details):
            if child is summary:
                continue
            body.append(child)
        body.text, details.text = details.text, None
        if summary is not None:
            summary.tag = "dt"
        details.append(body)
    for button in list(doc.iter("button")):
        # An accordion's toggle holds the question ("<h3><button>Question?</button></h3>"); trafilatura
        # drops buttons, so a toggle becomes plain text. Other buttons ("Subscribe") stay buttons.
        in_heading = any(a.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt") for a in button.iterancestors())
        if in_heading or button.get("aria-expanded") is not None or button.get("aria-controls") is not None:
            button.tag = "span"
            button.attrib.clear()
    for rule in list(doc.iter("hr")):
        rule.tag = "p"
        rule.attrib.clear()
        rule.text = RULE
    page = doc.find("body")
    landmarks = doc.xpath("//article|//main|//*[@role='main']")
    if page is not None and not landmarks:
        # Without a landmark trafilatura falls back on loose paragraphs and drops every heading:
        # a page (or a WordPress export's post body) without one is all content, so say so.
        main = page.makeelement("main", {})
        main.text, page.text = page.text, None
        for child in list(page):
            main.append(child)
        page.append(main)


class _Walker:
    """trafilatura's XML (head, p, list/item, hi, ref, quote, code, table) into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._list_seq = 0
        self._group_seq = 0
        self._rule = False

    def _add(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block.text == RULE:
                self._rule = True
                continue
            if self._rule:
                block.rule_before, self._rule = True, False
            self.blocks.append(block)

    def walk(self, element: _Element, *, group: int) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == "head":
                level = _HEAD_LEVEL.match(child.get("rend", ""))
                kind = "heading" if level else "summary"
                self._add(block_from_runs(_runs(child), kind, level=int(level.group(1)) if level else 0, group=group))
            elif tag == "p":
                self._add(block_from_runs(_runs(child), "para", group=group))
            elif tag == "list":
                self._list(child, group=group)
            elif tag == "quote":
                if any(c.tag in ("p", "list") for c in child):
                    self.walk(child, group=group)
                else:
                    self._add(block_from_runs(_runs(child), "quote", group=group))
            elif tag == "code":
                text = "".join(child.itertext()).strip("\n")
                if text.strip():
                    self._add([Block(text=text, kind="code", group=group)])
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [norm_space("".join(cell.itertext())) for cell in row if cell.tag == "cell"]
                    line = " | ".join(c for c in cells if c)
                    if line:
                        self._add([Block(text=line, group=group)])
            elif tag in ("div", "section", "main"):
                self.walk(child, group=group)
            elif tag not in ("graphic", "lb"):
                self._add(block_from_runs(_runs(child), "para", group=group))

    def _list(self, element: _Element, *, group: int) -> None:
        rend = element.get("rend", "ul")
        if rend == "dl":
            for item in element:
                item_rend = item.get("rend", "")
                if item_rend.startswith("dt"):
                    self._group_seq += 1
                    self._add(block_from_runs(_runs(item), "dt", group=self._group_seq))
                elif any(isinstance(c.tag, str) and c.tag in ("p", "list", "quote", "code", "table") for c in item):
                    self.walk(item, group=self._group_seq)
                else:
                    self._add(block_from_runs(_runs(item), "dd", group=self._group_seq))
            return
        self._list_seq += 1
        list_id = self._list_seq
        number = 0
        for item in element:
            if item.tag != "item":
                continue
            marker = "- "
            if rend == "ol":
                number += 1
                marker = f"{number}. "
            nested = [c for c in item if c.tag == "list"]
            self._add(
                block_from_runs(
                    _runs(item, skip=("list",)),
                    "item",
                    marker=marker,
                    ordinal=number,
                    list_id=list_id,
                    group=group,
                )
            )
            for sub in nested:
                self._list(sub, group=group)
        size = sum(1 for b in self.blocks if b.kind == "item" and b.list_id == list_id)
        for block in self.blocks:
            if block.kind == "item" and block.list_id == list_id:
                block.list_size = size


def _runs(element: _Element, *, skip: tuple[str, ...] = ()) -> list[Run]:
    """Inline runs of an element: text with bold/italic, links as [text](url), <lb/> as a line break."""
    runs: list[Run] = []

    def visit(node: _Element, bold: bool, italic: bool) -> None:
        if node.text:
            runs.append(Run(node.text, bold, italic))
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in skip:
                pass
            elif tag == "lb":
                runs.append(Run("\n"))
            elif tag == "ref":
                inner: list[Run] = []
                text = "".join(child.itertext())
                strong = bold or _rend_bold(child)
                inner.append(Run(link(text, child.get("target") or ""), strong, italic))
                runs.extend(inner)
            elif tag == "hi":
                rend = child.get("rend", "")
                visit(child, bold or "#b" in rend, italic or "#i" in rend)
            elif tag in ("p", "item", "list", "head"):
                runs.append(Run("\n"))
                visit(child, bold, italic)
            elif tag != "graphic":
                visit(child, bold, italic)
            if child.tail:
                runs.append(Run(child.tail, bold, italic))

    visit(element, False, False)
    return runs


def _rend_bold(element: _Element) -> bool:
    return any(h.get("rend", "").startswith("#b") for h in element.iter("hi"))
