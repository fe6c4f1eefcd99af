"""Domain errors. They know nothing about HTTP; ``kysy.api.errors`` maps them to responses."""

from __future__ import annotations

from typing import Any


class KysyError(Exception):
    """Base of every error a client can cause or meet; ``code`` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationFailed(KysyError):
    code = "invalid_input"


class InvalidCursor(KysyError):
    code = "invalid_cursor"


class PayloadTooLarge(KysyError):
    code = "payload_too_large"


class NotFound(KysyError):
    code = "not_found"


class Unauthorized(KysyError):
    code = "unauthorized"


class Forbidden(KysyError):
    code = "forbidden"


class PostClosed(Forbidden):
    code = "post_closed"


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"


class Conflict(KysyError):
    code = "conflict"


QUESTION_CHANGED = (
    "Someone else changed this question since you opened it. Compare your text with the current version and save again."
)


class VersionConflict(Conflict):
    """Optimistic locking lost: ``current`` is the record as stored now, so nothing is overwritten blindly."""

    code = "version_conflict"

    def __init__(self, message: str, *, current: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.current = current


class RetryableError(KysyError):
    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, retry_after)


class RateLimited(RetryableError):
    code = "rate_limited"


class Unavailable(RetryableError):
    code = "unavailable"


class RequestInProgress(RetryableError):
    """The same idempotent request is being processed right now."""

    code = "request_in_progress"


class IndexVersionMoved(Conflict):
    """Another indexer appended to the search index's change log first (it retries from there)."""

    code = "index_version_moved"
