"""Search at scale, as deployed: snapshot in S3, change log and stream in DynamoDB (moto over HTTP).

Run: ``.venv/bin/python bench/search_scale.py`` (1k and 10k records, a few minutes) or
``.venv/bin/python bench/search_scale.py --full`` (adds 100k, ~10 more minutes on 2 cores).
``--engine`` adds the old figures for comparison: the in-memory engine alone, built from scratch.

Per corpus size:

1. The indexer's first build (``SnapshotIndexWriter.rebuild``, from the generated records rather
   than a scan, which moto would make the slowest part) writes the snapshot to S3 and the state.
2. **Cold first search**: a new process (a new execution environment) does what the reader does
   at INIT (settings, DynamoDB client, search backend), then runs one search, timed: the engine's
   imports, the S3 client, one GetItem, the S3 download, loading the snapshot, the query.
   Wall time and the child's CPU time are both printed: on a machine shared with other work the
   wall figures swing, the CPU ones much less (the moto server runs in the parent, so its work is
   not in the child's CPU time; its network round trips are in the wall time).
3. **Warm searches** in that process with the deployed refresh interval (1 s): p50/p99 over
   queries it has not seen, and every AWS request they made (counted with botocore's
   ``before-call`` event): at most one state GetItem per second, whatever the corpus size
   (tests/integration/test_search_index_flow.py asserts the counts per search).
4. **Memory**: the loaded index (tracemalloc, current and peak during the load), in another
   fresh process.
5. **Publish -> searchable**: a record is published through the repository (the editor API's
   write); the local stream poller of ``kysy dev`` (1 s interval) hands the stream records to the
   indexer handler; a reader (refresh 1 s) searches every 50 ms until the record is found. Three
   publishes, after one that warms the indexer (its copy of the index loads on its first batch).

The generator makes agglutinative words from Finnish syllables with case endings, Zipf-distributed
lemmas, ~15 % compounds and gradation-like stem changes, so the vocabulary grows like real Finnish text
(far faster than English). Queries mix inflected single words, compound parts, typos, prefixes,
2-3 word queries and 8-word questions.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

from kysy.search import SearchDoc, SearchIndex  # noqa: E402

ONSETS = ["k", "p", "t", "s", "m", "n", "l", "r", "v", "h", "j", "", "kr", "st"]
VOWELS = ["a", "e", "i", "o", "u", "y", "ä", "ö", "aa", "ii", "uo", "ie", "ai"]
CODAS = ["", "", "", "n", "s", "t", "l", "r", "k"]
ENDINGS = ["", "", "n", "a", "ssa", "sta", "lla", "lle", "ksi", "t", "ja", "ien", "issa", "sti", "nsa"]
GRADATION = [("kk", "k"), ("pp", "p"), ("tt", "t"), ("nt", "nn"), ("lt", "ll")]


class Corpus:
    """Deterministic Finnish-like text generator (seeded)."""

    def __init__(self, seed: int, n_lemmas: int = 30_000) -> None:
        self.rng = random.Random(seed)
        lemmas: set[str] = set()
        while len(lemmas) < n_lemmas:
            n_syll = self.rng.choice((2, 2, 3, 3, 3, 4))
            word = "".join(
                self.rng.choice(ONSETS) + self.rng.choice(VOWELS) + self.rng.choice(CODAS) for _ in range(n_syll)
            )
            lemmas.add(word)
        self.lemmas = sorted(lemmas)
        self.rng.shuffle(self.lemmas)
        # Zipf weights: the r-th lemma has weight 1/r.
        self.cum = []
        total = 0.0
        for rank in range(1, n_lemmas + 1):
            total += 1.0 / rank
            self.cum.append(total)

    def lemma(self) -> str:
        return self.rng.choices(self.lemmas, cum_weights=self.cum)[0]

    def word(self) -> str:
        base = self.lemma()
        if self.rng.random() < 0.15:
            base = self.lemma() + base
        ending = self.rng.choice(ENDINGS)
        if ending and self.rng.random() < 0.3:
            for strong, weak in GRADATION:
                if strong in base[-4:]:
                    base = base[: len(base) - 4] + base[-4:].replace(strong, weak, 1)
                    break
        return base + ending

    def sentence(self, n: int) -> str:
        return " ".join(self.word() for _ in range(n))

    def doc(self, i: int, n_posts: int) -> SearchDoc:
        q = self.sentence(self.rng.randint(5, 12)).capitalize() + "?"
        a = ". ".join(self.sentence(self.rng.randint(6, 14)).capitalize() for _ in range(self.rng.randint(2, 5)))
        return SearchDoc(f"d{i}", f"p{i % n_posts}", q, a + ".", "fi")

    def typo(self, word: str) -> str:
        i = self.rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1 :]

    def queries(self, n: int) -> list[str]:
        out: list[str] = []
        kinds = ["word", "word", "compound", "typo", "prefix", "multi", "question"]
        while len(out) < n:
            kind = kinds[len(out) % len(kinds)]
            if kind == "word":
                out.append(self.word())
            elif kind == "compound":
                out.append(self.lemma() + self.lemma() + "ssa")
            elif kind == "typo":
                w = self.lemma() + "sta"
                out.append(self.typo(w) if len(w) >= 5 else w)
            elif kind == "prefix":
                w = self.word()
                out.append(w[: max(3, len(w) - 3)])
            elif kind == "multi":
                out.append(self.sentence(self.rng.randint(2, 3)))
            else:
                out.append(self.sentence(8) + "?")
        return out


# ------------------------------------------------------------------------------ child processes

CHILD = r"""
import json, os, sys, time, tracemalloc
mode, n_queries, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# What the reader function does at INIT (kysy.api.reader): settings, the DynamoDB client, the
# search backend. The first search starts after it, as the first search request would.
from kysy.repository.dynamo import botocore_session, make_client
calls = {}
def hook(model, **_):
    key = f"{model.service_model.service_name}.{model.name}"
    calls[key] = calls.get(key, 0) + 1
botocore_session().register("before-call", hook)
from kysy.settings import get_settings
from kysy.repository.search_index import SearchIndexStore
from kysy.service.search_index import SnapshotSearch
settings = get_settings()
store = SearchIndexStore.from_settings(make_client(settings), settings)
if mode == "memory":
    tracemalloc.start()
    backend = SnapshotSearch(store, refresh_seconds=1.0)
    backend.current()
    current, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"current_mb": current / 1e6, "peak_mb": peak / 1e6}))
    sys.exit(0)
backend = SnapshotSearch(store, refresh_seconds=1.0)
t0, c0 = time.perf_counter(), time.process_time()
hits = backend.search("lämmitys", post_id=None, limit=10, prefix_last=True)
cold_ms, cold_cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
cold_calls = dict(calls)
if mode == "cold":
    print(json.dumps({"cold_ms": cold_ms, "cold_cpu_ms": cold_cpu_ms}))
    sys.exit(0)
sys.path.insert(0, os.environ["BENCH_DIR"])
from search_scale import Corpus
import random
corpus = Corpus(seed=seed)  # the records' lemmas ...
corpus.rng = random.Random(seed + 1)  # ... and a query stream of their own
warmup, queries = corpus.queries(n_queries), corpus.queries(n_queries)
for q in warmup:
    backend.search(q, post_id=None, limit=10, prefix_last=True)
calls.clear()
lat, cpu = [], []
for q in queries:
    t, c = time.perf_counter(), time.process_time()
    backend.search(q, post_id=None, limit=10, prefix_last=True)
    lat.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
warm_seconds = sum(lat) / 1000
print(json.dumps({"cold_ms": cold_ms, "cold_cpu_ms": cold_cpu_ms, "cold_calls": cold_calls, "lat": lat, "cpu": cpu,
                  "warm_calls": calls, "warm_seconds": warm_seconds}))
"""


def child(mode: str, env: dict[str, str], n_queries: int, seed: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(n_queries), str(seed)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------------- the parent


@dataclass
class Records:
    """The indexer's first build reads these instead of scanning moto (see the module docstring)."""

    docs: list[SearchDoc]

    def list_posts(self) -> list[Any]:
        from kysy.models import Post

        return [Post(id=p, title=f"Post {p}", url=f"https://blog.example.com/{p}", lang="fi") for p in self._posts()]

    def _posts(self) -> list[str]:
        return sorted({d.post_id for d in self.docs})

    def all_published(self) -> list[Any]:
        from kysy.models import QA, Status

        return [
            QA(post_id=d.post_id, id=d.id, question=d.question, answer=d.answer, status=Status.PUBLISHED)
            for d in self.docs
        ]

    def get_post(self, post_id: str) -> Any:
        return None


def environment(endpoint: str) -> dict[str, str]:
    run = uuid.uuid4().hex[:8]
    return {
        "KYSY_DYNAMODB_ENDPOINT": endpoint,
        "KYSY_S3_ENDPOINT": endpoint,
        "KYSY_TABLE_NAME": f"kysy-bench-{run}",
        "KYSY_SEARCH_BUCKET": f"kysy-bench-{run}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "KysyBench",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


def publish_to_searchable(docs: list[SearchDoc], corpus: Corpus, rounds: int = 3) -> list[float]:
    """Seconds from the write to the first search that finds the record (see step 5)."""
    from kysy.ids import new_id
    from kysy.indexer import handler as indexer_handler
    from kysy.models import QA, Post, Status
    from kysy.notify.local import StreamPoller
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.repository.search_index import SearchIndexStore
    from kysy.service.search_index import SnapshotSearch
    from kysy.settings import get_settings

    settings = get_settings()
    client = make_client(settings)
    store = Store(client, settings.table_name)
    indexer_handler.reset()
    poller = StreamPoller.from_settings(
        settings, handler=indexer_handler.handler, dead_letter_dir=ROOT / ".aws-sam" / "bench-dead-letters"
    )
    reader = SnapshotSearch(SearchIndexStore.from_settings(client, settings), refresh_seconds=1.0)
    reader.current()
    poller.start()
    post = Post(id=docs[0].post_id, title="Post", lang="fi")
    waits: list[float] = []
    try:
        for n in range(rounds + 1):
            word = f"zeppeliini{corpus.lemma()}{n}"
            qa = QA(
                post_id=post.id,
                id=new_id(),
                question=f"Kysymys {word}?",
                answer="Vastaus.",
                status=Status.PUBLISHED,
                answered_at="2026-01-01T00:00:00Z",
            )
            began = time.perf_counter()
            store.write_import(post, [qa], [])
            while not any(h.id == qa.id for h in reader.search(word, post_id=None, limit=5, prefix_last=False)):
                if time.perf_counter() - began > 120:
                    raise RuntimeError("a publish did not become searchable in 120 s")
                time.sleep(0.05)
            if n:  # the first one also loads the indexer's copy of the index
                waits.append(time.perf_counter() - began)
    finally:
        poller.stop()
    return waits


def engine_only(docs: list[SearchDoc], corpus: Corpus, n_queries: int) -> str:
    """The previous design's figures: the engine built from scratch (what every environment did)."""
    gc.collect()
    t0 = time.perf_counter()
    index = SearchIndex(docs)
    build_s = time.perf_counter() - t0
    queries = corpus.queries(n_queries)
    for q in queries[: n_queries // 2]:
        index.search(q)
    lat = []
    for q in queries[n_queries // 2 :]:
        t = time.perf_counter()
        index.search(q)
        lat.append((time.perf_counter() - t) * 1000)
    return f"engine only: build from scratch {build_s:.2f} s, warm p50 {statistics.median(lat):.2f} ms"


def run(n_docs: int, n_queries: int, engine: bool, cold_runs: int) -> None:
    from kysy.devserver import start_local_moto

    server = start_local_moto()  # as kysy dev and the tests run moto (patched transactions)
    env = {**os.environ, **environment(server.url), "BENCH_DIR": str(ROOT / "bench")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "functions"), str(ROOT / "bench")])
    os.environ.update(environment(server.url))
    try:
        from kysy.repository.dynamo import make_client
        from kysy.repository.search_index import SearchIndexStore, create_bucket
        from kysy.repository.table import create_table
        from kysy.service.search_index import SnapshotIndexWriter
        from kysy.settings import Settings, get_settings

        get_settings.cache_clear()
        settings = Settings()
        env.update({k: v for k, v in os.environ.items() if k.startswith("KYSY_")})
        client = make_client(settings)
        create_table(client, settings.table_name)
        index_store = SearchIndexStore.from_settings(client, settings)
        create_bucket(index_store)

        corpus = Corpus(seed=n_docs)
        docs = [corpus.doc(i, max(1, n_docs // 20)) for i in range(n_docs)]
        t0 = time.perf_counter()
        built = SnapshotIndexWriter(index_store, Records(docs)).rebuild()  # type: ignore[arg-type]
        build_s = time.perf_counter() - t0
        size_mb = len(built.to_snapshot()) / 1e6
        vocab = len(built.index._postings)
        del built
        gc.collect()

        searched = child("search", env, n_queries, n_docs)
        runs = [searched, *(child("cold", env, 0, n_docs) for _ in range(cold_runs - 1))]
        colds = sorted(r["cold_ms"] for r in runs)
        cold_cpu = statistics.median(r["cold_cpu_ms"] for r in runs)
        memory = child("memory", env, n_queries, n_docs)
        lat = sorted(searched["lat"])
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        cpu = sorted(searched["cpu"])
        cpu50, cpu99 = statistics.median(cpu), cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))]
        warm_calls = ", ".join(f"{v} {k}" for k, v in sorted(searched["warm_calls"].items())) or "none"
        waits = publish_to_searchable(docs, corpus)
        print(
            f"{n_docs:>7} records  vocab {vocab:>7}  snapshot {size_mb:5.1f} MB (first build {build_s:5.1f} s)\n"
            f"         cold first search {statistics.median(colds):6.0f} ms median of {len(colds)} processes "
            f"(min {colds[0]:.0f}, max {colds[-1]:.0f}; CPU {cold_cpu:.0f} ms); requests {searched['cold_calls']}\n"
            f"         warm p50 {p50:6.2f} ms  p99 {p99:7.2f} ms (CPU p50 {cpu50:.2f}, p99 {cpu99:.2f}) "
            f"over {len(lat)} queries in "
            f"{searched['warm_seconds']:.1f} s; requests: {warm_calls} (at most 1 GetItem per second)\n"
            f"         index memory {memory['current_mb']:6.1f} MB (peak while loading {memory['peak_mb']:.1f} MB)\n"
            f"         publish -> searchable {', '.join(f'{w:.2f}' for w in waits)} s "
            f"(median {statistics.median(waits):.2f} s)"
        )
        if engine:
            print("         " + engine_only(docs, corpus, n_queries))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also run 100k records")
    parser.add_argument("--queries", type=int, default=500, help="warm queries per size (and as many to warm up)")
    parser.add_argument("--engine", action="store_true", help="also time the engine alone, built from scratch")
    parser.add_argument("--sizes", type=int, nargs="*", help="record counts (default 1000 10000 [100000])")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh processes for the cold first search")
    args = parser.parse_args()
    sizes = args.sizes or [1_000, 10_000] + ([100_000] if args.full else [])
    print(f"Python {sys.version.split()[0]}; moto over HTTP on this host (S3, DynamoDB and its stream)\n")
    for n in sizes:
        run(n, args.queries, args.engine, args.cold_runs)


if __name__ == "__main__":
    main()
