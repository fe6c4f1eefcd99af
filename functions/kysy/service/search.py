"""Search over published (and, for editors, pending) records with an in-process index.

The index lives for the life of the Lambda execution environment. Each search costs one
consistent GetItem of the ``SEARCH/VERSION`` item, whatever the corpus size; when an editor
publishes, edits, unpublishes or deletes, that version moves and the next search rebuilds the
index from the published-records index (paged Queries, bounded by the corpus size).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from kysy.errors import ValidationFailed
from kysy.service import validation
from kysy.text import clean_text

if TYPE_CHECKING:
    from kysy.models import QA, Post
    from kysy.repository import Store
    from kysy.search import SearchDoc, SearchHit, SearchIndex


def hit_to_dict(hit: SearchHit, post: Post | None = None) -> dict[str, Any]:
    return {
        "id": hit.doc.id,
        "post_id": hit.doc.post_id,
        "post_title": post.title if post else "",
        "post_url": post.url if post else "",
        "question": hit.doc.question,
        "answer": hit.doc.answer,
        "snippet": hit.snippet,
        "score": round(hit.score, 4),
        "highlights": [{"field": h.field, "start": h.start, "end": h.end} for h in hit.highlights],
    }


class SearchService:
    """Cheap to create at cold start: the engine (``kysy.search``) is imported on the first search."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._version = -1
        self._posts: dict[str, Post | None] = {}  # post META of hits, kept while the index version holds

    def _current_index(self) -> SearchIndex:
        from kysy.search import SearchIndex

        version = self.store.search_version()
        with self._lock:
            if self._index is None or version != self._version:
                self._posts = {}
                langs = {post.id: post.lang for post in self.store.list_posts()}
                self._index = SearchIndex(_doc(qa, langs.get(qa.post_id, "")) for qa in self.store.all_published())
                self._version = version
            return self._index

    def search(
        self, query: str, *, post_id: str | None, limit: int | None, prefix_last: bool = False
    ) -> list[dict[str, Any]]:
        from kysy.search import MAX_QUERY_CHARS

        size = limit if limit is not None else 10
        if not 1 <= size <= validation.SEARCH_MAX:
            raise ValidationFailed(f"limit must be between 1 and {validation.SEARCH_MAX}.", code="invalid_limit")
        if post_id is not None:
            validation.post_id(post_id)
        validation.search_text(query)
        text = clean_text(query, multiline=False)[:MAX_QUERY_CHARS]
        if not text:
            return []
        hits = self._current_index().search(text, post_id=post_id or None, limit=size, prefix_last=prefix_last)
        return [hit_to_dict(hit, self._post(hit.doc.post_id)) for hit in hits]

    def _post(self, post_id: str) -> Post | None:
        """The hit's post (title and address for links to other posts): one GetItem per post and index version."""
        if post_id not in self._posts:
            self._posts[post_id] = self.store.get_post(post_id)
        return self._posts[post_id]

    def similar_pending(self, qa: QA, candidates: list[QA], *, limit: int = 5) -> list[dict[str, Any]]:
        """Duplicate suggestions for the editor: published answers plus other pending questions."""
        from kysy.search import SearchIndex

        published = self._current_index().search(qa.question, limit=limit, prefix_last=False)
        pending = SearchIndex(_doc(c, "") for c in candidates if c.id != qa.id)
        queued = pending.search(qa.question, limit=limit, prefix_last=False)
        merged = sorted([*published, *queued], key=lambda h: h.score, reverse=True)
        return [hit_to_dict(hit) for hit in merged[:limit] if hit.doc.id != qa.id]


def _doc(qa: QA, lang: str) -> SearchDoc:
    from kysy.search import SearchDoc

    return SearchDoc(id=qa.id, post_id=qa.post_id, question=qa.question, answer=qa.answer, lang=lang)
