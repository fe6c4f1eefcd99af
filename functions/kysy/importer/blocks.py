"""Plain text and Markdown into blocks (paragraphs, headings, list items), with layout hints."""

from __future__ import annotations

import re

from kysy.importer.model import Block

_SPACES = re.compile(r"\s+")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-{2,})\s*$")
_ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)])\s+(\S.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
# Q:/K:/A:/V: and the spelled-out words, optionally in bold ("**Q:**", "**Q**:").
PREFIX = re.compile(
    r"^(?:\*\*|__)?(?P<tag>Q|K|A|V|[Kk]ysymys|[Vv]astaus|[Qq]uestion|[Aa]nswer)(?:\*\*|__)?\s*[:：](?:\*\*|__)?\s*"
)
_Q_TAGS = {"q", "k", "kysymys", "question"}
_BOLD_WHOLE = re.compile(r"^(\*\*|__)(?P<inner>(?:(?!\1).)+)\1$")
_BOLD_LEAD = re.compile(r"^(\*\*|__)(?P<lead>(?:(?!\1).)+)\1\s+(?P<rest>\S.*)$")
_FRONT_KEY = re.compile(r"^([A-Za-z_-]+)\s*:\s*(.*?)\s*$")


def norm_space(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def split_prefix(text: str) -> tuple[str, str]:
    """``("q"|"a"|"", text without the prefix)``; a bold wrapper around the rest is kept as written."""
    match = PREFIX.match(text)
    if not match:
        return "", text
    rest = text[match.end() :]
    opened = match.group(0).startswith(("**", "__")) and not match.group(0).rstrip().endswith(("**", "__"))
    if opened and rest.endswith(("**", "__")):  # "**Q: question?**"
        rest = rest[:-2].rstrip()
    return ("q" if match.group("tag").lower() in _Q_TAGS else "a"), rest


def unbold(text: str) -> tuple[str, bool]:
    match = _BOLD_WHOLE.match(text)
    return (match.group("inner").strip(), True) if match else (text, False)


def parse_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """A leading ``---`` block of ``key: value`` lines (Jekyll/Hugo style); returns (meta, lines used)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for index in range(1, min(len(lines), 60)):
        line = lines[index].strip()
        if line in ("---", "..."):
            return meta, index + 1
        match = _FRONT_KEY.match(line)
        if not match:
            return {}, 0
        meta[match.group(1).lower()] = match.group(2).strip().strip("\"'")
    return {}, 0


def text_blocks(text: str, *, markdown: bool) -> tuple[list[Block], dict[str, str]]:
    """Split ``text`` into blocks. Returns the blocks and front-matter metadata (Markdown only)."""
    lines = text.split("\n")
    meta: dict[str, str] = {}
    start = 0
    if markdown:
        meta, start = parse_front_matter(lines)
    blocks: list[Block] = []
    current: list[str] = []
    current_kind = "para"
    marker = ""
    gap = 0
    pending_gap = 0
    fence: str | None = None

    def flush() -> None:
        nonlocal current, current_kind, marker, gap
        if current:
            joined = "\n".join(current) if current_kind == "code" else norm_space(" ".join(current))
            kind = "para" if current_kind == "code" else current_kind
            blocks.append(Block(text=joined, kind=kind, marker=marker, gap=gap))
        current, current_kind, marker = [], "para", ""

    for raw in lines[start:]:
        line = raw.rstrip()
        if fence is not None:
            current.append(raw)
            if line.strip().startswith(fence):
                fence = None
                flush()
            continue
        if not line.strip():
            flush()
            pending_gap += 1
            continue
        if markdown and _FENCE.match(line):
            flush()
            fence = line.strip()[:3]
            current, current_kind, gap, pending_gap = [raw], "code", max(pending_gap, 0), 0
            continue
        if markdown and _SETEXT.match(line) and len(current) == 1 and current_kind == "para":
            heading = norm_space(current[0])
            current = []
            blocks.append(Block(text=heading, kind="heading", level=1 if "=" in line else 2, gap=gap))
            continue
        if markdown and _RULE.match(line):
            flush()  # a thematic break carries no text
            continue
        atx = _ATX.match(line) if markdown else None
        if atx:
            flush()
            blocks.append(
                Block(text=norm_space(atx.group(2)), kind="heading", level=len(atx.group(1)), gap=pending_gap)
            )
            pending_gap = 0
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            current, current_kind, gap, pending_gap = [item.group(3)], "item", pending_gap, 0
            number = item.group(2)
            marker = f"{number} " if number[0].isdigit() else "- "
            continue
        if PREFIX.match(line.lstrip()) and current:
            flush()  # "Q: ..." and "A: ..." on consecutive lines are separate blocks
        if not current:
            gap, pending_gap = pending_gap, 0
        current.append(line.strip())
    flush()
    for block in blocks:
        _annotate(block, markdown=markdown)
    if not markdown and len(blocks) > 1 and _looks_like_title(blocks[0], lines[start:]):
        blocks[0].kind, blocks[0].level = "heading", 1
    return blocks, meta


def _looks_like_title(block: Block, lines: list[str]) -> bool:
    """A plain-text post that opens with one short line without sentence punctuation has a title."""
    first = next((line.strip() for line in lines if line.strip()), "")
    return (
        block.kind == "para"
        and not block.prefix
        and first == block.text
        and len(block.text) <= 100
        and not block.text.endswith((".", "!", "?", ":", ";", ","))
    )


def _annotate(block: Block, *, markdown: bool) -> None:
    """Prefixes, bold and text-line headings ("Questions and answers:")."""
    if block.kind in ("para", "item"):
        block.prefix, block.text = split_prefix(block.text)
    if markdown and block.kind in ("para", "item"):
        inner, whole = unbold(block.text)
        if whole:
            block.text, block.bold = inner, True
        else:
            lead = _BOLD_LEAD.match(block.text)
            if lead:
                block.lead, block.rest = lead.group("lead").strip(), lead.group("rest").strip()
    if markdown and block.text.startswith("\\#"):
        block.text = block.text[1:]  # escaped by our own Markdown export
    if (
        block.kind == "para"
        and not block.prefix
        and block.text.endswith(":")
        and len(block.text) <= 150
        and "?" not in block.text
        and block.text.count(". ") == 0
    ):
        block.kind, block.level = "heading", 0
