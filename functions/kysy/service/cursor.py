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
    body = json.dumps({"s": scope, "k": last_id}, separators=(",", ":")).encode()
    sig = hmac.new(secret.encode(), body, hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(sig + body).decode().rstrip("=")


def decode_cursor(secret: str, scope: str, cursor: str) -> str:
    """Return the last id in ``cursor`` if it was issued by us for ``scope``."""
    invalid = InvalidCursor("The page cursor is not valid for this list. Start again from the first page.")
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
