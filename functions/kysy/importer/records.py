"""Export records as json/csv/md and read those exports back, keeping what each record is.

Every format carries each record's id, status, asker name, dates and flags, so an export imported
again restores the same statuses (a draft stays a draft, a rejected question stays rejected) and,
into the same post, the same ids. Email addresses are never exported. The Markdown export is
readable and editable by a person; a small front-matter marker tells the importer to read it back
exactly instead of parsing it as a blog post.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Literal

from kysy.importer.lang import detect_language
from kysy.importer.model import ImportFailed, Pair, ParsedPost, RecordMeta, Unplaced

FIELDS = (
    "id",
    "question",
    "answer",
    "status",
    "asker_name",
    "asked_at",
    "answered_at",
    "updated_at",
    "flags",
    "reject_reason",
    "duplicate_of",
    "source",
)
STATUSES = ("published", "pending", "rejected")
EXPORT_MARKER = "kysy-export"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_RECORD_LINE = re.compile(r"^<!-- kysy (\{.*\}) -->$")


def export_records(post: dict[str, Any], records: list[dict[str, Any]], fmt: Literal["json", "csv", "md"]) -> str:
    """Serialise a post's records (any keys besides ``FIELDS`` are left out: never an email)."""
    rows = [_row(record) for record in records]
    if fmt == "json":
        return json.dumps({"post": post, "records": rows}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for row in rows:
            values = [" ".join(row["flags"]) if key == "flags" else _text(row.get(key)) for key in FIELDS]
            writer.writerow([_csv_safe(value) for value in values])
        return buffer.getvalue()
    if fmt == "md":
        return _markdown(post, rows)
    raise ImportFailed("unknown_format", f"Unknown export format {fmt!r}: use json, csv or md.")


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row = {key: record.get(key) for key in FIELDS}
    row["flags"] = [str(f) for f in record.get("flags") or []]
    return row


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading ' keeps them text."""
    return "'" + value if value.startswith(_FORMULA) else value


def _csv_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value


def _md_escape(text: str) -> str:
    """Lines that would read as our own structure ("#", "<!--", "\\") get a backslash in front."""
    return "\n".join("\\" + line if line.startswith(("#", "<!--", "\\")) else line for line in text.split("\n"))


def _md_unescape(text: str) -> str:
    return "\n".join(line[1:] if line.startswith("\\") else line for line in text.split("\n"))


def _markdown(post: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = ["---", f"{EXPORT_MARKER}: 1"]
    for key in ("id", "title", "url", "date", "lang"):
        value = _text(post.get(key)).replace("\n", " ").strip()
        if value:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines += ["---", ""]
    if post.get("title"):
        lines += [f"# {' '.join(_text(post['title']).split())}", ""]
    for paragraph in post.get("intro") or []:
        lines += [_md_escape(_text(paragraph)), ""]
    for row in rows:
        question = " ".join(_text(row.get("question")).split())
        info = {key: row[key] for key in FIELDS if key not in ("question", "answer") and row.get(key)}
        lines += [f"## {question}", f"<!-- kysy {json.dumps(info, ensure_ascii=False)} -->", ""]
        answer = _text(row.get("answer")).strip()
        if answer:
            lines += [_md_escape(answer), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def is_markdown_export(text: str) -> bool:
    head = text.lstrip("\ufeff").split("\n", 3)
    return len(head) > 1 and head[0].strip() == "---" and head[1].strip().startswith(f"{EXPORT_MARKER}:")


def _parse_markdown_export(text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = text.split("\n")
    post: dict[str, Any] = {}
    index = 1
    while index < len(lines) and lines[index].strip() != "---":
        key, _, value = lines[index].partition(":")
        value = value.strip()
        try:
            post[key.strip()] = json.loads(value) if value.startswith('"') else value
        except json.JSONDecodeError:
            post[key.strip()] = value.strip('"')
        index += 1
    body = lines[index + 1 :]
    rows: list[dict[str, Any]] = []
    intro: list[str] = []
    current: dict[str, Any] | None = None
    answer: list[str] = []

    def close() -> None:
        if current is not None:
            current["answer"] = _md_unescape("\n".join(answer).strip("\n"))
            rows.append(current)

    for number, line in enumerate(body):
        following = body[number + 1] if number + 1 < len(body) else ""
        if line.startswith("## ") and _RECORD_LINE.match(following.strip()):
            close()
            info = json.loads(_RECORD_LINE.match(following.strip()).group(1))  # type: ignore[union-attr]
            current, answer = {**info, "question": line[3:].strip()}, []
        elif current is not None:
            if not (_RECORD_LINE.match(line.strip()) and not answer):
                answer.append(line)
        elif line.startswith("# ") and not intro and "title" not in post:
            post["title"] = line[2:].strip()
        elif not line.startswith("# "):
            intro.append(line)
    close()
    post["intro"] = [_md_unescape(p.strip()) for p in "\n".join(intro).split("\n\n") if p.strip()]
    return post, rows


def parse_records(text: str, *, fmt: str, lang: str | None) -> ParsedPost:
    """Read a json, csv or Markdown export back: one pair per record, statuses and ids kept."""
    post: dict[str, Any] = {}
    if fmt == "md":
        post, rows = _parse_markdown_export(text)
    elif fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed("invalid_json", f"The JSON is not valid (line {exc.lineno}: {exc.msg}).") from None
        if isinstance(data, list):
            rows = data
        elif isinstance(data, dict) and isinstance(data.get("records"), list):
            rows = data["records"]
            meta = data.get("post")
            post = meta if isinstance(meta, dict) else {}
        else:
            raise ImportFailed("invalid_json", 'Expected {"post": {...}, "records": [...]} or a list of records.')
    else:
        rows = _csv_rows(text)
    pairs: list[Pair] = []
    report: list[Unplaced] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ImportFailed("invalid_records", f"Record {index + 1} is not an object.")
        question, answer = _text(row.get("question")).strip(), _text(row.get("answer")).strip()
        status = _text(row.get("status")).strip().lower()
        if status and status not in STATUSES:
            raise ImportFailed("invalid_records", f"Record {index + 1} has an unknown status {status!r}.")
        keeps_unanswered = status in ("pending", "rejected")
        if question and (answer or keeps_unanswered):
            pairs.append(
                Pair(question, answer, len(pairs), asker=_text(row.get("asker_name")).strip(), record=_meta(row))
            )
        elif question:
            report.append(Unplaced(question, "question_without_answer", index))
        elif answer:
            report.append(Unplaced(answer, "answer_without_question", index))
    intro = [str(p) for p in post.get("intro") or [] if isinstance(p, str)]
    language = lang or _text(post.get("lang")) or detect_language(" ".join(p.question + " " + p.answer for p in pairs))
    title = _text(post.get("title")) or None
    date = _text(post.get("date")) or None
    return ParsedPost(
        title, date, intro, language, fmt, pairs, report, url=_text(post.get("url")), slug=_text(post.get("id"))
    )


def _meta(row: dict[str, Any]) -> RecordMeta:
    flags = row.get("flags") or []
    if isinstance(flags, str):
        flags = flags.split()
    return RecordMeta(
        id=_text(row.get("id")).strip(),
        status=_text(row.get("status")).strip().lower(),
        asked_at=_text(row.get("asked_at")).strip(),
        answered_at=_text(row.get("answered_at")).strip(),
        flags=tuple(str(f) for f in flags if str(f).strip()),
        reject_reason=_text(row.get("reject_reason")).strip(),
        duplicate_of=_text(row.get("duplicate_of")).strip(),
        source=_text(row.get("source")).strip(),
    )


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    names = {name.strip().lower(): name for name in reader.fieldnames or []}
    aliases = {"question": ("question", "kysymys"), "answer": ("answer", "vastaus")}
    keys = {field: next((names[a] for a in aliases.get(field, (field,)) if a in names), None) for field in FIELDS}
    if keys["question"] is None:
        raise ImportFailed("invalid_csv", "The CSV needs a header row with a 'question' column.")
    rows = []
    for raw in reader:
        rows.append({field: _csv_unsafe(raw.get(key) or "") for field, key in keys.items() if key is not None})
    return rows
