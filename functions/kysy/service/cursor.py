"""Opaque, tamper-checked pagination cursors.

A cursor names the post it belongs to and the last id seen, signed with HMAC-SHA256 under the
deployment's secret: a forged, truncated or foreign (other post, other list) cursor is refused
before any read happens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from kysy.errors import InvalidCursor

_SIG_BYTES = 16
CURSOR_MAX = 512


def encode_cursor(secret: str, scope: str, last_id: str) -> str:
    # UTF-8, not \u escapes: a post id of 128 letters such as "ä" still fits in CURSOR_MAX.
    body = json.dumps({"s": scope, "k": last_id}, separators=(",", ":"), ensure_ascii=False).encode()
    sig = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(sig + body).decode().rstrip("=")


def _invalid() -> InvalidCursor:
    return InvalidCursor("The page cursor is not valid for this list. Start again from the first page.")


def encode_key_cursor(secret: str, scope: str, key: tuple[str, ...]) -> str:
    """A cursor holding a sort key of several strings (e.g. a time, another time, an id)."""
    return encode_cursor(secret, scope, json.dumps(key, separators=(",", ":"), ensure_ascii=False))


def decode_key_cursor(secret: str, scope: str, cursor: str, parts: int) -> tuple[str, ...]:
    """The key in ``cursor`` (``parts`` strings) if it was issued by us for ``scope``."""
    try:
        key = json.loads(decode_cursor(secret, scope, cursor))
    except ValueError as error:
        raise _invalid() from error
    if not (isinstance(key, list) and len(key) == parts and all(isinstance(part, str) for part in key)):
        raise _invalid()
    return tuple(key)


def decode_cursor(secret: str, scope: str, cursor: str) -> str:
    """Return the last id in ``cursor`` if it was issued by us for ``scope``."""
    invalid = _invalid()
    if len(cursor) > CURSOR_MAX:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sig, body = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIG_BYTES]
        if not hmac.compare_digest(sig, expected):
            raise invalid
        data = json.loads(body)
    except (ValueError, TypeError) as error:
        raise invalid from error
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("k"), str):
        raise invalid
    return str(data["k"])
