"""Input rules shared by the reader and editor paths."""

from __future__ import annotations

import re

from kysy.errors import ValidationFailed
from kysy.ids import is_valid_id
from kysy.models import ORDERS
from kysy.text import clean_text

QUESTION_MIN = 3
QUESTION_MAX = 2000
ANSWER_MAX = 10_000
NAME_MAX = 80
EMAIL_MAX = 254
TITLE_MAX = 300
REASON_MAX = 500
# Letters (any script), digits and - _ . ~ : what blog slugs are made of. '#' and '/' never pass,
# so a post id can never reach into another key.
_POST_ID = re.compile(r"^[^\W_][\w.~-]{0,127}$")


def post_id(value: str) -> str:
    if not _POST_ID.fullmatch(value) or "#" in value:
        raise ValidationFailed(
            "The post id may only contain letters, digits, '-', '_', '.' and '~' (at most 128 characters).",
            code="invalid_post_id",
        )
    return value


def order(value: str) -> str:
    if value not in ORDERS:
        raise ValidationFailed(f"order must be one of: {', '.join(ORDERS)}.", code="invalid_order")
    return value


def record_id(value: str) -> str:
    if not is_valid_id(value):
        raise ValidationFailed("That question id is not valid.", code="invalid_id")
    return value


def question(value: str) -> str:
    text = clean_text(value)
    if len(text) < QUESTION_MIN:
        raise ValidationFailed(
            f"Please write a question of at least {QUESTION_MIN} characters.", code="question_too_short"
        )
    if len(text) > QUESTION_MAX:
        raise ValidationFailed(
            f"The question is {len(text)} characters long; the limit is {QUESTION_MAX}.", code="question_too_long"
        )
    return text


def answer(value: str) -> str:
    text = clean_text(value)
    if len(text) > ANSWER_MAX:
        raise ValidationFailed(f"The answer is longer than {ANSWER_MAX} characters.", code="answer_too_long")
    return text


def name(value: str | None) -> str:
    text = clean_text(value or "", multiline=False)
    if len(text) > NAME_MAX:
        raise ValidationFailed(f"The name may be at most {NAME_MAX} characters.", code="name_too_long")
    return text


def short_text(value: str | None, *, limit: int, field: str) -> str:
    text = clean_text(value or "", multiline=False)
    if len(text) > limit:
        raise ValidationFailed(f"The {field} may be at most {limit} characters.", code=f"{field}_too_long")
    return text


def email(value: str | None) -> str:
    raw = clean_text(value or "", multiline=False)
    if not raw:
        return ""
    if len(raw) > EMAIL_MAX:
        raise ValidationFailed("That email address is too long.", code="invalid_email")
    # Imported here: only a submission with an address needs it (~20 ms of a cold start otherwise).
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationFailed(
            "That email address does not look valid. Check it, or leave the field empty.", code="invalid_email"
        ) from error
