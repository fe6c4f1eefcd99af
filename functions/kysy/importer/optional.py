"""The importer's libraries come with the ``import`` extra and are imported only when used.

They are CLI-only: ``functions/requirements.txt`` (what ``sam build`` ships) does not list them,
and no Lambda handler imports the importer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kysy.importer.model import ImportFailed

EXTRA_HINT = "Install the importer's libraries with: pip install 'kysy[import]'"


@contextmanager
def needs(package: str) -> Iterator[None]:
    """Wrap the imports of an optional library: a missing one becomes a clear ImportFailed."""
    try:
        yield
    except ModuleNotFoundError:
        raise ImportFailed("missing_library", f"Reading this post needs {package}. {EXTRA_HINT}") from None
