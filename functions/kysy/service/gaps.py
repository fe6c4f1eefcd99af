"""What readers could not find: searches that found nothing, or showed results nobody opened.

Counted per post, ISO week and normalised query, kept 90 days, and nothing else: no IP, no client
hash, no user, no time finer than the week. The query is normalised (NFC, casefold, one space) and
anything that looks like an email address, a phone number, a personal identity code or a long
number is replaced by a placeholder before it is stored, because readers do type such things into
search boxes. Editors list the gaps by count and turn one into a draft question.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kysy.errors import Forbidden, InvalidCursor, NotFound, RateLimited, Unavailable, ValidationFailed
from kysy.repository.gaps import GAP_KINDS, GapReport, ReporterLimit
from kysy.service import validation
from kysy.service.cursor import decode_cursor, encode_cursor
from kysy.service.questions import check_origin, client_key
from kysy.text import clean_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from kysy.repository import Store
    from kysy.settings import Settings

RETENTION_DAYS = 90
QUERY_MAX = 100  # characters of a normalised query that are kept
MAX_ITEMS = 10_000  # gap items one listing reads at most (13 weeks of a busy blog fit many times)
PAGE_DEFAULT = 25
PAGE_MAX = 100
DAY = 86_400

# Placeholders stay readable for editors and can never be mistaken for what they replace.
_REDACTIONS = (
    (re.compile(r"\S+@\S+"), "[email]"),
    # Finnish personal identity code (ddmmyy, century sign, 3 digits, check character)
    (re.compile(r"\b\d{6}[-+a-fu-y]\d{3}[0-9a-z]\b"), "[id]"),
    # 7+ digits with spaces, dashes, dots or brackets between them, optionally after "+": a phone number
    (re.compile(r"(?:\+|\b)\d(?:[ ().-]{0,2}\d){6,}"), "[phone]"),
    (re.compile(r"\d{5,}"), "[number]"),
)
_PLACEHOLDER = re.compile(r"\[(?:email|id|phone|number)\]")
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The form a search is counted in: NFC, casefolded, one space, personal-looking parts redacted,
    at most ``QUERY_MAX`` characters; "" when nothing worth counting is left."""
    folded = unicodedata.normalize("NFC", clean_text(text, multiline=False).casefold())
    for pattern, placeholder in _REDACTIONS:
        folded = pattern.sub(placeholder, folded)
    folded = _SPACES.sub(" ", folded).strip()
    if len(folded) > QUERY_MAX:
        cut = folded[:QUERY_MAX]
        folded = (cut.rsplit(" ", 1)[0] if " " in cut else cut).strip()
        folded = folded if not folded.endswith("[") else folded[:-1].strip()
    meaningful = sum(c.isalnum() for c in _PLACEHOLDER.sub("", folded))
    return folded if meaningful >= 2 else ""


def iso_week(epoch: float) -> tuple[str, float]:
    """("2026-W19", the epoch second that week began) for a moment, in UTC."""
    day = datetime.fromtimestamp(epoch, UTC)
    year, week, weekday = day.isocalendar()
    start = (day - timedelta(days=weekday - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{year}-W{week:02d}", start.timestamp()


@dataclass
class _Row:
    post_id: str
    query: str
    no_results: int = 0
    not_opened: int = 0
    weeks: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.no_results + self.not_opened

    def sort_key(self) -> tuple[int, str, str, str]:
        # Most searched first; among equals the most recent, then by post and text (stable pages).
        last = max(self.weeks)
        return (-self.count, _invert(last), self.post_id, self.query)

    def as_dict(self) -> dict[str, Any]:
        weeks = sorted(self.weeks.items(), reverse=True)
        return {
            "post_id": self.post_id,
            "query": self.query,
            "count": self.count,
            "no_results": self.no_results,
            "not_opened": self.not_opened,
            "last_week": weeks[0][0],
            "weeks": [{"week": w, "count": c} for w, c in weeks],
        }


def _invert(week: str) -> str:
    """A string that sorts in reverse order of ``week`` (ISO weeks are fixed-width digits)."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in week)


class GapService:
    def __init__(self, store: Store, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    # ================================================================ readers
    def report(self, post_id: str, query: str, *, kind: str, ip: str, origin: str | None) -> bool:
        """Count one search of a post that found nothing (``no_results``) or whose results nobody
        opened (``not_opened``). False when the text holds nothing worth counting. RateLimited when
        this client has reported many today."""
        validation.post_id(post_id)
        check_origin(self.settings, origin)
        if kind not in GAP_KINDS:
            raise ValidationFailed(f"kind must be one of: {', '.join(GAP_KINDS)}.", code="invalid_kind")
        text = normalise_query(validation.search_text(query))
        if not text:
            return False
        if not self.settings.auto_create_posts and self.store.get_post(post_id) is None:
            raise NotFound("There is no such post.", code="post_not_found")
        now = self.clock()
        week, week_start = iso_week(now)
        end_of_day = DAY - int(now) % DAY
        day = time.strftime("%Y%m%d", time.gmtime(now))
        self.store.count_gap(
            GapReport(
                post_id=post_id,
                week=week,
                query=text,
                kind=kind,
                expires=int(week_start) + RETENTION_DAYS * DAY,  # at most 90 days after the search
            ),
            ReporterLimit(
                # A pseudonym of its own per day: it cannot be joined with the client hash on questions,
                # nor with the same reader's reports of another day.
                client=client_key(self.settings.secret, f"gaps:{day}:{ip}"),
                day=day,
                per_day=self.settings.gap_reports_per_day,
                expires=int(now) + end_of_day + DAY,
                retry_after=end_of_day,
            ),
        )
        return True

    def note_search(self, post_id: str | None, query: str, *, hits: int, ip: str, origin: str | None) -> bool:
        """After a reader's search of one post: count it when it found nothing. Statistics never fail a
        search: over the client's daily cap, or with the table busy, the search is simply not counted."""
        if post_id is None or hits:
            return False
        try:
            return self.report(post_id, query, kind="no_results", ip=ip, origin=origin)
        except (RateLimited, Unavailable, NotFound, Forbidden):  # over the cap, busy, unknown post, other site
            return False

    # ================================================================ editors
    def page(self, *, post_id: str | None, limit: int | None, cursor: str | None) -> dict[str, Any]:
        """Gaps grouped by post and query (counts summed over the weeks kept), most searched first."""
        if post_id is not None:
            validation.post_id(post_id)
        size = PAGE_DEFAULT if limit is None else limit
        if not 1 <= size <= PAGE_MAX:
            raise ValidationFailed(f"limit must be between 1 and {PAGE_MAX}.", code="invalid_limit")
        scope = f"gaps:{post_id or '*'}"
        after = tuple(_cursor_key(decode_cursor(self.settings.secret, scope, cursor))) if cursor else None
        counts, truncated = self.store.gap_counts(post_id=post_id, now=self.clock(), max_items=MAX_ITEMS)
        rows: dict[tuple[str, str], _Row] = {}
        for c in counts:
            row = rows.setdefault((c.post_id, c.query), _Row(c.post_id, c.query))
            row.no_results += c.no_results
            row.not_opened += c.not_opened
            row.weeks[c.week] = row.weeks.get(c.week, 0) + c.no_results + c.not_opened
        ordered = sorted((r for r in rows.values() if r.count > 0), key=_Row.sort_key)
        if after is not None:
            ordered = [r for r in ordered if r.sort_key() > after]
        page = ordered[:size]
        more = len(ordered) > size
        return {
            "items": [r.as_dict() for r in page],
            "next_cursor": encode_cursor(self.settings.secret, scope, _cursor_text(page[-1].sort_key()))
            if more
            else None,
            "truncated": truncated,
        }

    def dismiss(self, post_id: str, query: str) -> int:
        """Forget one gap (every week of it). Readers who search for it again count again."""
        validation.post_id(post_id)
        text = normalise_query(validation.search_text(query))
        return self.store.delete_gaps(post_id, text) if text else 0  # no such text is ever counted


def _cursor_text(key: tuple[int, str, str, str]) -> str:
    count, week, post_id, query = key
    return "\t".join((str(count), week, post_id, query))


def _cursor_key(text: str) -> tuple[int, str, str, str]:
    parts = text.split("\t", 3)
    if len(parts) != 4 or not parts[0].lstrip("-").isdigit():
        raise InvalidCursor("The page cursor is not valid for this list. Start again from the first page.")
    return int(parts[0]), parts[1], parts[2], parts[3]
