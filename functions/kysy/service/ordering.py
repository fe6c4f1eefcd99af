"""The order readers see a post's answers in: one rule for the reader API, the fragment and exports.

A record's place is its answer time (``answered_at``; a record without one: when it was asked),
newest or oldest first as the post's ``order`` says. Ties are broken by ``created_at`` and then
the id, both ascending under EITHER order: an imported post answers all its pairs at the post's
date and records each pair's position in ``created_at`` (see ``service.imports``), so the post
reads pair 1 first both ways, while answers published later come before it (``newest``) or after
it (``oldest``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kysy.models import QA

KEY_FIELDS = ("answered_at", "created_at", "id")


def reading_key(qa: QA) -> tuple[str, ...]:
    """(answer time, created time, id) as ``KEY_FIELDS`` names them; compare with ``shown_before`` (the
    directions differ), never as a plain tuple."""
    return (qa.answered_at or qa.created_at, qa.created_at, qa.id)


def in_reading_order(records: Iterable[QA], *, newest: bool) -> list[QA]:
    """The records as readers see them. Two stable sorts: the tie-breakers ascending first, then the
    answer time in the chosen direction (a reversed stable sort keeps equal keys in their order)."""
    out = sorted(records, key=lambda qa: (qa.created_at, qa.id))
    out.sort(key=lambda qa: qa.answered_at or qa.created_at, reverse=newest)
    return out


def shown_before(a: tuple[str, ...], b: tuple[str, ...], *, newest: bool) -> bool:
    """Whether the record with key ``a`` comes before the one with key ``b`` (the same rule as
    ``in_reading_order``; a cursor holds the last key shown and the next page starts after it)."""
    if a[0] != b[0]:
        return a[0] > b[0] if newest else a[0] < b[0]
    return a[1:] < b[1:]
