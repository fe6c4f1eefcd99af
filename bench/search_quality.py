"""Search quality on the judged set in bench/search_data: MRR@5 and recall@5 per query set.

Run: ``.venv/bin/python bench/search_quality.py [-v]`` (``-v`` lists queries whose first relevant hit
is not at rank 1). Baselines on the same sets: plain substring matching, and Snowball-only BM25 (same
tokeniser and stemmer as Kysy, exact stems only, question and answer as one field).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "functions"))

from kysy.search import SearchDoc, SearchIndex  # noqa: E402
from kysy.search.analysis import base_lang, normalise, query_words, tokens, word_terms  # noqa: E402

K = 5
Searcher = Callable[[str, str | None], list[str]]


def load_docs() -> list[SearchDoc]:
    data = json.loads((ROOT / "search_data" / "posts.json").read_text(encoding="utf-8"))
    return [
        SearchDoc(qa["id"], post["post_id"], qa["question"], qa["answer"], post["lang"])
        for post in data["posts"]
        for qa in post["qa"]
    ]


def kysy_searcher(docs: list[SearchDoc]) -> Searcher:
    index = SearchIndex(docs)
    return lambda q, post: [h.doc.id for h in index.search(q, post_id=post, limit=K)]


def substring_searcher(docs: list[SearchDoc]) -> Searcher:
    """What a naive widget would do: count query words that occur as substrings of the record."""
    texts = [(d, normalise(d.question + " " + d.answer)) for d in docs]

    def search(q: str, post: str | None) -> list[str]:
        words = [w for w in query_words(q) if len(w) > 2] or query_words(q)
        scored = [
            (sum(w in t for w in words), i, d.id) for i, (d, t) in enumerate(texts) if post is None or d.post_id == post
        ]
        return [doc_id for s, _, doc_id in sorted(scored, key=lambda x: (-x[0], x[1])) if s > 0][:K]

    return search


def snowball_bm25_searcher(docs: list[SearchDoc], k1: float = 1.2, b: float = 0.75) -> Searcher:
    """Textbook BM25 over Snowball stems, one field, no fuzzy matching."""
    bags = [
        Counter(t for tok in tokens(d.question + "\n" + d.answer, base_lang(d.lang)) for t in tok.terms) for d in docs
    ]
    df: Counter[str] = Counter(t for bag in bags for t in bag)
    avg = sum(sum(bag.values()) for bag in bags) / len(bags)
    langs = sorted({base_lang(d.lang) for d in docs})

    def search(q: str, post: str | None) -> list[str]:
        terms = {t for w in query_words(q) for lg in langs for t in word_terms(w, lg)}
        scored = []
        for i, (d, bag) in enumerate(zip(docs, bags, strict=True)):
            if post is not None and d.post_id != post:
                continue
            length = sum(bag.values())
            s = 0.0
            for t in terms:
                tf = bag.get(t, 0)
                if tf:
                    idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                    s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
            if s > 0:
                scored.append((s, i, d.id))
        return [doc_id for _, _, doc_id in sorted(scored, key=lambda x: (-x[0], x[1]))][:K]

    return search


def evaluate(search: Searcher, queries: list[dict[str, Any]], verbose: bool = False) -> tuple[float, float]:
    """MRR@5 (first hit with grade ≥ 1) and recall@5 (share of grade ≥ 1 records in the top 5)."""
    rr_sum = recall_sum = 0.0
    for item in queries:
        rel: dict[str, int] = item["rel"]
        ranked = search(item["q"], item.get("post_id"))[:K]
        rr = next((1.0 / (i + 1) for i, d in enumerate(ranked) if rel.get(d, 0) > 0), 0.0)
        rr_sum += rr
        recall_sum += sum(1 for d in ranked if rel.get(d, 0) > 0) / min(len(rel), K)
        if verbose and rr < 1.0:
            print(f"    rr={rr:.2f} {item['q']!r} -> {ranked} want {rel}")
    n = len(queries)
    return rr_sum / n, recall_sum / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    docs = load_docs()
    sets = json.loads((ROOT / "search_data" / "queries.json").read_text(encoding="utf-8"))
    systems = {
        "substring": substring_searcher(docs),
        "snowball-bm25": snowball_bm25_searcher(docs),
        "kysy": kysy_searcher(docs),
    }
    print(f"{len(docs)} records, {sum(len(v) for k, v in sets.items() if k != 'about')} queries")
    print(f"{'set':<12}{'n':>4}  {'system':<15}{'MRR@5':>7}{'R@5':>7}")
    for name in ("keyword", "paraphrase"):
        queries = sets[name]
        for system, search in systems.items():
            mrr, recall = evaluate(search, queries, verbose=args.verbose and system == "kysy")
            print(f"{name:<12}{len(queries):>4}  {system:<15}{mrr:>7.3f}{recall:>7.3f}")


if __name__ == "__main__":
    main()
