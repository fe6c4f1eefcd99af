"""Search scale on synthetic Finnish-like corpora: index build time, index memory, warm query latency.

Run: ``.venv/bin/python bench/search_scale.py`` (1k and 10k records, well under 2 minutes) or
``.venv/bin/python bench/search_scale.py --full`` (adds 100k). Memory is measured with tracemalloc in a
second build (tracemalloc slows allocation, so build time comes from an untraced build).

The generator makes agglutinative words from Finnish syllables with case endings, Zipf-distributed
lemmas, ~15 % compounds and gradation-like stem changes, so the vocabulary grows like real Finnish text
(far faster than English). Queries mix inflected single words, compound parts, typos, prefixes,
2-3 word queries and 8-word questions.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))

from kysy.search import SearchDoc, SearchIndex

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


def run(n_docs: int, n_queries: int) -> None:
    corpus = Corpus(seed=n_docs)
    docs = [corpus.doc(i, max(1, n_docs // 20)) for i in range(n_docs)]
    warmup = corpus.queries(n_queries)
    queries = corpus.queries(n_queries)  # different queries: no expansion-cache hits
    gc.collect()
    t0 = time.perf_counter()
    index = SearchIndex(docs)
    build_s = time.perf_counter() - t0
    index.search("lämmitys")  # first query builds the lazy vocabulary structures
    first_s = time.perf_counter() - t0 - build_s
    latencies: list[float] = []
    for q in warmup:  # warm the interpreter and the Stemmer, not the measured queries
        index.search(q)
    for q in queries:
        t = time.perf_counter()
        index.search(q)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    vocab = len(index._postings)
    del index
    gc.collect()
    tracemalloc.start()
    index = SearchIndex(docs)
    index.search("lämmitys")
    mem_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    post_lat: list[float] = []
    for q in warmup[:100]:
        t = time.perf_counter()
        index.search(q, post_id="p1")
        post_lat.append((time.perf_counter() - t) * 1000)
    print(
        f"{n_docs:>7} docs  vocab {vocab:>7}  build {build_s:6.2f} s  first query {first_s * 1000:6.0f} ms  "
        f"index mem {mem_mb:6.1f} MB  warm p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
        f"(post_id filter p50 {statistics.median(post_lat):.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also run 100k records (several minutes)")
    parser.add_argument("--queries", type=int, default=700)
    args = parser.parse_args()
    sizes = [1_000, 10_000] + ([100_000] if args.full else [])
    for n in sizes:
        run(n, args.queries)


if __name__ == "__main__":
    main()
