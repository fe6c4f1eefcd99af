"""Blocks from inline runs (shared by the HTML and Markdown readers), labels and speakers, and plain text.

A reader turns its format into ``Block``s: paragraphs, headings, list items, accordion summaries,
definition terms, with what the structure says (bold, numbering, the container an answer sits
in). This module holds what every format shares: turning inline runs into text (links as
``[text](url)``, emphasis dropped), finding a bold run that opens a paragraph, ``Q:``/``K:``
labels and ``Name:`` / ``Nimi kysyi:`` speakers; and the plain-text reader itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kysy.importer.model import Block

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|/|#|\./|\.\./)|^[^:/?#]+(?:[/?#]|$)", re.IGNORECASE)

# Q:/K:/A:/V: and the spelled-out words, optionally with the asker in parentheses or after "from".
_NAME = r"(?:@[\w.-]*\w|[A-ZÅÄÖÜ][\w'’-]*\.?(?:\s+(?:[A-ZÅÄÖÜ][\w'’-]*\.?|van|von|de|af))*)"
LABEL = re.compile(
    r"^(?P<tag>Q|K|A|V|[Kk]ysymys|[Vv]astaus|[Qq]uestion|[Aa]nswer)(?:\s+\d{1,3})?"
    rf"(?:\s*\((?P<pname>{_NAME})\)|\s+(?:from|by|lähettäjä)\s+(?P<fname>{_NAME}))?"
    r"\s*[:：.)]\s+(?=\S)"
)
_Q_TAGS = {"q", "k", "kysymys", "question"}
_ASK_VERBS = r"kysyi|kysyy|kysäisi|kysyivät|ihmetteli|pohti|asks|asked|wonders|wondered|wants to know|wanted to know"
_TELL_VERBS = r"writes|wrote|says|said|kirjoitti|kirjoittaa|sanoi|sanoo|kommentoi|comments|commented"
SPEAKER = re.compile(
    rf"^(?P<name>{_NAME})(?:\s*\((?P<note>[^()]{{1,40}})\))?"
    rf"(?:\s+(?P<verb>{_ASK_VERBS}|{_TELL_VERBS}))?\s*[:：]\s+(?=\S)"
)
_ASKING_VERB = re.compile(rf"^(?:{_ASK_VERBS})$")
# Words that open a "Word: text" line without being anybody's name.
_NOT_NAMES = frozenset(
    [
        "note",
        "notes",
        "huom",
        "huomio",
        "huomioi",
        "update",
        "päivitys",
        "edit",
        "ps",
        "p.s",
        "tip",
        "tips",
        "vinkki",
        "vinkit",
        "example",
        "esimerkki",
        "esimerkiksi",
        "price",
        "hinta",
        "hinnat",
        "source",
        "lähde",
        "lähteet",
        "bonus",
        "important",
        "tärkeää",
        "warning",
        "varoitus",
        "step",
        "vaihe",
        "summary",
        "yhteenveto",
        "tldr",
        "tl;dr",
        "answer",
        "vastaus",
        "question",
        "kysymys",
        "q",
        "a",
        "k",
        "v",
        "faq",
        "ukk",
        "link",
        "linkki",
        "linkit",
        "read",
        "lue",
        "more",
        "lisää",
        "see",
        "katso",
        "date",
        "pvm",
        "päivämäärä",
        "published",
        "julkaistu",
        "posted",
        "updated",
        "päivitetty",
        "author",
        "kirjoittaja",
        "by",
        "teksti",
        "text",
        "kuvat",
        "photos",
        "kuva",
        "photo",
        "category",
        "kategoria",
        "kategoriat",
        "tags",
        "tagit",
        "avainsanat",
        "status",
        "tila",
        "result",
        "tulos",
        "pros",
        "cons",
        "plussat",
        "miinukset",
        "hyvää",
        "huonoa",
        "yes",
        "no",
        "kyllä",
        "ei",
        "also",
        "myös",
        "therefore",
        "siksi",
        "why",
        "miksi",
        "how",
        "miten",
        "what",
        "mitä",
        "who",
        "kuka",
        "when",
        "milloin",
        "where",
        "missä",
        "which",
        "mikä",
        "first",
        "ensin",
        "second",
        "toiseksi",
        "finally",
        "lopuksi",
        "short",
        "lyhyesti",
        "long",
        "pitkästi",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "ma",
        "ti",
        "ke",
        "to",
        "pe",
        "la",
        "su",
    ]
)
_NUMBERED = re.compile(r"^(?P<num>\d{1,3})\s*[.)]\s+(?=\S)")
_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+•–]|(?P<num>\d{1,3})[.)])\s+(?P<text>\S.*)$")


def norm_space(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def safe_href(href: str) -> bool:
    return bool(href) and bool(_SAFE_URL.match(href.strip()))


def link(text: str, href: str) -> str:
    """A link as answers carry it: ``[text](url)``; a link whose text is its own address stays text."""
    href = href.strip()
    text = norm_space(text)
    if not text:
        return ""
    if not safe_href(href) or href in (text, f"mailto:{text}"):
        return text
    return f"[{text}]({href.replace(' ', '%20').replace(')', '%29')})"


@dataclass
class Run:
    """A piece of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


def block_from_runs(runs: list[Run], kind: str = "para", **fields: object) -> list[Block]:
    """Blocks from the inline runs of one paragraph-level element.

    A line break before a ``Q:``/``A:`` label starts a new block (``<p>Q: ...<br>A: ...</p>``);
    other line breaks are spaces. Whole-bold / whole-italic and an opening bold run are recorded.
    """
    lines: list[list[Run]] = [[]]
    for run in runs:
        parts = run.text.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if part:
                lines[-1].append(Run(part, run.bold, run.italic))
    groups: list[list[Run]] = []
    for line in lines:
        text = norm_space("".join(r.text for r in line))
        if not text:
            continue
        if not groups or LABEL.match(text):
            groups.append(list(line))
        else:
            groups[-1].extend([Run(" "), *line])
    blocks = []
    for group in groups:
        text = norm_space("".join(r.text for r in group))
        if not text:
            continue
        visible = [r for r in group if r.text.strip()]
        block = Block(text=text, kind=kind, **fields)  # type: ignore[arg-type]
        block.bold = all(r.bold for r in visible)
        block.italic = all(r.italic for r in visible) and not block.bold
        if not block.bold and visible and visible[0].bold:
            lead_runs = []
            for run in group:
                if run.text.strip() and not run.bold:
                    break
                lead_runs.append(run)
            lead = norm_space("".join(r.text for r in lead_runs))
            rest = norm_space("".join(r.text for r in group[len(lead_runs) :]))
            if lead and rest:
                block.lead, block.rest = lead, rest
        blocks.append(block)
    return blocks


def annotate(block: Block) -> None:
    """Strip a ``Q:``/``A:`` label or a speaker prefix off the block and record it."""
    if block.kind not in ("para", "item", "dt", "dd", "summary", "heading", "quote"):
        return
    match = LABEL.match(block.text)
    if match:
        block.label = "q" if match.group("tag").lower() in _Q_TAGS else "a"
        name = match.group("pname") or match.group("fname") or ""
        if name and block.label == "q":
            block.speaker, block.speaker_asks = name, True
        _strip_prefix(block, match.end())
        return
    match = SPEAKER.match(block.text) if block.kind != "heading" else None
    if match and _is_name(match.group("name")):
        verb = match.group("verb") or ""
        block.speaker = match.group("name")
        block.speaker_asks = bool(_ASKING_VERB.match(verb.lower()))
        block.speaker_prefix = block.text[: match.end()]
        _strip_prefix(block, match.end())


def restore_speaker(block: Block) -> None:
    """Put back a ``Name:`` prefix that turned out not to be a speaker."""
    if block.speaker_prefix:
        block.text = block.speaker_prefix + block.text
        if block.lead is not None and block.rest is not None:
            block.lead, block.rest = None, None
    block.speaker, block.speaker_asks, block.speaker_prefix = "", False, ""


def _is_name(name: str) -> bool:
    first = name.split()[0].lower().rstrip(".")
    return first not in _NOT_NAMES and len(name) <= 40


def _strip_prefix(block: Block, end: int) -> None:
    """Remove ``text[:end]``; a bold lead that was just the prefix stops being a lead."""
    prefix = block.text[:end]
    block.text = block.text[end:].strip()
    if block.lead is not None and block.rest is not None:
        lead = block.lead
        if norm_space(lead).rstrip(":：") == norm_space(prefix).rstrip(" :："):
            block.lead, block.rest = None, None  # "**Maria:** question" -> the question, not a bold lead
        elif lead.startswith(prefix.strip()):  # "**Q: question?** answer"
            block.lead = lead[len(prefix.strip()) :].strip() or None
            if block.lead is None:
                block.rest = None
    if block.bold and block.text.endswith(("**", "__")):
        block.text = block.text[:-2].rstrip()


def split_number(text: str) -> tuple[int, str]:
    """``(3, "Question?")`` from "3. Question?" / "3) Question?"; ``(0, text)`` otherwise."""
    match = _NUMBERED.match(text)
    if not match:
        return 0, text
    return int(match.group("num")), text[match.end() :]


# -- plain text -------------------------------------------------------------------------------


def text_blocks(text: str) -> list[Block]:
    """Plain text: blank lines separate blocks; list lines, numbered lines and labels are their own."""
    blocks: list[Block] = []
    current: list[str] = []
    gap = 0
    pending_gap = 0
    list_id = 0
    in_list = False

    def flush() -> None:
        nonlocal current
        first = current[0].rstrip() if current else ""
        if len(current) > 1 and first.endswith("?") and len(first) <= 200:
            # "Question?" on its own line with the answer on the next lines (no blank line between)
            blocks.append(Block(text=norm_space(first), gap=gap))
            blocks.append(Block(text=norm_space(" ".join(current[1:])), gap=0))
        elif current:
            blocks.append(Block(text=norm_space(" ".join(current)), gap=gap))
        current = []

    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            pending_gap += 1
            in_list = False
            continue
        item = _BULLET.match(line)
        if item:
            flush()
            if not in_list or pending_gap:
                list_id += 1
            number = item.group("num")
            blocks.append(
                Block(
                    text=norm_space(item.group("text")),
                    kind="item",
                    marker=f"{int(number)}. " if number else "- ",
                    ordinal=int(number) if number else 0,
                    list_id=list_id,
                    gap=pending_gap,
                )
            )
            pending_gap, in_list = 0, True
            continue
        if current and LABEL.match(line.strip()):
            flush()  # "Q: ..." and "A: ..." on consecutive lines are separate blocks
        if in_list or not current:
            flush()
            gap, pending_gap = pending_gap, 0
            in_list = False
        current.append(line.strip())
    flush()
    sizes: dict[int, int] = {}
    for block in blocks:
        if block.kind == "item":
            sizes[block.list_id] = sizes.get(block.list_id, 0) + 1
    for block in blocks:
        if block.kind == "item":
            block.list_size = sizes[block.list_id]
    return blocks
