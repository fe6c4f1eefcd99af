"""Input rules shared by the reader and editor paths.

Each rule is stated once, here, as constants and regular expressions; the API contract
(``kysy.api.contract``) publishes the same constants and patterns in the OpenAPI documents, so
what the documents promise is exactly what these functions enforce. Two conventions keep the two
readings identical:

* Lengths are counted on the text as sent (before cleaning), like JSON Schema's ``maxLength``.
* Patterns use explicit character ranges only (no ``\\w``, ``\\d``, ``\\s``, ``.``) and are matched
  whole: ECMA-262 (what OpenAPI tools use) and Python's ``re`` then read them the same way.
"""

from __future__ import annotations

import re

from kysy.errors import ValidationFailed
from kysy.ids import RECORD_ID_PATTERN
from kysy.models import ORDERS
from kysy.text import INVISIBLE, clean_text

QUESTION_MIN = 3  # visible characters (letters, digits, punctuation: not spaces or control characters)
QUESTION_MAX = 2000
ANSWER_MAX = 10_000
NAME_MAX = 80
EMAIL_MAX = 254
TITLE_MAX = 300
REASON_MAX = 500
URL_MAX = 2000
POST_ID_MAX = 128
QUERY_MAX = 2000  # search text as sent; the engine reads at most its first MAX_QUERY_CHARS
IDEMPOTENCY_KEY_MAX = 128
PAGE_MAX = 100  # list pages (widget list, editor queue)
SEARCH_MAX = 50
SIMILAR_MAX = 20

# Letters (ASCII and Latin with diacritics: å, ä, ö, é, ß, ...), digits and - _ . ~ : what blog slugs
# are made of (a slug in another script reaches us percent-encoded, and '%' is refused). '#' and '/'
# never pass, so a post id can never reach into another key.
_SLUG_LETTER = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
POST_ID_PATTERN = f"^[{_SLUG_LETTER}][{_SLUG_LETTER}._~-]{{0,{POST_ID_MAX - 1}}}$"
_VISIBLE = f"[^{INVISIBLE}]"
_ANY = "[\\s\\S]"


def min_visible_pattern(count: int) -> str:
    """A pattern (search semantics, as in JSON Schema) for "at least ``count`` visible characters"."""
    return f"{_VISIBLE}{_ANY}*" * (count - 1) + _VISIBLE


QUESTION_PATTERN = min_visible_pattern(QUESTION_MIN)
VISIBLE_PATTERN = min_visible_pattern(1)
FLAG_PATTERN = "^(?:\\*|[a-z][a-z_]{0,31})$"  # a flag code (links, caps, ...) or * for any flag
CLIENT_PATTERN = "^[0-9a-f]{32}$"  # a client hash as shown on a queued question
URL_PATTERN = "^ *(?:https?://[^\\x00-\\x20\\x7f]+)? *$"  # empty, or http(s); spaces around are trimmed
IDEMPOTENCY_KEY_PATTERN = f"^[ \\t]*[!-~]{{1,{IDEMPOTENCY_KEY_MAX}}}[ \\t]*$"  # printable ASCII, no spaces


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# What email_validator (the enforcer) refuses beyond address syntax (JSON Schema's `format: email`):
# special-use domains (.test, .local, ...), a domain without a dot, a top-level domain not ending in
# a letter. Stated as a pattern for the contract; ``email()`` below leaves the check to the library.
# The library's SPECIAL_USE_DOMAIN_NAMES, copied so a cold start does not import it (~50 ms);
# tests/unit/test_hardening.py fails when the library's list changes.
SPECIAL_USE_DOMAIN_NAMES = ("arpa", "invalid", "local", "localhost", "onion", "test")
_RESERVED = "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
EMAIL_PATTERN = f"^(?!{_ANY}*[.@](?:{_RESERVED})$){_ANY}*@{_ANY}*\\.{_ANY}*[^\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]$"

_POST_ID = re.compile(POST_ID_PATTERN)
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
# Python alone also reads what no published pattern can spell portably: lone surrogates (only a
# JSON escape makes one) and the format characters beyond the BMP (tags, ...); invisible too.
_ASTRAL_FORMAT = (
    "\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a"
    "\\U000e0001\\U000e0020-\\U000e007f"
)
_VISIBLE_CHAR = re.compile(f"[^{INVISIBLE}\\ud800-\\udfff{_ASTRAL_FORMAT}]")
_URL = re.compile(URL_PATTERN)
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def post_id(value: str) -> str:
    if not _POST_ID.fullmatch(value):
        raise ValidationFailed(
            f"The post id may only contain letters, digits, '-', '_', '.' and '~' (at most {POST_ID_MAX} characters).",
            code="invalid_post_id",
        )
    return value


def order(value: str) -> str:
    if value not in ORDERS:
        raise ValidationFailed(f"order must be one of: {', '.join(ORDERS)}.", code="invalid_order")
    return value


def record_id(value: str) -> str:
    if not _RECORD_ID.fullmatch(value):
        raise ValidationFailed("That question id is not valid.", code="invalid_id")
    return value


def visible_count(value: str) -> int:
    return len(_VISIBLE_CHAR.findall(value))


def question(value: str) -> str:
    if len(value) > QUESTION_MAX:
        raise ValidationFailed(
            f"The question is {len(value)} characters long; the limit is {QUESTION_MAX}.", code="question_too_long"
        )
    if visible_count(value) < QUESTION_MIN:
        raise ValidationFailed(
            f"Please write a question of at least {QUESTION_MIN} characters.", code="question_too_short"
        )
    return clean_text(value)


def answer(value: str) -> str:
    if len(value) > ANSWER_MAX:
        raise ValidationFailed(f"The answer is longer than {ANSWER_MAX} characters.", code="answer_too_long")
    return clean_text(value)


def name(value: str | None) -> str:
    return short_text(value, limit=NAME_MAX, field="name")


def short_text(value: str | None, *, limit: int, field: str) -> str:
    if value is not None and len(value) > limit:
        raise ValidationFailed(f"The {field} may be at most {limit} characters.", code=f"{field}_too_long")
    return clean_text(value or "", multiline=False)


def url(value: str) -> str:
    if len(value) > URL_MAX or not _URL.fullmatch(value):
        raise ValidationFailed("The post URL must start with https:// or http://.", code="invalid_url")
    return value.strip(" ")


def search_text(value: str) -> str:
    """A search must contain something to search for; it is cleaned and cut by the search service."""
    if len(value) > QUERY_MAX:
        raise ValidationFailed(
            f"The search text is too long; use at most {QUERY_MAX} characters.", code="query_too_long"
        )
    if not visible_count(value):
        raise ValidationFailed("Write something to search for.", code="query_required")
    return value


def idempotency_key(value: str) -> str:
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise ValidationFailed(
            f"The Idempotency-Key header must be 1-{IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces.",
            code="invalid_idempotency_key",
        )
    return value.strip(" \t")


def email(value: str | None) -> str:
    """An address as sent (the widget trims it), or none: absent, null or empty."""
    if not value:
        return ""
    if len(value) > EMAIL_MAX:
        raise ValidationFailed("That email address is too long.", code="invalid_email")
    # Imported here: only a submission with an address needs it (~20 ms of a cold start otherwise).
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationFailed(
            "That email address does not look valid. Check it, or leave the field empty.", code="invalid_email"
        ) from error
