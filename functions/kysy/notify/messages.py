"""Email and digest texts. Asker emails speak the post's language (texts from ``kysy.i18n``); the editors'
digest is in English. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kysy import i18n
from kysy.models import QA, Post
from kysy.notify.events import AskerEvent

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_SPACE = re.compile(r"\s+")
DIGEST_MAX_LINES = 20


def mask_emails(text: str) -> str:
    """``anna@example.com`` -> ``a***@example.com`` (the same masking as the log filter)."""
    return _EMAIL.sub(r"\1***@\2", text)


def excerpt(text: str, limit: int = 80) -> str:
    """One line, at most ``limit`` characters, addresses masked (questions may contain them)."""
    flat = mask_emails(_SPACE.sub(" ", text).strip())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _header(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:150]


def answer_link(post: Post | None, target_id: str, public_base_url: str) -> str:
    """``<post url or <base>/demo>#kysy-<id>``: the widget scrolls to and opens that answer."""
    page = (post.url if post and post.url else "") or (f"{public_base_url.rstrip('/')}/demo" if public_base_url else "")
    return f"{page}#kysy-{target_id}" if page else ""


def language(post: Post | None) -> str:
    """The post's language as the registry knows it (an unknown one gets the default language)."""
    return i18n.resolve(post.lang if post else None)


@dataclass(frozen=True)
class AskerEmail:
    subject: str
    body: str


def asker_email_text(qa: QA, post: Post | None, event: AskerEvent, public_base_url: str) -> AskerEmail:
    texts = i18n.strings(language(post), "email")
    kind = event.value  # "answered" | "duplicate": the keys subject_<kind>, lead_<kind>
    target = qa.duplicate_of if event is AskerEvent.DUPLICATE and qa.duplicate_of else qa.id
    link = answer_link(post, target, public_base_url)
    title = _header(post.title) if post and post.title else ""
    name = _header(qa.asker_name)
    lines = [
        f"{texts['greeting']} {name}," if name else f"{texts['greeting']},",
        "",
        texts[f"lead_{kind}"],
        "",
        texts["you_asked"],
        f"  “{excerpt(qa.question, 300)}”",
    ]
    if title:
        lines += ["", title]
    if link:
        lines += ["", texts["read"], link]
    lines += ["", "-- ", texts["footer"], ""]
    subject = texts[f"subject_{kind}"]
    return AskerEmail(subject=_header(f"{subject}: {title}" if title else subject), body="\n".join(lines))


def build_email(sender: str, recipient: str, text: AskerEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = text.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "kysy.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body)
    return message


@dataclass(frozen=True)
class Digest:
    subject: str  # ASCII, < 100 characters (an SNS Subject)
    text: str
    count: int


def digest_text(questions: list[QA], public_base_url: str) -> Digest:
    """ONE message for a batch: "3 new questions: ..." with post ids, excerpts and the editor link."""
    count = len(questions)
    noun = "question" if count == 1 else "questions"
    lines = [f"{count} new {noun} waiting for an answer:", ""]
    for qa in questions[:DIGEST_MAX_LINES]:
        lines.append(f"- [{qa.post_id}] {excerpt(qa.question)}")
    if count > DIGEST_MAX_LINES:
        lines.append(f"… and {count - DIGEST_MAX_LINES} more")
    if public_base_url:
        lines += ["", f"Answer them in the editor: {public_base_url.rstrip('/')}/editor/"]
    return Digest(subject=f"Kysy: {count} new {noun}", text="\n".join(lines), count=count)
