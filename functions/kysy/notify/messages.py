"""Email and digest texts (Finnish or English by the post's language). No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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


@dataclass(frozen=True)
class _Texts:
    subject: dict[AskerEvent, str]
    lead: dict[AskerEvent, str]
    read: str
    greeting: str
    you_asked: str
    footer: str


_TEXTS = {
    "fi": _Texts(
        subject={
            AskerEvent.ANSWERED: "Kysymykseesi on vastattu",
            AskerEvent.DUPLICATE: "Kysymykseesi on jo vastaus",
        },
        lead={
            AskerEvent.ANSWERED: "Kysymykseesi on nyt vastattu.",
            AskerEvent.DUPLICATE: "Kysymykseesi oli jo vastattu aiemmin, joten emme julkaise sitä erikseen.",
        },
        read="Lue vastaus:",
        greeting="Hei",
        you_asked="Kysyit:",
        footer=(
            "Saat tämän yhden viestin, koska pyysit ilmoitusta vastauksesta. "
            "Sähköpostiosoitteesi on nyt poistettu järjestelmästämme."
        ),
    ),
    "en": _Texts(
        subject={
            AskerEvent.ANSWERED: "Your question has been answered",
            AskerEvent.DUPLICATE: "Your question already has an answer",
        },
        lead={
            AskerEvent.ANSWERED: "Your question has now been answered.",
            AskerEvent.DUPLICATE: "Your question had already been answered, so we will not publish it separately.",
        },
        read="Read the answer:",
        greeting="Hi",
        you_asked="You asked:",
        footer=(
            "You get this one message because you asked to be told about the answer. "
            "Your email address has now been deleted from our system."
        ),
    ),
}


def language(post: Post | None) -> str:
    lang = (post.lang if post else "fi").lower()
    return "fi" if lang.startswith("fi") else "en"


@dataclass(frozen=True)
class AskerEmail:
    subject: str
    body: str


def asker_email_text(qa: QA, post: Post | None, event: AskerEvent, public_base_url: str) -> AskerEmail:
    texts = _TEXTS[language(post)]
    target = qa.duplicate_of if event is AskerEvent.DUPLICATE and qa.duplicate_of else qa.id
    link = answer_link(post, target, public_base_url)
    title = _header(post.title) if post and post.title else ""
    name = _header(qa.asker_name)
    lines = [
        f"{texts.greeting} {name}," if name else f"{texts.greeting},",
        "",
        texts.lead[event],
        "",
        texts.you_asked,
        f"  “{excerpt(qa.question, 300)}”",
    ]
    if title:
        lines += ["", title]
    if link:
        lines += ["", texts.read, link]
    lines += ["", "-- ", texts.footer, ""]
    subject = texts.subject[event]
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
