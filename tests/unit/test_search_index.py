"""The snapshot index: engine updates equal a rebuild, snapshots round-trip, readers catch up with
a constant number of store calls, writers retry when another writer went first."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import pytest

from kysy.errors import IndexVersionMoved
from kysy.repository.search_index import IndexState
from kysy.search import SearchDoc, SearchIndex
from kysy.search import snapshot as snap
from kysy.service import search as search_service
from kysy.service.search_index import (
    Corpus,
    IndexChange,
    IndexedRecord,
    IndexNotBuilt,
    PostInfo,
    SnapshotIndexWriter,
    SnapshotSearch,
    catch_up,
)

WORDS = [
    "markkinointi",
    "vaikuttaja",
    "somekanava",
    "budjetti",
    "pankki",
    "rahoitus",
    "kassavirta",
    "laskelma",
    "asiakas",
    "palvelu",
    "yritys",
    "verkkosivu",
    "hakukone",
    "mainonta",
    "video",
    "blogi",
    "uutiskirje",
    "tapahtuma",
    "webinaari",
    "kampanja",
    "donation",
    "fundraising",
    "campaign",
    "newsletter",
    "volunteer",
    "charity",
    "email",
    "social",
    "media",
    "budget",
]


def corpus_docs(n: int, seed: int = 7) -> list[SearchDoc]:
    rng = random.Random(seed)

    def text(k: int) -> str:
        return " ".join(rng.choice(WORDS) + rng.choice(["", "n", "ssa", "lla", "t", "ja"]) for _ in range(k))

    return [
        SearchDoc(f"d{i:04d}", f"p{i % 7}", text(rng.randint(3, 9)).capitalize() + "?", text(20) + ".", "fi")
        for i in range(n)
    ]


QUERIES = [
    "markkinointi",
    "vaikuttajamarkkinointi",
    "pankin",
    "budjett",
    "somekanavat toimivat",
    "rahotusta",
    "kampanja video",
    "fundraising email",
    "mainonnan hinta hakukoneessa",
    "web",
]


def results(index: SearchIndex) -> list[Any]:
    return [
        [(h.doc.id, h.score, h.snippet, h.highlights) for h in index.search(q, post_id=p, prefix_last=pl)]
        for q in QUERIES
        for p in (None, "p3")
        for pl in (True, False)
    ]


def test_incremental_updates_rank_exactly_like_a_rebuilt_index() -> None:
    docs = corpus_docs(300)
    index = SearchIndex(docs[:200])
    for doc in docs[200:]:
        index.add(doc)  # new stems go to the vocabulary's recent part
    rng = random.Random(3)
    for doc in rng.sample(docs, 60):
        index.remove(doc.id)  # some stems lose their last record
    for doc in rng.sample([d for d in docs if d.id in index], 20):
        index.add(SearchDoc(doc.id, doc.post_id, doc.question + " uusi sana", doc.answer, doc.lang))
    rebuilt = SearchIndex(index.docs())
    assert len(rebuilt) == len(index) == 240
    assert results(index) == results(rebuilt)
    assert any(r for r in results(index))  # the queries do find things


def test_snapshot_round_trip_keeps_every_result_and_renumbers_removed_records() -> None:
    docs = corpus_docs(150)
    index = SearchIndex(docs)
    for doc in docs[::5]:
        index.remove(doc.id)
    data = snap.dump(index, {"version": 12, "note": "ä"})
    loaded, meta = snap.load(data)
    assert meta == {"version": 12, "note": "ä"}
    assert len(loaded) == len(index) == 120
    assert results(loaded) == results(index)
    assert [d.id for d in loaded.docs()] == [d.id for d in index.docs()]
    # A loaded index takes updates like any other.
    loaded.add(SearchDoc("new", "p1", "Lentääkö zeppeliini?", "Syksyllä.", "fi"))
    assert [h.doc.id for h in loaded.search("zeppeliinillä")] == ["new"]


def test_damaged_or_foreign_snapshots_are_refused() -> None:
    data = snap.dump(SearchIndex(corpus_docs(5)))
    for bad in (b"", b"not a snapshot", data[:-10], data[: len(snap.MAGIC)] + b"\x00" * 50):
        with pytest.raises(snap.SnapshotError):
            snap.load(bad)


def test_changes_encode_and_split_below_the_item_size() -> None:
    rng = random.Random(1)

    def big() -> str:  # incompressible enough: ~6 KB per record after zlib
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzäö ") for _ in range(9000))

    change = IndexChange(
        records={f"r{i}": IndexedRecord(f"r{i}", "p", f"Q{i}?", big()) for i in range(120)} | {"gone": None},
        posts={"p": PostInfo("p", "T", "https://x", "fi"), "old": None},
    )
    parts = change.encode()
    assert len(parts) > 1
    assert all(len(part) <= 300_000 for part in parts)
    merged = IndexChange()
    for part in parts:
        decoded = IndexChange.decode(part)
        merged.records |= decoded.records
        merged.posts |= decoded.posts
    assert merged.records == change.records
    assert merged.posts == change.posts
    assert IndexChange.decode(parts[0]).posts  # posts travel first


def test_a_post_language_change_analyses_its_records_again() -> None:
    corpus = Corpus.build(
        [IndexedRecord("r1", "p1", "Running shoes?", "We sell running shoes.")], {"p1": PostInfo("p1", lang="fi")}, 0
    )
    assert corpus.search("run", post_id=None, limit=5, prefix_last=False) == []  # Finnish stemming
    corpus.apply(IndexChange(posts={"p1": PostInfo("p1", "Shoes", "https://b.example/shoes", "en")}), 1)
    [hit] = corpus.search("run", post_id=None, limit=5, prefix_last=False)
    assert (hit.id, hit.post_title, hit.post_url, corpus.version) == ("r1", "Shoes", "https://b.example/shoes", 1)


def test_service_query_limit_matches_the_engine() -> None:
    from kysy.search import MAX_QUERY_CHARS

    assert search_service.MAX_QUERY_CHARS == MAX_QUERY_CHARS


# ------------------------------------------------------------------------ store fake and counts


@dataclass
class FakeIndexStore:
    """In-memory stand-in for SearchIndexStore that counts calls (the integration tests use moto)."""

    log: dict[int, bytes] = field(default_factory=dict)
    version: int = 0
    base: int = 0
    fmt: int = 0
    snapshot: bytes | None = None
    calls: list[str] = field(default_factory=list)
    exists: bool = False
    moved_once: bool = False

    def state(self) -> IndexState | None:
        self.calls.append("state")
        return IndexState(self.version, self.base, self.fmt) if self.exists else None

    def changes(self, after: int, upto: int) -> list[bytes] | None:
        self.calls.append("changes")
        wanted = range(after + 1, upto + 1)
        return [self.log[v] for v in wanted] if all(v in self.log for v in wanted) else None

    def append(self, expected: int, changes: list[bytes]) -> int:
        self.calls.append("append")
        if self.moved_once:
            self.moved_once = False
            other = IndexChange(records={"other": IndexedRecord("other", "p1", "Toisen kirjoittajan?", "Kyllä.")})
            self.log[self.version + 1] = other.encode()[0]
            self.version += 1
        if expected != self.version:
            raise IndexVersionMoved("moved")
        for data in changes:
            self.version += 1
            self.log[self.version] = data
        self.exists = True
        return self.version

    def read_snapshot(self, format_version: int) -> bytes | None:
        self.calls.append("read_snapshot")
        return self.snapshot if self.fmt == format_version else None

    def write_snapshot(self, version: int, format_version: int, data: bytes) -> None:
        self.calls.append("write_snapshot")
        self.snapshot, self.base, self.fmt, self.exists = data, version, format_version, True
        self.version = max(self.version, version)


@dataclass
class FakeRecords:
    posts: list[Any] = field(default_factory=list)
    published: list[Any] = field(default_factory=list)
    reads: int = 0

    def list_posts(self) -> list[Any]:
        self.reads += 1
        return self.posts

    def all_published(self) -> list[Any]:
        self.reads += 1
        return self.published

    def get_post(self, post_id: str) -> Any:
        from kysy.models import Post

        return Post(id=post_id, title=f"Title of {post_id}", url=f"https://b.example/{post_id}", lang="fi")


def change(record_id: str, question: str, post_id: str = "p1") -> IndexChange:
    return IndexChange(records={record_id: IndexedRecord(record_id, post_id, question, "Vastaus on tässä.")})


def test_writer_builds_once_then_only_appends_and_snapshots_every_n_changes() -> None:
    from kysy.models import QA, Post, Status

    records = FakeRecords(
        posts=[Post(id="p1", title="Eka", lang="fi")],
        published=[QA(post_id="p1", id="seed", question="Mikä on kassavirta?", status=Status.PUBLISHED)],
    )
    store = FakeIndexStore()
    writer = SnapshotIndexWriter(store, records, compact_every=3)  # type: ignore[arg-type]
    writer.apply(change("a", "Paljonko mainonta maksaa?"))
    assert records.reads == 2  # the first index: posts + published records, once
    assert (store.version, store.base) == (1, 0)
    writer.apply(change("b", "Toimiiko somemainonta?"))
    writer.apply(change("c", "Entä hakukonemainonta?", post_id="p2"))
    assert records.reads == 2  # never again
    assert (store.version, store.base) == (3, 3)  # third change since the snapshot: a new snapshot
    corpus = Corpus.from_snapshot(store.snapshot or b"")
    assert {d.id for d in corpus.index.docs()} == {"seed", "a", "b", "c"}
    assert corpus.posts["p2"].title == "Title of p2"  # a new post's info travels with the change


def test_writer_goes_after_a_concurrent_writer() -> None:
    store = FakeIndexStore()
    writer = SnapshotIndexWriter(store, FakeRecords(), compact_every=100)  # type: ignore[arg-type]
    writer.apply(change("a", "Ensimmäinen?"))
    store.moved_once = True  # another shard's batch lands between our read and our append
    assert writer.apply(change("b", "Toinen?")) == 3
    reader = SnapshotSearch(store, refresh_seconds=0)  # type: ignore[arg-type]
    found = {h.id for h in reader.search("toisen toinen ensimmäinen", post_id=None, limit=10, prefix_last=False)}
    assert found == {"a", "b", "other"}


def test_reader_loads_once_then_one_state_read_per_refresh_and_only_new_changes() -> None:
    store = FakeIndexStore()
    writer = SnapshotIndexWriter(store, FakeRecords(), compact_every=2)  # type: ignore[arg-type]
    writer.apply(change("a", "Kuinka paljon budjetti?"))
    writer.apply(change("b", "Budjetin seuranta?"))  # snapshot at 2
    writer.apply(change("c", "Budjetointi taulukossa?"))  # log: 3
    now = [100.0]
    reader = SnapshotSearch(store, refresh_seconds=1.0, clock=lambda: now[0])  # type: ignore[arg-type]
    store.calls.clear()
    assert {h.id for h in reader.search("budjetti", post_id=None, limit=10, prefix_last=False)} == {"a", "b", "c"}
    assert store.calls == ["state", "read_snapshot", "changes"]  # cold: snapshot + the change after it
    store.calls.clear()
    for _ in range(20):
        reader.search("budjetti", post_id=None, limit=10, prefix_last=False)
    assert store.calls == []  # within the refresh interval: no store call at all
    now[0] += 1.0
    reader.search("budjetti", post_id=None, limit=10, prefix_last=False)
    assert store.calls == ["state"]  # nothing new: one read
    writer.apply(IndexChange(records={"a": None}))
    store.calls.clear()
    now[0] += 1.0
    assert {h.id for h in reader.search("budjetti", post_id=None, limit=10, prefix_last=False)} == {"b", "c"}
    assert store.calls == ["state", "changes"]  # one read for the state, one for what is new


def test_reader_without_any_index_finds_nothing_and_without_a_snapshot_says_unavailable() -> None:
    store = FakeIndexStore()
    reader = SnapshotSearch(store, refresh_seconds=0)  # type: ignore[arg-type]
    assert reader.search("mitä tahansa", post_id=None, limit=5, prefix_last=True) == []
    store.exists, store.version, store.fmt = True, 4, 99  # a log, but no snapshot of this format
    with pytest.raises(IndexNotBuilt):
        SnapshotSearch(store, refresh_seconds=0).search("x", post_id=None, limit=5, prefix_last=True)  # type: ignore[arg-type]


def test_catch_up_reloads_the_snapshot_when_the_log_no_longer_has_the_changes() -> None:
    store = FakeIndexStore()
    writer = SnapshotIndexWriter(store, FakeRecords(), compact_every=2)  # type: ignore[arg-type]
    writer.apply(change("a", "Alku?"))
    old = catch_up(None, store.state(), store)  # type: ignore[arg-type]
    for n in range(4):
        writer.apply(change(f"x{n}", f"Kysymys numero {n}?"))
    store.log.pop(2)  # expired from the log
    fresh = catch_up(old, store.state(), store)  # type: ignore[arg-type]
    assert fresh is not old
    assert {d.id for d in fresh.index.docs()} == {"a", "x0", "x1", "x2", "x3"}
    assert fresh.version == store.version
