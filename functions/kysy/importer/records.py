"""Export records as json/csv/md and read those exports back (the round trip the CLI relies on)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Literal

from kysy.importer.lang import detect_language
from kysy.importer.model import ImportFailed, Pair, ParsedPost, Unplaced

FIELDS = ("id", "question", "answer", "status", "asker_name", "asked_at", "answered_at")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def export_records(post: dict[str, Any], records: list[dict[str, Any]], fmt: Literal["json", "csv", "md"]) -> str:
    """Serialise a post's records. Each format can be read back with ``parse_post`` to the same pairs."""
    if fmt == "json":
        rows = [{key: record.get(key) for key in FIELDS} for record in records]
        return json.dumps({"post": post, "records": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for record in records:
            writer.writerow([_csv_safe(_text(record.get(key))) for key in FIELDS])
        return buffer.getvalue()
    if fmt == "md":
        return _markdown(post, records)
    raise ImportFailed("unknown_format", f"Unknown export format {fmt!r}: use json, csv or md.")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading ' keeps them text."""
    return "'" + value if value.startswith(_FORMULA) else value


def _csv_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value


def _md_escape(paragraph: str) -> str:
    """Keep answer paragraphs from reading as headings/markers when the export is parsed again."""
    if paragraph.startswith("#") and re.match(r"#{1,6}\s", paragraph):
        return "\\" + paragraph
    return paragraph


def _markdown(post: dict[str, Any], records: list[dict[str, Any]]) -> str:
    lines = ["---", "kysy-questions: ##"]
    for key in ("id", "title", "date", "lang"):
        value = _text(post.get(key)).replace("\n", " ").strip()
        if value:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines += ["---", ""]
    if post.get("title"):
        lines += [f"# {_text(post['title'])}", ""]
    for paragraph in post.get("intro") or []:
        lines += [_md_escape(_text(paragraph)), ""]
    for record in records:
        question = " ".join(_text(record.get("question")).split())
        lines += [f"## {question}", ""]
        answer = _text(record.get("answer")).strip()
        if answer:
            lines += ["\n\n".join(_md_escape(p) for p in answer.split("\n\n")), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def parse_records(text: str, *, fmt: str, lang: str | None) -> ParsedPost:
    """Read a json or csv export back: one pair per record with an answer, the rest reported."""
    post: dict[str, Any] = {}
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed("invalid_json", f"The JSON is not valid (line {exc.lineno}: {exc.msg}).") from None
        if isinstance(data, list):
            rows: list[Any] = data
        elif isinstance(data, dict) and isinstance(data.get("records"), list):
            rows = data["records"]
            meta = data.get("post")
            post = meta if isinstance(meta, dict) else {}
        else:
            raise ImportFailed("invalid_json", 'Expected {"post": {...}, "records": [...]} or a list of records.')
    else:
        reader = csv.DictReader(io.StringIO(text))
        names = {name.strip().lower(): name for name in reader.fieldnames or []}
        q_key = names.get("question") or names.get("kysymys")
        a_key = names.get("answer") or names.get("vastaus")
        if q_key is None:
            raise ImportFailed("invalid_csv", "The CSV needs a header row with a 'question' column.")
        rows = [
            {
                "question": _csv_unsafe(row.get(q_key) or ""),
                "answer": _csv_unsafe(row.get(a_key) or "") if a_key else "",
            }
            for row in reader
        ]
    pairs: list[Pair] = []
    report: list[Unplaced] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ImportFailed("invalid_records", f"Record {index + 1} is not an object.")
        question, answer = _text(row.get("question")).strip(), _text(row.get("answer")).strip()
        if question and answer:
            pairs.append(Pair(question, answer, len(pairs)))
        elif question:
            report.append(Unplaced(question, "question_without_answer", index))
        elif answer:
            report.append(Unplaced(answer, "answer_without_question", index))
    intro = [str(p) for p in post.get("intro") or [] if isinstance(p, str)]
    language = lang or _text(post.get("lang")) or detect_language(" ".join(p.question + " " + p.answer for p in pairs))
    title = _text(post.get("title")) or None
    date = _text(post.get("date")) or None
    return ParsedPost(title, date, intro, language, fmt, pairs, report)
