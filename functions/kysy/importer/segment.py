"""Decide, for a whole post at once, which blocks are intro, questions, answers, outro or report.

Structure first. A post that marks its questions unambiguously is read by that structure:
``Q:``/``K:`` labels, accordion summaries and definition terms, question headings (the heading
level that mostly asks), numbered questions (single numbered paragraphs counting 1, 2, 3 across
the post, while a list inside an answer starts again from 1). Then every question's answer runs
to the next question, and only the end of the last answer is weighed against the post's closing
words. A post without such structure, or with only soft marks (bold questions, ``Name:``
speakers), is scored paragraph by paragraph and the best intro / question / answer / outro
sequence for the whole post is chosen at once (Viterbi), so one odd paragraph is decided by its
neighbours too. Every pair gets a confidence; the reasons behind a low one go to the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kysy.importer import cues
from kysy.importer.blocks import restore_speaker, split_number
from kysy.importer.model import Block, Unplaced

ORPHAN = 3.0  # cost of an answer without a question
UNANSWERED = 3.0  # cost of a question without an answer
CONTINUE = 1.0  # cost of one more answer paragraph
BIG_GAP = 1.25  # weight of "several blank lines here" when the post uses them to separate pairs
SOFT_MARK = 2.5  # a bold question / a named asker in a post that marks most questions that way
PLAIN_PENALTY = 1.0  # an unmarked paragraph in such a post needs more evidence to be a question
OUTRO_AT = 2.5  # closing evidence from which a trailing paragraph is the post's outro
OUTRO_MAYBE = 1.5  # ... and from which it might be (the last pair is then checked by an editor)
_NEG = float("-inf")

REASON_TEXT: dict[str, str] = {
    "no_question_mark": "the question was found by its place in the post, not by its wording",
    "plain_text": "the post has no structure marking its questions; the split was inferred from the wording",
    "answer_may_hold_question": "the answer contains a paragraph that reads like a separate question",
    "outro_uncertain": "the end of the last answer may be the post's closing words",
    "next_to_unplaced": "next to text that could not be placed",
    "long_question": "a very long question: part of it may belong to the answer",
    "short_answer": "a very short answer",
}


@dataclass
class Draft:
    question: list[Block]
    answer: list[Block] = field(default_factory=list)
    confidence: float = 0.95
    reasons: list[str] = field(default_factory=list)


@dataclass
class Segmented:
    intro: list[Block] = field(default_factory=list)
    pairs: list[Draft] = field(default_factory=list)
    outro: list[Block] = field(default_factory=list)
    report: list[Unplaced] = field(default_factory=list)
    title: str | None = None


def segment(blocks: list[Block], *, title: str | None) -> Segmented:
    _resolve_speakers(blocks)
    _number_questions(blocks)
    mode, questions = _structure(blocks)
    result = _by_structure(blocks, mode, questions, title=title) if mode else _by_scoring(blocks, title=title)
    _trim_outro(result, structured=bool(mode))
    _confidence(result, mode)
    result.report.sort(key=lambda u: u.position)
    return result


# -- speakers and numbering --------------------------------------------------------------------


def _resolve_speakers(blocks: list[Block]) -> None:
    """``Name:`` prefixes: a name on several non-asking paragraphs is the host (dropped from the
    text, never an asker); a bare ``Name:`` counts only where the post uses such prefixes at least
    twice and the text asks; ``Name kysyi:`` / ``Name asks:`` always names an asker."""
    named = [b for b in blocks if b.speaker]
    statements: dict[str, int] = {}
    for block in named:
        if not block.speaker_asks and not cues.asks(block.text):
            statements[block.speaker] = statements.get(block.speaker, 0) + 1
    hosts = {name for name, count in statements.items() if count >= 2}
    bare = [b for b in named if not b.speaker_asks]
    for block in named:
        if block.speaker in hosts:
            block.host = True
            block.speaker = ""
            block.speaker_asks = False
        elif block.speaker_asks:
            continue
        elif len(bare) >= 2 and cues.asks(block.text) and block.label != "a":
            block.speaker_asks = True
        else:
            restore_speaker(block)


def _number_questions(blocks: list[Block]) -> None:
    """Numbered paragraphs ("3) Question?", "## 3. Question?") carry their number as ``ordinal``."""
    for block in blocks:
        if block.kind in ("para", "heading") and not block.ordinal:
            number, rest = split_number(block.text)
            if number:
                block.ordinal, block.numbered_text = number, rest


# -- which structure marks the questions -----------------------------------------------------------


def _asking(block: Block) -> bool:
    return cues.asks(_question_text(block)) or cues.question_score(_question_text(block)) > 1.0


def _question_text(block: Block) -> str:
    return block.numbered_text or block.text


def _structure(blocks: list[Block]) -> tuple[str, set[int]]:
    """The structure that marks this post's questions, and the blocks it marks; ("", set()) if none."""
    q_labels = {i for i, b in enumerate(blocks) if b.label == "q"}
    a_labels = [i for i, b in enumerate(blocks) if b.label == "a"]
    if (q_labels and a_labels) or len(q_labels) >= 2:
        return "label", q_labels
    terms = {i for i, b in enumerate(blocks) if b.kind in ("dt", "summary")}
    if terms and any(b.group >= 0 and b.kind not in ("dt", "summary") for b in blocks):
        return "term", terms
    level = _question_level(blocks)
    if level is not None:
        marked = {
            i
            for i, b in enumerate(blocks)
            if b.kind == "heading" and (b.level == level or (b.level > level and _asking(b)))
        }
        return "heading", marked
    numbered = _numbered_questions(blocks)
    if numbered:
        return "number", numbered
    return "", set()


def _question_level(blocks: list[Block]) -> int | None:
    by_level: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        if block.kind == "heading" and block.level >= 1:
            by_level.setdefault(block.level, []).append(i)
    best: tuple[int, int] | None = None
    for level, indexes in by_level.items():
        asking = sum(_asking(blocks[i]) for i in indexes)
        if asking * 2 < len(indexes):
            continue
        enough = len(indexes) >= 2 or (asking == 1 and cues.question_score(blocks[indexes[0]].text) >= 3)
        if enough and (best is None or (asking, level) > best):
            best = (asking, level)
    return best[1] if best else None


def _numbered_questions(blocks: list[Block]) -> set[int]:
    """Single numbered paragraphs/items whose numbers count up across the post (1, 2, 3 ...)."""
    candidates = [
        i
        for i, b in enumerate(blocks)
        if b.ordinal
        and ((b.kind == "item" and b.list_size == 1) or b.kind in ("para", "heading"))
        and i + 1 < len(blocks)
    ]
    chosen: list[int] = []
    expected = 1
    for i in candidates:
        if blocks[i].ordinal == expected:
            chosen.append(i)
            expected += 1
    if len(chosen) < 2:
        return set()
    asking = sum(_asking(blocks[i]) for i in chosen)
    if asking * 2 < len(chosen):
        return set()
    for i in chosen:
        if blocks[i].kind == "item":
            blocks[i].marker = ""
            blocks[i].kind = "para"
        blocks[i].numbered_text = blocks[i].numbered_text or blocks[i].text
    return set(chosen)


# -- posts with structure ------------------------------------------------------------------------


def _by_structure(blocks: list[Block], mode: str, questions: set[int], *, title: str | None) -> Segmented:
    result = Segmented(title=title)
    level = min((blocks[i].level for i in questions), default=0) if mode == "heading" else 0
    asking = [i for i in sorted(questions) if _asking(blocks[i]) or mode in ("label", "term")]
    first_asking = asking[0] if asking else min(questions)
    last_asking = asking[-1] if asking else max(questions)
    current: Draft | None = None
    answered_by_label = False
    orphan: list[Block] = []  # an answer whose question is missing, with its continuation
    outside: list[Block] = []  # text after an accordion item, outside any item

    def flush_orphan() -> None:
        if orphan:
            result.report.append(Unplaced(_join(orphan), "answer_without_question", orphan[0].pos))
            orphan.clear()

    for i, block in enumerate(blocks):
        is_question = i in questions
        if is_question and mode in ("heading", "number") and not _asking(block):
            if i < first_asking:
                result.intro.append(block)
                continue
            if i > last_asking:
                _close(result, current)
                flush_orphan()
                result.outro.extend(blocks[i:])
                return result
        if is_question:
            _close(result, current)
            flush_orphan()
            current, answered_by_label = Draft([block]), False
            continue
        if block.kind == "heading" and mode == "heading" and block.level < level:
            _close(result, current)
            flush_orphan()
            current = None
            if result.pairs and not any(j > i for j in questions):  # a last section after the questions
                result.outro.extend(blocks[i:])
                return result
            result.report.append(Unplaced(block.text, "section_heading", block.pos))
            continue
        if mode == "label" and block.label == "a" and (current is None or answered_by_label):
            _close(result, current)  # a second "A:" for one question: its own question is missing
            flush_orphan()
            current = None
            orphan.append(block)
            continue
        if orphan and not block.label:
            orphan.append(block)
            continue
        if current is None:
            if not result.pairs and not result.report and not orphan:
                result.intro.append(block)
            elif mode == "term" and block.group < 0:
                outside.append(block)
            else:
                _report_between(result, block)
            continue
        if mode == "term":
            if block.group >= 0 and block.group == current.question[0].group:
                current.answer.append(block)
            elif block.group >= 0:  # a definition without its term
                _close(result, current)
                current = None
                orphan.append(block)
            else:
                _close(result, current)
                current = None
                outside.append(block)
            continue
        if mode == "label":
            if block.label == "a":
                answered_by_label = True
                current.answer.append(block)
            elif not current.answer and _next_label(blocks, i) == "a":
                current.question.append(block)  # the question goes on until its "A:"
            else:
                current.answer.append(block)
            continue
        current.answer.append(block)
    _close(result, current)
    flush_orphan()
    last = result.pairs[-1].answer[-1].pos if result.pairs else -1
    for block in outside:
        if block.pos > last:
            result.outro.append(block)
        else:
            _report_between(result, block)
    return result


def _next_label(blocks: list[Block], index: int) -> str:
    return next((b.label for b in blocks[index + 1 :] if b.label), "")


def _close(result: Segmented, draft: Draft | None) -> None:
    if draft is None:
        return
    if not draft.answer:
        text = "\n\n".join(_question_text(b) for b in draft.question)
        result.report.append(Unplaced(text, "question_without_answer", draft.question[0].pos))
        return
    result.pairs.append(draft)


def _report_between(result: Segmented, block: Block) -> None:
    reason = "section_heading" if block.kind == "heading" else "between_pairs"
    result.report.append(Unplaced(block.as_content(), reason, block.pos))


# -- posts without structure: scoring and the best sequence ---------------------------------------------


def _by_scoring(blocks: list[Block], *, title: str | None) -> Segmented:
    result = Segmented(title=title)
    scores = [_plain_score(b, blocks) for b in blocks]
    lead_end = next(
        (
            i
            for i, (b, s) in enumerate(zip(blocks, scores, strict=True))
            if (s >= 2.0 and b.kind != "heading") or (b.kind == "heading" and _asking(b))
        ),
        len(blocks),
    )
    body = list(range(len(blocks)))
    allow_intro = True
    lead_headings = [i for i in body if blocks[i].kind == "heading" and i < max(lead_end, 1)]
    if lead_headings:
        split = lead_headings[-1]
        allow_intro = not any(b.kind != "heading" for b in blocks[:split])
        for i in range(split + 1):
            if blocks[i].kind == "heading" and result.title is None:
                result.title = _question_text(blocks[i]).rstrip(":").strip() or None
            else:
                result.intro.append(blocks[i])
        body = body[split + 1 :]
    labels = _best_labels([blocks[i] for i in body], [scores[i] for i in body], allow_intro)
    current: Draft | None = None
    orphan: list[Block] = []

    def flush_orphan() -> None:
        if orphan:
            text = _join(orphan)
            result.report.append(Unplaced(text, "answer_without_question", orphan[0].pos))
            orphan.clear()

    for i, label in zip(body, labels, strict=True):
        block = blocks[i]
        if label == "I":
            result.intro.append(block)
        elif label == "S":
            _close(result, current)
            current = None
            flush_orphan()
            result.report.append(Unplaced(block.text, "section_heading", block.pos))
        elif label == "Q":
            _close(result, current)
            flush_orphan()
            current = Draft([block])
        elif label == "P":
            _close(result, current)
            flush_orphan()
            question, answer = _split(block)
            current = Draft([question], [answer])
        elif label == "A" and current is not None:
            current.answer.append(block)
        elif label == "O" or (label == "A" and current is None):
            _close(result, current)
            current = None
            orphan.append(block)
        elif label == "E":
            _close(result, current)
            current = None
            flush_orphan()
            result.outro.append(block)
    _close(result, current)
    flush_orphan()
    return result


def _split_pair(block: Block) -> bool:
    return bool(block.lead and block.rest and block.kind in ("para", "item") and cues.asks(block.lead))


def _split(block: Block) -> tuple[Block, Block]:
    """A paragraph opening with a bold question: the question and its answer as two blocks."""
    question = Block(text=block.lead or "", kind="para", bold=True, pos=block.pos, speaker=block.speaker)
    question.speaker_asks = block.speaker_asks
    answer = Block(text=block.rest or "", kind="para", pos=block.pos)
    return question, answer


def _plain_score(block: Block, blocks: list[Block]) -> float:
    """Question evidence of one block in a post without hard structure."""
    text = block.lead if _split_pair(block) and block.lead else _question_text(block)
    score = cues.question_score(text)
    soft_marked = [b for b in blocks if _soft_mark(b)]
    if _soft_mark(block):
        score += SOFT_MARK
    elif len(soft_marked) >= 2 and block.kind != "heading":
        score -= PLAIN_PENALTY
    if block.host or block.label == "a":
        score -= 4.0
    if block.kind == "item" and block.list_size > 1:
        score -= 2.0  # an item of a longer list is part of an answer
    return score


def _soft_mark(block: Block) -> bool:
    if block.speaker and block.speaker_asks:
        return True
    if block.kind == "quote":  # readers' letters quoted above the answers
        return _asking(block)
    if block.kind in ("para", "item") and block.bold:
        return _asking(block)
    if _split_pair(block):
        return True
    return block.kind == "heading" and _asking(block)


def _outro_evidence(block: Block) -> float:
    if block.kind in ("item", "code"):
        return 0.0  # a list or code is part of an answer
    evidence = cues.closing_score(block.text)
    if cues.is_sign_off(block.text):
        evidence += 3.0
    if block.rule_before:
        evidence += 2.0
    if block.italic:
        evidence += 1.0
    if block.kind == "heading" and not _asking(block):
        evidence += 1.0
    return evidence


def _best_labels(blocks: list[Block], scores: list[float], allow_intro: bool) -> list[str]:
    """Viterbi over I (intro), Q, A (answer), O (answer without question), S (section), E (outro)."""
    if not blocks:
        return []
    big = [b.gap >= 2 for b in blocks]
    after_big = [s for s, is_big in zip(scores, big, strict=True) if is_big]
    informative = len(after_big) >= 2 and sum(s > 0 for s in after_big) * 3 >= len(after_big) * 2
    labels = "IQAOSEP"
    outro = [_outro_evidence(b) for b in blocks]
    intro = [min(2.0, cues.intro_score(b.text)) for b in blocks]

    def emit(i: int, label: str) -> float:
        block = blocks[i]
        heading = block.kind == "heading"
        if label == "S":
            return 0.0 if heading and not _asking(block) else _NEG
        if label == "P":  # "**Question?** Answer" in one paragraph
            return max(-4.0, min(4.0, scores[i])) if _split_pair(block) else _NEG
        if heading and label in "AO":
            return _NEG
        if label == "I":
            return 0.75 * intro[i]
        if label == "E":
            if outro[i] >= OUTRO_AT:
                return outro[i] - OUTRO_AT
            last_short = i == len(blocks) - 1 and len(block.text) <= 160
            return 0.5 if last_short and outro[i] >= OUTRO_MAYBE else _NEG
        score: float = max(-4.0, min(4.0, scores[i]))
        if _split_pair(block) and label == "Q":
            return _NEG
        if label in "AO" and outro[i] >= OUTRO_AT:
            return -score - 0.5 * (outro[i] - OUTRO_AT)  # closing words are rarely part of an answer
        return score if label == "Q" else -score

    def move(i: int, prev: str, cur: str) -> float:
        gap = BIG_GAP if informative and big[i] else 0.0
        start = gap if gap else -BIG_GAP / 2 if informative else 0.0
        follow = 0.0 if blocks[i].gap == 0 else CONTINUE
        table = {
            ("I", "I"): 0.0, ("I", "Q"): 0.0, ("I", "S"): 0.0, ("I", "P"): 0.0,
            ("P", "A"): -follow - gap, ("P", "Q"): start, ("P", "P"): start, ("P", "S"): 0.0, ("P", "E"): 0.0,
            ("A", "P"): start, ("O", "P"): start, ("S", "P"): 0.0,
            ("Q", "A"): _pair_bonus(blocks[i - 1], blocks[i]) - gap, ("Q", "Q"): -UNANSWERED + start,
            ("Q", "S"): -UNANSWERED,
            ("A", "A"): -follow - gap, ("A", "Q"): start, ("A", "O"): -ORPHAN + start, ("A", "S"): 0.0,
            ("A", "E"): 0.0,
            ("O", "O"): -follow - gap, ("O", "Q"): start, ("O", "S"): 0.0, ("O", "E"): 0.0,
            ("S", "Q"): 0.0, ("S", "O"): -ORPHAN, ("S", "S"): 0.0, ("S", "E"): 0.0,
            ("E", "E"): 0.0,
        }  # fmt: skip
        return table.get((prev, cur), _NEG)

    start = {"I": 0.0 if allow_intro else _NEG, "Q": 0.0, "O": -ORPHAN, "A": _NEG, "S": 0.0, "E": _NEG, "P": 0.0}
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


# -- the end of the post, and how sure each pair is ---------------------------------------------------------


def _trim_outro(result: Segmented, *, structured: bool) -> None:
    """Closing words at the end of the last answer are the post's outro (structured posts)."""
    if not result.pairs or not structured or (result.outro and result.outro[0].pos < result.pairs[-1].answer[-1].pos):
        return
    last = result.pairs[-1]
    moved: list[Block] = []
    while len(last.answer) > 1:
        block = last.answer[-1]
        evidence = _outro_evidence(block)
        if evidence >= OUTRO_AT or (moved and cues.is_sign_off(moved[0].text) and evidence >= OUTRO_MAYBE):
            moved.insert(0, last.answer.pop())
        else:
            break
    result.outro[:0] = moved


def _confidence(result: Segmented, mode: str) -> None:
    unplaced = {u.position for u in result.report if u.reason in ("answer_without_question", "between_pairs")}
    for index, draft in enumerate(result.pairs):
        question = draft.question[0]
        text = " ".join(_question_text(b) for b in draft.question)
        asks = cues.asks(text)
        if mode in ("label", "term"):
            confidence = 0.95
        elif mode in ("heading", "number"):
            confidence = 0.95 if asks else 0.6
        elif _soft_mark(question):
            confidence = 0.9 if asks else 0.75
        else:
            ends = cues.core(text).endswith("?")
            confidence = 0.85 if ends else 0.75 if "?" in text else 0.6 if asks else 0.5
            if confidence < 0.85:
                draft.reasons.append("plain_text")
        if confidence < 0.7 and mode:
            draft.reasons.append("no_question_mark")
        if not mode:
            for block in draft.answer[1:]:
                if cues.question_score(block.text) >= 3.0 and len(block.text) <= 200:
                    confidence -= 0.25
                    draft.reasons.append("answer_may_hold_question")
                    break
        if len(text) > 300:
            confidence -= 0.2
            draft.reasons.append("long_question")
        if draft.answer[-1].pos + 1 in unplaced:  # the text after the answer may belong to it
            confidence -= 0.2
            draft.reasons.append("next_to_unplaced")
        last = index == len(result.pairs) - 1 and len(draft.answer) > 1
        if last and _outro_evidence(draft.answer[-1]) >= OUTRO_MAYBE:
            confidence -= 0.3
            draft.reasons.append("outro_uncertain")
        draft.confidence = max(0.0, min(1.0, confidence))


def _join(blocks: list[Block]) -> str:
    """Answer text: paragraphs apart by a blank line, items of one list on consecutive lines."""
    out = ""
    previous: Block | None = None
    for block in blocks:
        content = block.as_content()
        if previous is None:
            out = content
        elif block.kind == "item" and previous.kind == "item" and block.list_id == previous.list_id:
            out += "\n" + content
        else:
            out += "\n\n" + content
        previous = block
    return out


def question_text(blocks: list[Block]) -> str:
    return "\n\n".join(_question_text(b) for b in blocks)


def answer_text(blocks: list[Block]) -> str:
    return _join(blocks)
