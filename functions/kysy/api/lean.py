"""Keep FastAPI from importing optional modules Kysy does not use, at every cold start.

FastAPI imports ``email_validator`` (when installed) only to type the ``email`` fields of its own
OpenAPI models, and asks of every route parameter and response model whether it is a
``pydantic.v1`` model, importing the v1 compatibility package to find out. Together that is
~40 ms of a reader cold start for nothing: Kysy uses pydantic v2 only, and validates addresses
itself (``kysy.service.validation.email`` imports ``email_validator`` when a question carries one).

While FastAPI is imported and the routes are built, both modules are marked absent in
``sys.modules``; FastAPI handles their absence (its documented fallbacks: a plain ``str`` for
``EmailStr`` in its OpenAPI models, "not a v1 model"). Afterwards they are importable again.
Modules already imported are left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

OPTIONAL = ("email_validator", "pydantic.v1")


@contextmanager
def without_optional_modules() -> Iterator[None]:
    hidden = [name for name in OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" now raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
