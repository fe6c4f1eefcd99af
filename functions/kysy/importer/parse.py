"""Blocks into a post: title, date, intro, Q&A pairs and a report of what could not be placed.

Structure first: Q:/A: prefixes, <dt>/<dd>, question headings, bold questions, list items.
Only a post without such structure falls back on scoring paragraphs (a question is short, asks,
ends with "?"...) and choosing the best question/answer alternation for the whole post at once
(dynamic programming), so one odd paragraph (an answer ending with "?", a question ending with
"!") is decided by its neighbours too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kysy.importer.blocks import text_blocks
from kysy.importer.htmlblocks import html_blocks
from kysy.importer.lang import detect_language
from kysy.importer.model import Block, ImportFailed, Pair, ParsedPost, Unplaced
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
_DATE_WORDS = r"(?:date|dated|published|posted|updated|päivämäärä|päiväys|pvm|julkaistu|päivitetty)"
_DATE_VALUE = r"(?P<iso>\d{4}-\d{1,2}(?:-\d{1,2})?)|(?P<fi>\d{1,2})\.\s?(?P<fm>\d{1,2})\.\s?(?P<fy>\d{4})"
_DATE_KEYED = re.compile(rf"^\s*{_DATE_WORDS}\.?\s*:?\s*(?:{_DATE_VALUE})(?=[\s,;.]|$)[\s,;.]*", re.IGNORECASE)
_DATE_ALONE = re.compile(rf"^\s*(?:{_DATE_VALUE})\s*$")
_TRAILER = re.compile(r"(?:\s*(?:[:;]-?[)(DP]|[)\]\"'”’»…]|\.{3}))+$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]+")

# fmt: off
INTERROGATIVES = frozenset((
    "how", "what", "why", "when", "where", "which", "who", "whom", "whose", "is", "are", "can", "could", "do",
    "does", "did", "should", "would", "will", "shall", "may", "might", "has", "have", "any", "miten", "mitä",
    "miksi", "milloin", "missä", "mistä", "mihin", "mikä", "mitkä", "kuka", "ketkä", "kenen", "keneltä",
    "kuinka", "millainen", "millaista", "millaiset", "millaisia", "millaisena", "minkälainen", "minkä",
    "paljonko", "montako", "voiko", "onko", "saako", "pitääkö", "kannattaako",
))
# fmt: on
# fmt: off
ANSWER_OPENERS = (
    "yes", "no,", "no.", "sure", "absolutely", "good question", "great question", "good point", "thanks for",
    "thank you for", "kyllä", "ei,", "ei.", "hyvä kysymys", "hyvä pointti", "kiitos kysymyksestä",
    "ehdottomasti", "totta kai",
)
# fmt: on

ORPHAN = 3.0  # cost of an answer without a question
UNANSWERED = 3.0  # cost of a question without an answer
CONTINUE = 1.0  # cost of one more answer paragraph
BIG_GAP = 1.25  # weight of "several blank lines here" when the post uses them to separate pairs
_NEG = float("-inf")


def question_score(text: str) -> float:
    """Log-odds-like evidence that a paragraph is a question (positive) rather than an answer."""
    core = _TRAILER.sub("", text.strip())
    length = len(text)
    sentences = [s for s in _SENTENCE.split(core) if s]
    asking = sum(s.rstrip().endswith("?") for s in sentences)
    score: float = 2.5 if core.endswith("?") else 0.0
    score += 1.5 * asking / max(1, len(sentences))
    short = 1.5 if length <= 120 else 0.75 if length <= 250 else 0.0
    score += short if "?" in text else short / 3  # short and asking, not just short
    if length > 550:
        score -= 2.0
    elif length > 400:
        score -= 1.0
    if "?" not in text:  # asks nothing: a question only if its neighbours say so
        score -= 1.25 if length > 300 else 0.75
    words: list[str] = _WORD.findall(core[:40].lower())
    if words and (words[0] in INTERROGATIVES or (len(words[0]) > 4 and words[0].endswith(("ko", "kö")))):
        score += 0.75
    if core.lower().startswith(ANSWER_OPENERS):
        score -= 1.5
    return score


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).replace("\t", " ")


def iso_date(value: str) -> str | None:
    """``yyyy-mm`` or ``yyyy-mm-dd`` from an ISO or Finnish (d.m.yyyy) date; None when invalid."""
    match = re.match(rf"\s*(?:{_DATE_VALUE})", value)
    if not match:
        return None
    if match.group("iso"):
        parts = [int(part) for part in match.group("iso").split("-")]
    else:
        parts = [int(match.group("fy")), int(match.group("fm")), int(match.group("fi"))]
    if not 1 <= parts[1] <= 12 or (len(parts) == 3 and not 1 <= parts[2] <= 31):
        return None
    return "-".join([f"{parts[0]:04d}", *(f"{part:02d}" for part in parts[1:])])


@dataclass
class _Group:
    pos: int
    question: list[str]
    answer: list[tuple[int, str]] = field(default_factory=list)
    orphan: bool = False


def parse_post(text: str, *, fmt: str | None = None, lang: str | None = None) -> ParsedPost:
    """Parse one Q&A post (txt, md, html; json/csv exports too) into pairs, intro and a report."""
    text = _clean(text)
    if not text.strip():
        raise ImportFailed("empty", "The post is empty: there is nothing to import.")
    fmt = FORMATS.get((fmt or detect_format(text)).lower())
    if fmt is None:
        raise ImportFailed("unknown_format", "Unknown format: use txt, md, html, json or csv.")
    if fmt in ("json", "csv"):
        from kysy.importer.records import parse_records

        return parse_records(text, fmt=fmt, lang=lang)
    removed: list[tuple[str, int]] = []
    if fmt == "html":
        blocks, meta, removed = html_blocks(text)
    else:
        blocks, meta = text_blocks(text, markdown=fmt == "md")
    blocks = [b for b in blocks if b.text.strip() or b.lead]
    for index, block in enumerate(blocks):
        block.pos = index
    date = iso_date(meta["date"]) if meta.get("date") else None
    if date and meta.get("date_text"):  # the visible <time> paragraph is the date, not intro
        for block in blocks[:3]:
            if block.text == meta["date_text"]:
                block.text = ""
                break
        blocks = [b for b in blocks if b.text.strip() or b.lead]
        for index, block in enumerate(blocks):
            block.pos = index
    if date is None:
        date = _take_date(blocks)
        blocks = [b for b in blocks if b.text.strip() or b.lead]
    if not blocks:
        raise ImportFailed("no_text", "The post has no text besides its metadata: there is nothing to import.")
    roles = _roles(blocks, meta)
    post = _assemble(blocks, roles, meta, date, fmt)
    report = post.report + [Unplaced(f"<{tag}>", "removed_markup", pos) for tag, pos in removed]
    report.sort(key=lambda item: item.position)
    everything = "\n".join([*(p.question + "\n" + p.answer for p in post.pairs), *post.intro])
    language = lang or meta.get("lang") or detect_language(everything)
    return ParsedPost(post.title, post.date, post.intro, language, fmt, post.pairs, report)


def _take_date(blocks: list[Block]) -> str | None:
    """A date line among the first blocks: "date 2021-12 ...", "Julkaistu 3.12.2021", "2021-12-03"."""
    for block in blocks[:3]:
        match = _DATE_KEYED.match(block.text) or _DATE_ALONE.match(block.text)
        if match:
            date = iso_date(match.group(0)[match.start("iso") if match.group("iso") else match.start("fi") :])
            if date:
                block.text = block.text[match.end() :].strip()
                return date
    return None


# -- roles --------------------------------------------------------------------------------------
# title | intro | q | q+ (question continues) | a (answer paragraph) | o (orphan answer starts)
# | o+ | section (a heading between pairs)


def _roles(blocks: list[Block], meta: dict[str, str]) -> list[str]:
    scores = [question_score(b.lead or b.text) for b in blocks]
    lead_end = next(
        (i for i, (b, s) in enumerate(zip(blocks, scores, strict=True))
         if (s >= 2.0 and b.kind != "heading") or b.prefix == "q"),
        len(blocks),
    )  # fmt: skip
    for index, block in enumerate(blocks):  # "Questions:" is a heading only before the questions start
        if block.kind == "heading" and block.level == 0 and index > lead_end:
            block.kind = "para"
    hints = _structural_hints(blocks, scores, meta)
    if hints is not None:
        return _roles_from_hints(blocks, hints, prefix_mode=any(b.prefix for b in blocks))
    return _roles_by_scoring(blocks, scores, lead_end)


def _structural_hints(blocks: list[Block], scores: list[float], meta: dict[str, str]) -> list[str] | None:
    """Per block "q", "a", "split" (bold lead + answer) or "" from the format's structure; None if none."""
    q_prefixed = sum(b.prefix == "q" for b in blocks)
    a_prefixed = sum(b.prefix == "a" for b in blocks)
    if (q_prefixed and a_prefixed) or q_prefixed >= 2:
        return [b.prefix for b in blocks]
    if any(b.kind == "dt" for b in blocks) and any(b.kind == "dd" for b in blocks):
        return ["q" if b.kind == "dt" else "a" if b.kind == "dd" else "" for b in blocks]
    levels = _question_heading_level(blocks, scores, meta)
    if levels is not None:  # deeper headings that clearly ask are questions too
        return [
            "q" if b.kind == "heading" and (b.level == levels or (b.level > levels and scores[i] >= 2.5)) else ""
            for i, b in enumerate(blocks)
        ]

    def mostly_questions(indexes: list[int], minimum: int = 2) -> bool:
        asking = sum(scores[i] > 1.0 for i in indexes)
        return len(indexes) >= minimum and asking * 2 >= len(indexes)

    bold = [i for i, b in enumerate(blocks) if b.kind in ("para", "item") and (b.bold or b.lead)]
    if mostly_questions(bold):
        return ["q" if b.bold else "split" if i in bold else "" for i, b in enumerate(blocks)]
    single_items = [
        i for i, b in enumerate(blocks)
        if b.kind == "item" and (i + 1 == len(blocks) or blocks[i + 1].kind != "item" or blocks[i + 1].gap > 0)
        and (i == 0 or blocks[i - 1].kind != "item" or b.gap > 0)
        and i + 1 < len(blocks) and blocks[i + 1].kind in ("para", "item")
    ]  # fmt: skip
    if mostly_questions(single_items) and len(single_items) == sum(b.kind == "item" for b in blocks):
        return ["q" if i in single_items else "" for i in range(len(blocks))]
    return None


def _question_heading_level(blocks: list[Block], scores: list[float], meta: dict[str, str]) -> int | None:
    headings = [(i, b) for i, b in enumerate(blocks) if b.kind == "heading" and b.level >= 1]
    if not headings:
        return None
    forced = meta.get("kysy-questions", "")
    if forced.startswith("#"):
        return len(forced)
    by_level: dict[int, list[int]] = {}
    for index, block in headings:
        by_level.setdefault(block.level, []).append(index)
    level = max(by_level, key=lambda lv: (len(by_level[lv]), lv))
    indexes = by_level[level]
    asking = sum(scores[i] > 1.0 for i in indexes)
    if len(indexes) >= 2 and asking * 2 >= len(indexes):
        return level
    if len(indexes) == 1 and scores[indexes[0]] >= 3.0 and indexes[0] > 0:
        return level
    return None


def _roles_from_hints(blocks: list[Block], hints: list[str], *, prefix_mode: bool) -> list[str]:
    roles: list[str] = []
    state = "lead"  # lead | question | answer | orphan | between
    for index, (block, hint) in enumerate(zip(blocks, hints, strict=True)):
        if hint in ("q", "split"):
            roles.append(hint)
            state = "answer" if hint == "split" else "question"
        elif hint == "a":
            roles.append("a" if state == "question" else "o")
            state = "answer" if state == "question" else "orphan"
        elif block.kind == "heading":
            roles.append("heading" if state == "lead" else "section")
            state = "lead" if state == "lead" else "between"
        elif state == "lead":
            roles.append("intro")
        elif state == "question":
            # Between "Q:" and an explicit "A:" the question goes on; otherwise this is the answer.
            answer_follows = prefix_mode and _next_hint(hints, index) == "a"
            roles.append("q+" if answer_follows else "a")
            state = "question" if answer_follows else "answer"
        elif state == "between":
            roles.append("o")
            state = "orphan"
        else:
            roles.append("a" if state == "answer" else "o+")
    return roles


def _next_hint(hints: list[str], index: int) -> str:
    return next((h for h in hints[index + 1 :] if h), "")


def _roles_by_scoring(blocks: list[Block], scores: list[float], lead_end: int) -> list[str]:
    lead_headings = [i for i, b in enumerate(blocks) if b.kind == "heading" and i < max(lead_end, 1)]
    roles = [""] * len(blocks)
    if lead_headings:
        split = lead_headings[-1]
        text_before = any(b.kind != "heading" for b in blocks[:split])
        for i in range(split + 1):
            roles[i] = "heading" if blocks[i].kind == "heading" else "intro"
        allow_intro = not text_before
        body = list(range(split + 1, len(blocks)))
    else:
        allow_intro, body = True, list(range(len(blocks)))
    for i in body:
        if blocks[i].kind == "heading":
            roles[i] = "section"
    body = [i for i in body if blocks[i].kind != "heading"]
    labels = _best_labels([blocks[i] for i in body], [scores[i] for i in body], allow_intro)
    previous = ""
    for i, label in zip(body, labels, strict=True):
        roles[i] = {"I": "intro", "Q": "q", "A": "a", "O": "o+" if previous == "O" else "o"}[label]
        previous = label
    return roles


def _best_labels(blocks: list[Block], scores: list[float], allow_intro: bool) -> list[str]:
    """Viterbi over labels I (intro), Q, A (answer), O (answer without question)."""
    if not blocks:
        return []
    big = [b.gap >= 2 for b in blocks]
    after_big = [s for s, is_big in zip(scores, big, strict=True) if is_big]
    informative = len(after_big) >= 2 and sum(s > 0 for s in after_big) * 3 >= len(after_big) * 2
    labels = "IQAO"

    def emit(i: int, label: str) -> float:
        score: float = max(-4.0, min(4.0, scores[i]))
        return 0.0 if label == "I" else score if label == "Q" else -score

    def move(i: int, prev: str, cur: str) -> float:
        gap = BIG_GAP if informative and big[i] else 0.0
        # Where blank-line runs mark new pairs, a new pair without one is less likely.
        start = gap if gap else -BIG_GAP / 2 if informative else 0.0
        follow = 0.0 if blocks[i].gap == 0 else CONTINUE
        table = {
            ("I", "I"): 0.0, ("I", "Q"): 0.0,
            ("Q", "A"): _pair_bonus(blocks[i - 1], blocks[i]) - gap, ("Q", "Q"): -UNANSWERED + start,
            ("A", "A"): -follow - gap, ("A", "Q"): start, ("A", "O"): -ORPHAN + start,
            ("O", "O"): -follow - gap, ("O", "Q"): start,
        }  # fmt: skip
        return table.get((prev, cur), _NEG)

    start = {"I": 0.0 if allow_intro else _NEG, "Q": 0.0, "O": -ORPHAN, "A": _NEG}
    best: list[dict[str, tuple[float, str]]] = [{lb: (start[lb] + emit(0, lb), "") for lb in labels}]
    for i in range(1, len(blocks)):
        row: dict[str, tuple[float, str]] = {}
        for cur in labels:
            options = [(best[-1][prev][0] + move(i, prev, cur), prev) for prev in labels]
            value, prev = max(options, key=lambda option: option[0])
            row[cur] = (value + emit(i, cur), prev)
        best.append(row)
    final = {lb: best[-1][lb][0] - (UNANSWERED if lb == "Q" else 0.0) for lb in labels}
    label = max(labels, key=lambda lb: final[lb])
    result = [label]
    for row in reversed(best[1:]):
        label = row[label][1]
        result.append(label)
    return result[::-1]


def _pair_bonus(question: Block, answer: Block) -> float:
    """Questions are usually much shorter than their answers."""
    if len(question.text) * 1.5 < len(answer.text):
        return 0.5
    return -0.5 if len(question.text) > 2 * len(answer.text) else 0.0


def _join(parts: list[tuple[int, str]]) -> str:
    out = parts[0][1]
    for gap, text in parts[1:]:
        out += ("\n" if gap == 0 else "\n\n") + text
    return out


def _assemble(blocks: list[Block], roles: list[str], meta: dict[str, str], date: str | None, fmt: str) -> ParsedPost:
    title: str | None = meta.get("title") or None
    intro: list[str] = []
    pairs: list[Pair] = []
    report: list[Unplaced] = []
    group: _Group | None = None

    def close() -> None:
        nonlocal group
        if group is None:
            return
        if group.orphan:
            report.append(Unplaced(_join(group.answer), "answer_without_question", group.pos))
        elif not group.answer:
            report.append(Unplaced("\n\n".join(group.question), "question_without_answer", group.pos))
        else:
            pairs.append(Pair("\n\n".join(group.question), _join(group.answer), len(pairs)))
        group = None

    for block, role in zip(blocks, roles, strict=True):
        content = block.as_content()
        if role == "heading":
            if title is not None and block.text.rstrip(":").strip() == title:
                continue  # the front-matter title repeated as the first heading
            if title is None:
                title = block.text.rstrip(":").strip() or None
            else:
                intro.append(content)
        elif role == "intro":
            intro.append(content)
        elif role == "section":
            close()
            report.append(Unplaced(block.text, "section_heading", block.pos))
        elif role == "q":
            close()
            group = _Group(block.pos, [block.text])
        elif role == "split":
            close()
            group = _Group(block.pos, [block.lead or ""], [(1, block.rest or "")])
        elif role == "q+" and group is not None:
            group.question.append(content)
        elif role == "o":
            close()
            group = _Group(block.pos, [], [(1, content)], orphan=True)
        elif group is not None:  # a / o+
            group.answer.append((block.gap, content))
        else:  # defensive: never drop text
            report.append(Unplaced(content, "answer_without_question", block.pos))
    close()
    if title is None and meta.get("html_title"):
        title = meta["html_title"]
    return ParsedPost(title, date, intro, "", fmt, pairs, report)
