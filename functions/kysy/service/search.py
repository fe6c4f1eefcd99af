"""Search over published records (and, for editors, pending ones), behind one backend interface.

``SearchService`` holds the rules (limits, query hygiene, what an editor's duplicate suggestions
are made of) and depends on a ``SearchBackend`` only: the in-process snapshot index
(``kysy.service.search_index.SnapshotSearch``) is one; a deployment that outgrows it (see
bench/README.md) adds one class that asks an OpenSearch domain instead, and wires it in
``kysy.api.reader`` / ``kysy.api.editor``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kysy.errors import Unavailable, ValidationFailed
from kysy.service import validation
from kysy.text import clean_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from kysy.models import QA
    from kysy.repository import Store
    from kysy.search import SearchHit
    from kysy.settings import Settings

MAX_QUERY_CHARS = 500  # kysy.search.MAX_QUERY_CHARS; repeated so the service imports no engine


@dataclass(frozen=True)
class SearchResult:
    """One hit as the API returns it. ``highlights`` are ``(field, start, end)`` character ranges
    into ``question`` (field "question") or ``snippet`` (field "snippet")."""

    id: str
    post_id: str
    question: str
    answer: str
    snippet: str
    score: float
    highlights: list[tuple[str, int, int]] = field(default_factory=list)
    post_title: str = ""
    post_url: str = ""

    @classmethod
    def from_hit(cls, hit: SearchHit, *, post_title: str = "", post_url: str = "") -> SearchResult:
        return cls(
            id=hit.doc.id,
            post_id=hit.doc.post_id,
            question=hit.doc.question,
            answer=hit.doc.answer,
            snippet=hit.snippet,
            score=round(hit.score, 4),
            highlights=[(h.field, h.start, h.end) for h in hit.highlights],
            post_title=post_title,
            post_url=post_url,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "post_id": self.post_id,
            "post_title": self.post_title,
            "post_url": self.post_url,
            "question": self.question,
            "answer": self.answer,
            "snippet": self.snippet,
            "score": self.score,
            "highlights": [{"field": f, "start": s, "end": e} for f, s, e in self.highlights],
        }


class SearchBackend(Protocol):
    """Ranked search over the published records. ``text`` is already cleaned and bounded."""

    def search(self, text: str, *, post_id: str | None, limit: int, prefix_last: bool) -> list[SearchResult]: ...


class DeferredBackend:
    """A backend made at its first search, with the modules behind it: the reader's widget view
    never searches, so a cold start does not import the index's code."""

    def __init__(self, make: Callable[[], SearchBackend]) -> None:
        self._make = make
        self._backend: SearchBackend | None = None
        self._lock = threading.Lock()

    def search(self, text: str, *, post_id: str | None, limit: int, prefix_last: bool) -> list[SearchResult]:
        with self._lock:
            if self._backend is None:
                self._backend = self._make()
            backend = self._backend
        return backend.search(text, post_id=post_id, limit=limit, prefix_last=prefix_last)


def snapshot_backend(store: Store, settings: Settings) -> SearchBackend:
    """The in-process snapshot index (``kysy.service.search_index``), made on first use."""

    def make() -> SearchBackend:
        from kysy.service.search_index import search_backend

        return search_backend(store, settings)

    return DeferredBackend(make)


class SearchService:
    """Cheap to create at cold start: backends load their index (and the engine) on first use."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def search(
        self, query: str, *, post_id: str | None, limit: int | None, prefix_last: bool = False
    ) -> list[dict[str, Any]]:
        size = limit if limit is not None else 10
        if not 1 <= size <= validation.SEARCH_MAX:
            raise ValidationFailed(f"limit must be between 1 and {validation.SEARCH_MAX}.", code="invalid_limit")
        if post_id is not None:
            validation.post_id(post_id)
        validation.search_text(query)
        text = clean_text(query, multiline=False)[:MAX_QUERY_CHARS]
        if not text:
            return []
        hits = self.backend.search(text, post_id=post_id or None, limit=size, prefix_last=prefix_last)
        return [hit.to_dict() for hit in hits]

    def similar_pending(self, qa: QA, candidates: list[QA], *, limit: int = 5) -> list[dict[str, Any]]:
        """Duplicate suggestions for the editor: published answers plus other pending questions.

        Suggestions are a help, not the task: while the published index is unavailable the
        editor still gets the pending look-alikes (and the record itself).
        """
        from kysy.search import SearchDoc, SearchIndex

        text = clean_text(qa.question, multiline=False)[:MAX_QUERY_CHARS]
        try:
            published = self.backend.search(text, post_id=None, limit=limit, prefix_last=False) if text else []
        except Unavailable:
            published = []
        pending = SearchIndex(SearchDoc(c.id, c.post_id, c.question, c.answer, "") for c in candidates if c.id != qa.id)
        queued = [SearchResult.from_hit(h) for h in pending.search(qa.question, limit=limit, prefix_last=False)]
        merged = sorted([*published, *queued], key=lambda h: h.score, reverse=True)
        return [hit.to_dict() for hit in merged[:limit] if hit.id != qa.id]
