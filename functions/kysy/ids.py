"""Time-sortable record ids (ULIDs): the editors' queue sorts by id, oldest first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

# python-ulid is imported by the functions that use it: the widget's view needs no ids, and the
# reader's cold start is shorter without it.

# A ULID as this code writes it: 26 upper-case Crockford base32 characters, the first at most 7
# (48-bit timestamp). The API contract publishes this pattern for every record id.
RECORD_ID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$"
_RECORD_ID = re.compile(RECORD_ID_PATTERN)


def new_id(at: datetime | None = None) -> str:
    from ulid import ULID

    return str(ULID.from_datetime(at) if at is not None else ULID())


def is_valid_id(value: str) -> bool:
    return bool(_RECORD_ID.fullmatch(value))
