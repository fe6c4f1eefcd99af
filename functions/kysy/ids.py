"""Time-sortable record ids (ULIDs): the editors' queue sorts by id, oldest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

# python-ulid is imported by the functions that use it: the widget's view needs no ids, and the
# reader's cold start is shorter without it.


def new_id(at: datetime | None = None) -> str:
    from ulid import ULID

    return str(ULID.from_datetime(at) if at is not None else ULID())


def is_valid_id(value: str) -> bool:
    from ulid import ULID

    try:
        ULID.from_str(value)
    except ValueError:
        return False
    return True
