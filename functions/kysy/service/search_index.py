"""The in-process search index, kept off the request path (issue 13).

* The **indexer** function (``kysy.indexer``) reads the table's stream. For each batch it folds the
  changed published records into its own copy of the index and appends the change to the log
  (``SearchIndexStore.append``): a publish is searchable as soon as that transaction commits. New
  snapshots are written by its schedule (every 15 minutes, when changes came) - writing one takes
  seconds at 100k records, which would hold up the stream - and in line only every
  ``compact_every`` changes, as a backstop. It never re-reads the published records, except to
  build the very first index (or one of a new format): ``SnapshotIndexWriter``.
* A **search environment** loads the newest snapshot at its first search, then at most every
  ``search_refresh_seconds`` reads the state item (one GetItem) and applies the changes it has not
  seen (one BatchGetItem): ``SnapshotSearch``. No search ever rebuilds the index.

``Corpus`` is what both hold: the engine's index, the posts' titles/URLs/languages, and the log
version they reflect. Applying the same changes in the same order gives the same index.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from kysy.errors import IndexVersionMoved, Unavailable
from kysy.service.search import SearchResult

if TYPE_CHECKING:
    from kysy.models import Post
    from kysy.repository import Store
    from kysy.repository.search_index import IndexState, SearchIndexStore
    from kysy.search import SearchIndex
    from kysy.settings import Settings

MAX_CATCH_UP = 500  # changes behind: beyond this, loading the snapshot again is cheaper
MAX_CHANGE_PART = 300_000  # bytes of one encoded change item (a DynamoDB item is at most 400 KB)


log = logging.getLogger("kysy")  # the Powertools logger of the running function (same name)


@dataclass(frozen=True)
class PostInfo:
    """What a search hit shows of its post, and the language its records are analysed in."""

    id: str
    title: str = ""
    url: str = ""
    lang: str = ""

    @classmethod
    def of(cls, post: Post) -> PostInfo:
        return cls(post.id, post.title, post.url, post.lang)


@dataclass(frozen=True)
class IndexedRecord:
    """The searchable text of one published record."""

    id: str
    post_id: str
    question: str
    answer: str


@dataclass
class IndexChange:
    """What one batch of published-content changes does to the index: per record id its new text
    or None (no longer published); per post id its new info or None (post deleted). Only the
    last state of each record in a batch matters, so the order of a batch is kept by its keys."""

    records: dict[str, IndexedRecord | None] = field(default_factory=dict)
    posts: dict[str, PostInfo | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.records or self.posts)

    def encode(self) -> list[bytes]:
        """As log items of at most ``MAX_CHANGE_PART`` bytes each (a large batch is split)."""
        data = zlib.compress(
            json.dumps(
                {
                    "r": [[k] if r is None else [k, r.post_id, r.question, r.answer] for k, r in self.records.items()],
                    "p": [[k] if p is None else [k, p.title, p.url, p.lang] for k, p in self.posts.items()],
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
        )
        if len(data) <= MAX_CHANGE_PART or len(self.records) + len(self.posts) <= 1:
            if len(data) > MAX_CHANGE_PART:
                raise ValueError("one record is larger than a change item can hold")
            return [data]
        # Posts first (records of the same batch are analysed in their post's language).
        items = [("p", k, v) for k, v in self.posts.items()] + [("r", k, v) for k, v in self.records.items()]
        half = len(items) // 2
        return [part for chunk in (items[:half], items[half:]) for part in _change_of(chunk).encode()]

    @staticmethod
    def decode(data: bytes) -> IndexChange:
        raw = json.loads(zlib.decompress(data))
        return IndexChange(
            records={r[0]: IndexedRecord(r[0], r[1], r[2], r[3]) if len(r) > 1 else None for r in raw["r"]},
            posts={p[0]: PostInfo(p[0], p[1], p[2], p[3]) if len(p) > 1 else None for p in raw["p"]},
        )


class IndexWriter(Protocol):
    """What the indexer function drives: the write side of a search backend. ``SnapshotIndexWriter``
    is the in-process one; an OpenSearch adapter would index each change into the domain."""

    def apply(self, change: IndexChange) -> int:
        """Make ``change`` searchable; returns the index version it is part of."""
        ...

    def maintain(self) -> None:
        """Scheduled housekeeping (build a missing index, compact)."""
        ...


def _change_of(items: list[tuple[str, str, Any]]) -> IndexChange:
    change = IndexChange()
    for kind, key, value in items:
        (change.posts if kind == "p" else change.records)[key] = value
    return change


class Corpus:
    """The search index plus the posts map, at one version of the change log."""

    def __init__(self, index: SearchIndex, posts: dict[str, PostInfo], version: int) -> None:
        self.index = index
        self.posts = posts
        self.version = version

    @classmethod
    def build(cls, records: Iterable[IndexedRecord], posts: dict[str, PostInfo], version: int) -> Corpus:
        from kysy.search import SearchDoc, SearchIndex

        def docs() -> Iterable[SearchDoc]:
            for r in records:
                yield SearchDoc(r.id, r.post_id, r.question, r.answer, posts.get(r.post_id, PostInfo(r.post_id)).lang)

        return cls(SearchIndex(docs()), dict(posts), version)

    @classmethod
    def empty(cls, version: int = 0) -> Corpus:
        return cls.build((), {}, version)

    @classmethod
    def from_snapshot(cls, data: bytes) -> Corpus:
        from kysy.search import snapshot

        index, meta = snapshot.load(data)
        posts = {p[0]: PostInfo(*p) for p in meta.get("posts", [])}
        return cls(index, posts, int(meta.get("version", 0)))

    def to_snapshot(self) -> bytes:
        from kysy.search import snapshot

        posts = [[p.id, p.title, p.url, p.lang] for p in self.posts.values()]
        return snapshot.dump(self.index, {"version": self.version, "posts": posts})

    def apply(self, change: IndexChange, version: int) -> None:
        from kysy.search import SearchDoc
        from kysy.search.analysis import base_lang

        for post_id, info in change.posts.items():
            old = self.posts.pop(post_id, None)
            if info is None:
                continue
            self.posts[post_id] = info
            if old is not None and base_lang(old.lang) != base_lang(info.lang):
                for doc in [d for d in self.index.docs() if d.post_id == post_id]:
                    self.index.add(replace(doc, lang=info.lang))  # analysed again in the new language
        for record_id, record in change.records.items():
            if record is None:
                self.index.remove(record_id)
            else:
                lang = self.posts.get(record.post_id, PostInfo(record.post_id)).lang
                self.index.add(SearchDoc(record.id, record.post_id, record.question, record.answer, lang))
        self.version = version

    def search(self, text: str, *, post_id: str | None, limit: int, prefix_last: bool) -> list[SearchResult]:
        hits = self.index.search(text, post_id=post_id, limit=limit, prefix_last=prefix_last)
        results = []
        for hit in hits:
            post = self.posts.get(hit.doc.post_id, PostInfo(hit.doc.post_id))
            results.append(SearchResult.from_hit(hit, post_title=post.title, post_url=post.url))
        return results


class IndexNotBuilt(Unavailable):
    """No usable snapshot (none of this code's format yet, or a damaged one): the indexer builds it."""

    def __init__(self) -> None:
        super().__init__("Search is being prepared. Please try again in a minute.", retry_after=30)


def _snapshot_format() -> int:
    from kysy.search.snapshot import FORMAT

    return FORMAT


def catch_up(corpus: Corpus | None, state: IndexState | None, store: SearchIndexStore) -> Corpus:
    """``corpus`` brought to ``state``: the changes it misses applied, or the snapshot loaded first.

    Raises ``IndexNotBuilt`` (a 503) when the log exists but no readable snapshot of this code's
    format does (an upgrade changed the format; the indexer builds one within minutes).
    """
    if state is None:  # nothing was ever indexed: nothing is published yet
        return corpus if corpus is not None and corpus.version == 0 else Corpus.empty()
    if corpus is not None and corpus.version == state.version:
        return corpus
    if corpus is not None and corpus.version < state.version <= corpus.version + MAX_CATCH_UP:
        changes = store.changes(corpus.version, state.version)
        if changes is not None:
            _apply(corpus, changes)
            return corpus
    from kysy.search.snapshot import SnapshotError

    data = store.read_snapshot(_snapshot_format())
    if data is None:
        raise IndexNotBuilt
    try:
        loaded = Corpus.from_snapshot(data)
    except SnapshotError as error:
        log.error("Search snapshot cannot be read", extra={"error": str(error)})
        raise IndexNotBuilt from error
    if loaded.version < state.version:
        changes = store.changes(loaded.version, state.version)
        if changes is None:
            # Older than the kept log: serve it as it is; the indexer's next snapshot catches up.
            log.warning(
                "Search snapshot is older than the kept change log",
                extra={"snapshot_version": loaded.version, "index_version": state.version},
            )
        else:
            _apply(loaded, changes)
    return loaded


def _apply(corpus: Corpus, changes: list[bytes]) -> None:
    for data in changes:
        corpus.apply(IndexChange.decode(data), corpus.version + 1)


class SnapshotSearch:
    """The ``SearchBackend`` of a reader or editor environment (see the module docstring)."""

    def __init__(
        self,
        store: SearchIndexStore,
        *,
        refresh_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._corpus: Corpus | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def current(self) -> Corpus:
        with self._lock:
            now = self._clock()
            if self._corpus is None or now - self._checked >= self.refresh_seconds:
                self._corpus = catch_up(self._corpus, self.store.state(), self.store)
                self._checked = now
            return self._corpus

    def search(self, text: str, *, post_id: str | None, limit: int, prefix_last: bool) -> list[SearchResult]:
        return self.current().search(text, post_id=post_id, limit=limit, prefix_last=prefix_last)


def search_backend(store: Store, settings: Settings) -> SnapshotSearch:
    """The reader's and editor's backend: the snapshot index in ``settings.search_bucket``."""
    from kysy.repository.search_index import SearchIndexStore

    index_store = SearchIndexStore.from_settings(store.client, settings)
    return SnapshotSearch(index_store, refresh_seconds=settings.search_refresh_seconds)


class SnapshotIndexWriter:
    """The indexer's side: append changes to the log, write snapshots, build the first index."""

    ATTEMPTS = 5

    def __init__(self, store: SearchIndexStore, records: Store, *, compact_every: int = 500) -> None:
        self.store = store
        self.records = records
        self.compact_every = compact_every
        self._corpus: Corpus | None = None

    def rebuild(self) -> Corpus:
        """Build the index from every published record (the first index, or a new format)."""
        state = self.store.state()
        version = state.version if state is not None else 0
        posts = {post.id: PostInfo.of(post) for post in self.records.list_posts()}
        published = (IndexedRecord(qa.id, qa.post_id, qa.question, qa.answer) for qa in self.records.all_published())
        corpus = Corpus.build(published, posts, version)
        self.store.write_snapshot(version, _snapshot_format(), corpus.to_snapshot())
        log.info("Search index rebuilt", extra={"version": version, "records": len(corpus.index)})
        self._corpus = corpus
        return corpus

    def _ready(self) -> tuple[Corpus, IndexState]:
        state = self.store.state()
        if state is not None and state.format == _snapshot_format():
            try:
                self._corpus = catch_up(self._corpus, state, self.store)
                return self._corpus, state
            except IndexNotBuilt:
                pass  # the snapshot is gone or damaged: build it again
        corpus = self.rebuild()
        state = self.store.state()
        assert state is not None
        return corpus, state

    def _with_posts(self, change: IndexChange, corpus: Corpus) -> IndexChange:
        """The change, carrying the info of every post its records belong to that the index lacks
        (so a reader applying it needs nothing else)."""
        posts = dict(change.posts)
        for record in change.records.values():
            if record is not None and record.post_id not in corpus.posts and record.post_id not in posts:
                post = self.records.get_post(record.post_id)
                posts[record.post_id] = PostInfo.of(post) if post else PostInfo(record.post_id)
        return IndexChange(records=change.records, posts=posts)

    def apply(self, change: IndexChange) -> int:
        """Append ``change`` to the log and fold it into the index; returns the new version."""
        for _ in range(self.ATTEMPTS):
            corpus, state = self._ready()
            if not change:
                return corpus.version
            full = self._with_posts(change, corpus)
            parts = full.encode()
            try:
                version = self.store.append(corpus.version, parts)
            except IndexVersionMoved:
                continue  # another shard's batch went first: read it, then go after it
            _apply(corpus, parts)
            if version - state.base >= self.compact_every:
                self.snapshot()
            return version
        raise IndexVersionMoved("The search index kept moving; the batch will be retried.")

    def snapshot(self) -> None:
        """Write the current index as the newest snapshot."""
        corpus = self._corpus
        if corpus is not None:
            self.store.write_snapshot(corpus.version, _snapshot_format(), corpus.to_snapshot())

    def maintain(self) -> None:
        """Scheduled: build a missing index, or write a snapshot if changes came since the last."""
        _, state = self._ready()
        if state.version > state.base:
            self.snapshot()
