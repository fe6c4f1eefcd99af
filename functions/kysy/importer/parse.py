"""A post (txt, Markdown, HTML, or a Kysy export) into title, date, intro, pairs, outro and a report.

Each format's reader turns the post into blocks with what its structure says; labels and speaker
prefixes are read off every block; the title and the metadata lines under it (date, byline) are
taken out; then the segmenter decides the whole post at once (see ``segment``). Nothing is
dropped silently: every block ends in the intro, a pair, the outro or the report.
"""

from __future__ import annotations

import re
import unicodedata

from kysy.importer import cues
from kysy.importer.blocks import annotate, text_blocks
from kysy.importer.dates import date_line, date_prefix, iso_date
from kysy.importer.lang import detect_language
from kysy.importer.model import Block, ImportFailed, Pair, ParsedPost, Unplaced
from kysy.importer.segment import answer_text, question_text, segment
from kysy.importer.source import detect_format

FORMATS = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
    "json": "json",
    "csv": "csv",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_DATE_KEYS = ("date", "published", "pubdate", "publishdate", "published_at", "created", "julkaistu", "päivämäärä")
_META_LINES = 6  # metadata lines (date, byline) are looked for among this many blocks after the title


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).replace("\t", " ")


def parse_post(text: str, *, fmt: str | None = None, lang: str | None = None, url: str | None = None) -> ParsedPost:
    """Parse one Q&A post (txt, md, html; json/csv/md exports of Kysy too)."""
    text = _clean(text)
    if not text.strip():
        raise ImportFailed("empty", "The post is empty: there is nothing to import.")
    fmt = FORMATS.get((fmt or detect_format(text)).lower())
    if fmt is None:
        raise ImportFailed("unknown_format", "Unknown format: use txt, md, html, json or csv.")
    from kysy.importer import records

    if fmt in ("json", "csv") or (fmt == "md" and records.is_markdown_export(text)):
        return records.parse_records(text, fmt=fmt, lang=lang)
    removed: list[str] = []
    if fmt == "html":
        from kysy.importer.html import html_blocks

        blocks, meta, removed = html_blocks(text, url=url)
    elif fmt == "md":
        from kysy.importer.markdown import markdown_blocks

        blocks, meta = markdown_blocks(text)
    else:
        blocks, meta = text_blocks(text), {}
    blocks = [b for b in blocks if b.text.strip()]
    for block in blocks:
        annotate(block)
    if fmt == "txt":
        _plain_text_headings(blocks)
    title = meta.get("title") or None
    date = next((iso_date(meta[k]) for k in _DATE_KEYS if meta.get(k) and iso_date(meta[k])), None)
    report: list[Unplaced] = []
    blocks, title = _take_title(blocks, title)
    blocks, date = _take_metadata(blocks, date, report)
    blocks = _drop_link_lists(blocks, removed)
    _text_headings(blocks)
    if not blocks:
        raise ImportFailed("no_text", "The post has no text besides its metadata: there is nothing to import.")
    for index, block in enumerate(blocks):
        block.pos = index
    seg = segment(blocks, title=title)
    title = seg.title or meta.get("html_title") or None
    pairs = [
        Pair(
            question=question_text(d.question),
            answer=answer_text(d.answer),
            position=n,
            asker=_asker(d.question[0]),
            confidence=round(d.confidence, 2),
            reasons=tuple(dict.fromkeys(d.reasons)),
        )
        for n, d in enumerate(seg.pairs)
    ]
    report += seg.report
    if date is None:
        report.insert(0, Unplaced("", "no_date", -1))
    intro = [b.as_content() for b in seg.intro]
    outro = [b.as_content() for b in seg.outro]
    language = lang or _language(meta, fmt, pairs, intro)
    return ParsedPost(title, date, intro, language, fmt, pairs, report, outro=outro, removed=removed, url=url or "")


def _asker(block: Block) -> str:
    if not block.speaker or not block.speaker_asks or cues.is_anonymous(block.speaker):
        return ""
    return block.speaker


def _language(meta: dict[str, str], fmt: str, pairs: list[Pair], intro: list[str]) -> str:
    everything = "\n".join([*(p.question + "\n" + p.answer for p in pairs), *intro])
    declared = meta.get("lang") or meta.get("language") or ""
    if declared and (fmt != "html" or len(everything) < 200):
        return declared.split("-")[0].split("_")[0].lower()
    return detect_language(everything, default=declared or "en")


def _plain_text_headings(blocks: list[Block]) -> None:
    """A plain-text post that opens with one short line without sentence punctuation has a title."""
    if len(blocks) < 2:
        return
    first = blocks[0]
    if (
        first.kind == "para"
        and not first.label
        and not first.speaker
        and len(first.text) <= 100
        and not first.text.endswith((".", "!", "?", ":", ";", ","))
        and date_line(first.text)[1] == ""
    ):
        first.kind, first.level = "heading", 1


def _text_headings(blocks: list[Block]) -> None:
    """A short line ending in ':' before the questions start ("Questions and answers:") is a heading."""
    for block in blocks:
        if block.label or block.speaker or cues.question_score(block.text) >= 2.0:
            return
        if (
            block.kind == "para"
            and block.text.endswith(":")
            and len(block.text) <= 150
            and "?" not in block.text
            and ". " not in block.text
        ):
            block.kind, block.level = "heading", 0


_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)|https?://\S+")


def _links_only(block: Block) -> bool:
    return bool(_LINK.search(block.text)) and len(cues.words(_LINK.sub(" ", block.text))) <= 2


def _drop_link_lists(blocks: list[Block], removed: list[str]) -> list[Block]:
    """A post that ends in a list of links ("Read also", "Related posts") ends before it: navigation, not text."""
    end = len(blocks)
    while end > 0 and _links_only(blocks[end - 1]) and blocks[end - 1].kind in ("item", "para"):
        end -= 1
    links = len(blocks) - end
    if links == 0:
        return blocks
    heading = end > 0 and (
        blocks[end - 1].kind == "heading" or (blocks[end - 1].text.endswith(":") and len(blocks[end - 1].text) < 80)
    )
    if heading and not cues.asks(blocks[end - 1].text):
        removed.append(f"links: {blocks[end - 1].text.rstrip(':')} ({links})")
        return blocks[: end - 1]
    if links >= 2:
        removed.append(f"links ({links})")
        return blocks[:end]
    label = _LINK.sub(" ", blocks[-1].text).strip()
    if label.endswith(":") and not cues.asks(label):  # "Read also: [Another post](...)"
        removed.append(f"links: {label.rstrip(':')}")
        return blocks[:end]
    return blocks


def _take_title(blocks: list[Block], title: str | None) -> tuple[list[Block], str | None]:
    """The first heading is the title (or repeats the one the metadata gave)."""
    if not blocks or blocks[0].kind != "heading":
        return blocks, title
    first = blocks[0]
    text = first.text.rstrip(":").strip()
    if title is not None and text == title:
        return blocks[1:], title
    if title is None and first.level <= 1 and not cues.asks(text):
        return blocks[1:], text
    return blocks, title


def _take_metadata(blocks: list[Block], date: str | None, report: list[Unplaced]) -> tuple[list[Block], str | None]:
    """Date lines under the title become the date; bylines go to the report; "date 2021-12 Text" loses its prefix."""
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        if index >= _META_LINES or block.label or block.kind not in ("para", "quote") or cues.asks(block.text):
            kept.extend(blocks[index:])
            break
        found, kind = date_line(block.text)
        if kind == "date":
            date = date or found
            continue
        if kind == "meta":
            date = date or found
            report.append(Unplaced(block.text, "metadata", -1))
            continue
        if index < 3:
            found, rest = date_prefix(block.text)
            if found:
                date = date or found
                block.text = rest
                if not rest:
                    continue
        kept.append(block)
    return kept, date
