"""Time-sortable record ids (ULIDs): the editors' queue sorts by id, oldest first."""

from __future__ import annotations

from datetime import datetime

from ulid import ULID


def new_id(at: datetime | None = None) -> str:
    return str(ULID.from_datetime(at) if at is not None else ULID())


def is_valid_id(value: str) -> bool:
    try:
        ULID.from_str(value)
    except ValueError:
        return False
    return True
