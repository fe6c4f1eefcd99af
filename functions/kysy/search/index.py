"""In-memory inverted index with BM25F ranking and a fuzzy vocabulary layer.

Why this shape:

* Postings map a stem to one ``array('I')`` of ``internal doc id << 8 | tf code`` in ascending doc
  order, where the code is ``min(tf_question, 15) * 16 + min(tf_answer, 15)``. BM25 saturates long
  before tf 15, so capping loses nothing. Four bytes per posting and one object per term (a dict per
  term cost ~100 bytes per posting: 481 MB at 100k records); a new record's id is the largest, so
  adding appends, and removing is a bisect and a ``del``. The records' text is not kept as terms:
  removing one analyses it again.
* Finnish needs more than stemming. Instead of character n-grams of every document (memory-hungry and
  noisy) the fuzzy work happens on the *vocabulary*, which is orders of magnitude smaller than the
  postings: each query word is expanded into indexed stems, each with a weight:

  ==========  ======  =====================================================================
  exact stem  1.0     Snowball stem equal (covers most inflections)
  variant     0.85    stems differ only in the last character: consonant gradation and Snowball
                      over/under-stemming (pankki → pank, pankin → pan; tiktok/tikto; leht/lehd)
  prefix      0.7     search-as-you-type: last word is a prefix of an indexed stem, or an indexed
                      stem is a prefix of the (partly typed, inflected) last word
  compound    0.6     the stem's core occurs inside a longer indexed stem (kanav ⊂ somekanav), or a
                      long query stem splits into indexed stems (vaikuttaj + markkinoint)
  typo        0.55    one edit (Damerau) for words of ≥ 5 letters, only against indexed stems
  ==========  ======  =====================================================================

  For each document a query word contributes its best expansion only (max, not sum), so one word never
  counts twice. Expansions are cached per vocabulary version.
* Vocabulary lookups: a sorted list (prefix ranges by bisect), a sorted list of reversed stems (suffix
  ranges, for the typo pigeonhole), and one newline-joined string for infix search with ``str.find``
  (C speed, no per-term n-gram sets), held by ``Vocabulary``. Terms added after it was built go to a
  small second part that is merged in order on lookup, so a publish costs no re-sort of the whole
  vocabulary; terms whose last record went away are skipped on lookup. The two parts are merged
  when the second grows large. Results are the same as from a vocabulary built from scratch.
* ``kysy.search.snapshot`` writes an index to bytes and reads it back without analysing anything.
"""

from __future__ import annotations

import heapq
import math
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Container, Iterable, Iterator

from . import analysis
from .analysis import base_lang, normalise, query_words
from .snippet import make_hit
from .types import SearchDoc, SearchHit

#: Queries longer than this are cut (at a word boundary) before analysis: no real question is longer,
#: and it bounds the work done for hostile input. Also at most ``MAX_QUERY_WORDS`` words are used.
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 40

W_EXACT = 1.0
W_VARIANT = 0.85
W_PREFIX = 0.7
W_COMPOUND = 0.6
W_TYPO = 0.55
MAX_FUZZY_EXPANSIONS = 30  # per query word, most frequent first; bounds the cost of short prefixes

_TF_CAP = 15


class BM25FParams:
    """Ranking knobs (tuned on bench/search_data, see bench/search_quality.py)."""

    k1: float = 2.0
    w_question: float = 1.5
    w_answer: float = 1.0
    b_question: float = 0.6
    b_answer: float = 0.75
    coord: float = 0.5  # share of the score that depends on the fraction of query words matched


def within_one_edit(a: str, b: str) -> bool:
    """True if a and b differ by at most one insertion, deletion, substitution or adjacent swap."""
    la, lb = len(a), len(b)
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if lb - la > 1:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if i == la:
        return True
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


class Vocabulary:
    """The indexed stems, sorted, for prefix, suffix and infix lookups (see the module docstring).

    ``base`` is built in one go (from scratch or from a snapshot); ``recent`` collects stems added
    since. Lookups merge both in sorted order and, once a stem has gone (``forget``), skip stems
    that are not live, so they return exactly what a vocabulary rebuilt from the live stems would.
    While nothing was added or removed since the build, a lookup is one bisect and a list slice.
    """

    MERGE_AT = 2048  # stems in ``recent`` before they are merged into ``base``

    def __init__(self, terms: Iterable[str] = (), *, rsorted: list[str] | None = None) -> None:
        """``terms`` in any order; ``rsorted`` (the reversed terms, sorted) when already known."""
        self._recent: set[str] = set()
        self._set(sorted(terms), rsorted)

    @classmethod
    def presorted(cls, terms: list[str], rsorted: list[str], *, joined: str | None = None) -> Vocabulary:
        """From lists that are already sorted (a snapshot's): no sorting at load time. ``joined`` is
        ``"\\n".join(terms)`` when the caller has it."""
        vocab = cls.__new__(cls)
        vocab._recent = set()
        vocab._set(terms, rsorted, joined)
        return vocab

    def _set(self, terms: list[str], rsorted: list[str] | None = None, joined: str | None = None) -> None:
        self.sorted = terms
        self.rsorted = rsorted if rsorted is not None else sorted(t[::-1] for t in terms)
        self.joined = "\n" + (joined if joined is not None else "\n".join(terms)) + "\n"
        self._stale = False  # some stem of ``base`` may have gone
        self._recent.clear()
        self._r_sorted: list[str] = []
        self._r_rsorted: list[str] = []
        self._r_joined = "\n"
        self._recent_ok = True

    def __contains__(self, term: str) -> bool:
        i = bisect_left(self.sorted, term)
        return (i < len(self.sorted) and self.sorted[i] == term) or term in self._recent

    def add(self, term: str) -> None:
        if term not in self:
            self._recent.add(term)
            self._recent_ok = False

    def forget(self) -> None:
        """A stem has no records left (it stays listed, and is skipped, until the next compaction)."""
        self._stale = True

    def compact(self, live: Iterable[str]) -> None:
        """Rebuild ``base`` from the live stems (drops the gone ones, empties ``recent``)."""
        self._set(sorted(live))

    def maybe_compact(self, live: Collection[str]) -> bool:
        if len(self._recent) < self.MERGE_AT and len(self.sorted) <= 2 * len(live) + self.MERGE_AT:
            return False
        self.compact(live)
        return True

    def _refresh_recent(self) -> None:
        if self._recent_ok:
            return
        self._r_sorted = sorted(self._recent)
        self._r_rsorted = sorted(t[::-1] for t in self._r_sorted)
        self._r_joined = "\n" + "\n".join(self._r_sorted) + "\n"
        self._recent_ok = True

    @staticmethod
    def _range(prefix: str, sorted_terms: list[str]) -> list[str]:
        lo = bisect_left(sorted_terms, prefix)
        if not prefix:
            return sorted_terms[lo:]
        hi = bisect_left(sorted_terms, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo)
        return sorted_terms[lo:hi]

    def _merged(self, found: list[str], recent: list[str], live: Container[str]) -> list[str]:
        if recent:
            found = list(heapq.merge(found, recent))
        if self._stale:
            found = [t for t in found if t in live]
        return found

    def prefix_range(self, prefix: str, live: Container[str]) -> list[str]:
        """Live stems starting with ``prefix``, in sorted order."""
        self._refresh_recent()
        recent = self._range(prefix, self._r_sorted) if self._r_sorted else []
        return self._merged(self._range(prefix, self.sorted), recent, live)

    def suffix_range(self, reversed_prefix: str, live: Container[str]) -> list[str]:
        """Reversed live stems starting with ``reversed_prefix``, in sorted order."""
        self._refresh_recent()
        found = self._range(reversed_prefix, self.rsorted)
        if self._r_rsorted:
            found = list(heapq.merge(found, self._range(reversed_prefix, self._r_rsorted)))
        return [r for r in found if r[::-1] in live] if self._stale else found

    def _find(self, joined: str, core: str, limit: int, live: Container[str]) -> list[str]:
        found: list[str] = []
        pos = joined.find(core, 1)
        stale = self._stale
        while pos != -1 and len(found) < limit:
            start = joined.rfind("\n", 0, pos) + 1
            end = joined.find("\n", pos)
            term = joined[start:end]
            if not stale or term in live:
                found.append(term)
            pos = joined.find(core, end + 1)
        return found

    def infix(self, core: str, live: Container[str], limit: int = 400) -> list[str]:
        """The first ``limit`` live stems (sorted) containing ``core``."""
        self._refresh_recent()
        found = self._find(self.joined, core, limit, live)
        if self._r_sorted:
            found = list(heapq.merge(found, self._find(self._r_joined, core, limit, live)))[:limit]
        return found


def _pack(internal: int, code: int) -> int:
    return internal << 8 | code


def _posting(plist: array[int], internal: int) -> int:
    """The packed posting of one record in a term's list, or -1."""
    i = bisect_left(plist, internal << 8)
    if i < len(plist) and plist[i] >> 8 == internal:
        return plist[i]
    return -1


class SearchIndex:
    """Search index for one site: add/replace/remove records, ranked search with highlights."""

    MAX_RECORDS = (1 << 24) - 1  # internal ids share a 32-bit posting with the 8-bit tf code

    def __init__(self, docs: Iterable[SearchDoc] = (), params: BM25FParams | None = None) -> None:
        self.params = params or BM25FParams()
        # Records as columns, by internal id (insertion order); a removed record's id is None.
        self._ids: list[str | None] = []
        self._post: list[str] = []
        self._question: list[str] = []
        self._answer: list[str] = []
        self._lang: list[str] = []
        self._lenq: array[int] = array("I")
        self._lena: array[int] = array("I")
        self._by_id: dict[str, int] = {}
        # A term's postings: its array or, straight after loading a snapshot, the slot of its list
        # in ``_flat`` (``_ends[slot]`` is where it ends); made an array on first use, so loading
        # creates no per-term objects (see kysy.search.snapshot).
        self._postings: dict[str, array[int] | int] = {}
        self._flat: array[int] = array("I")
        self._ends: array[int] = array("Q")
        self._langs: Counter[str] = Counter()
        self._sum_lenq = 0
        self._sum_lena = 0
        self._vocab = Vocabulary()
        # Lazily rebuilt structures.
        self._norms_ok = False
        self._normq: list[float] = []
        self._norma: list[float] = []
        self._expansions: dict[tuple[str, tuple[str, ...], bool], dict[str, float]] = {}
        for doc in docs:
            self.add(doc)
        self._vocab.compact(self._postings)

    # ------------------------------------------------------------------ maintenance

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id

    def _doc(self, internal: int) -> SearchDoc:
        doc_id = self._ids[internal]
        assert doc_id is not None
        return SearchDoc(
            doc_id, self._post[internal], self._question[internal], self._answer[internal], self._lang[internal]
        )

    def get(self, doc_id: str) -> SearchDoc | None:
        """The record as indexed (NFC text, base language code), or None."""
        internal = self._by_id.get(doc_id)
        return None if internal is None else self._doc(internal)

    def docs(self) -> Iterator[SearchDoc]:
        """Every record, in insertion order."""
        for internal, doc_id in enumerate(self._ids):
            if doc_id is not None:
                yield self._doc(internal)

    @staticmethod
    def _terms(question: str, answer: str, lang: str) -> tuple[Counter[str], Counter[str], int, int]:
        tf_q: Counter[str] = Counter()
        tf_a: Counter[str] = Counter()
        lenq = lena = 0
        for token in analysis.tokens(question, lang):
            tf_q.update(token.terms)
            lenq += 1
        for token in analysis.tokens(answer, lang):
            tf_a.update(token.terms)
            lena += 1
        return tf_q, tf_a, lenq, lena

    def add(self, doc: SearchDoc) -> None:
        """Add a record, replacing any record with the same id."""
        if doc.id in self._by_id:
            self.remove(doc.id)
        doc = doc.normalised()
        lang = base_lang(doc.lang)
        tf_q, tf_a, lenq, lena = self._terms(doc.question, doc.answer, lang)
        internal = len(self._ids)
        if internal > self.MAX_RECORDS:
            raise OverflowError("too many records for one index; compact it (see kysy.search.snapshot)")
        postings = self._postings
        vocab = self._vocab
        for term in dict.fromkeys([*tf_q, *tf_a]):
            packed = _pack(internal, min(tf_q[term], _TF_CAP) * 16 + min(tf_a[term], _TF_CAP))
            if term in postings:
                self._plist(term).append(packed)
            else:
                postings[term] = array("I", (packed,))
                vocab.add(term)
        post = sys.intern(doc.post_id)
        self._ids.append(doc.id)
        self._post.append(post)
        self._question.append(doc.question)
        self._answer.append(doc.answer)
        self._lang.append(lang)
        self._lenq.append(lenq)
        self._lena.append(lena)
        self._by_id[doc.id] = internal
        self._langs[lang] += 1
        self._sum_lenq += lenq
        self._sum_lena += lena
        self._changed()

    def remove(self, doc_id: str) -> None:
        """Remove a record (unpublished, rejected, deleted); unknown ids are ignored."""
        internal = self._by_id.pop(doc_id, None)
        if internal is None:
            return
        lang = self._lang[internal]
        tf_q, tf_a, _, _ = self._terms(self._question[internal], self._answer[internal], lang)
        key = internal << 8
        for term in dict.fromkeys([*tf_q, *tf_a]):
            if term not in self._postings:
                continue
            plist = self._plist(term)
            i = bisect_left(plist, key)
            if i < len(plist) and plist[i] >> 8 == internal:
                del plist[i]
            if not plist:
                del self._postings[term]
                self._vocab.forget()
        self._ids[internal] = None
        self._question[internal] = self._answer[internal] = ""
        self._langs[lang] -= 1
        if self._langs[lang] <= 0:
            del self._langs[lang]
        self._sum_lenq -= self._lenq[internal]
        self._sum_lena -= self._lena[internal]
        self._changed()

    def _changed(self) -> None:
        # Document frequencies and lengths moved: cached expansions (their top-N cut ranks by
        # frequency) and the length norms are recomputed on the next search.
        self._expansions.clear()
        self._norms_ok = False

    def _stored(self, term: str) -> array[int]:
        """A term's postings without keeping a copy (for writing a snapshot)."""
        plist = self._postings[term]
        if isinstance(plist, int):
            return self._flat[self._ends[plist - 1] if plist else 0 : self._ends[plist]]
        return plist

    def _plist(self, term: str) -> array[int]:
        """A term's postings as its own array (made from ``_flat`` on first use)."""
        plist = self._postings[term]
        if isinstance(plist, int):
            plist = self._postings[term] = self._stored(term)
        return plist

    def _df(self, term: str) -> int:
        plist = self._postings[term]
        if isinstance(plist, int):
            return self._ends[plist] - (self._ends[plist - 1] if plist else 0)
        return len(plist)

    def _ensure_norms(self) -> None:
        if self._norms_ok:
            return
        n = max(len(self._by_id), 1)
        avgq = max(self._sum_lenq / n, 1.0)
        avga = max(self._sum_lena / n, 1.0)
        p = self.params
        bq, ba = p.b_question, p.b_answer
        # Store the field weight divided by the length normalisation: tf~ = tf_q*normq + tf_a*norma.
        self._normq = [p.w_question / (1 - bq + bq * lq / avgq) for lq in self._lenq]
        self._norma = [p.w_answer / (1 - ba + ba * la / avga) for la in self._lena]
        self._norms_ok = True

    def _ensure_vocab(self) -> None:
        if self._vocab.maybe_compact(self._postings):
            self._expansions.clear()

    # ------------------------------------------------------------------ vocabulary lookups

    def _prefix_range(self, prefix: str) -> list[str]:
        return self._vocab.prefix_range(prefix, self._postings)

    def _infix(self, core: str, limit: int = 400) -> list[str]:
        return self._vocab.infix(core, self._postings, limit)

    def _typos(self, s: str) -> list[str]:
        """Indexed stems within one edit of s. Pigeonhole: one edit leaves the first or the last
        ``p`` characters intact, so candidates come from two bisect ranges, not a vocabulary scan."""
        p = max(2, (len(s) - 2) // 2)
        out = [t for t in self._prefix_range(s[:p]) if within_one_edit(s, t)]
        rev = s[::-1]
        out += [r[::-1] for r in self._vocab.suffix_range(rev[:p], self._postings) if within_one_edit(rev, r)]
        return out

    def _prefix_typos(self, word: str) -> list[str]:
        """Indexed stems within one edit of a *prefix* of the word: a typo'd inflected word
        ('rahotusta') against the stem of the correct one ('rahoitu'), without stemming the typo."""
        p = 3 if len(word) >= 7 else 2
        lo, hi = max(4, len(word) - 4), len(word) + 1
        out: list[str] = []
        for t in self._prefix_range(word[:p]):
            n = len(t)
            if lo <= n <= hi and any(within_one_edit(word[:k], t) for k in (n - 1, n, n + 1) if 4 <= k <= len(word)):
                out.append(t)
        return out

    def _expand(self, word: str, langs: tuple[str, ...], last: bool) -> dict[str, float]:
        key = (word, langs, last)
        cached = self._expansions.get(key)
        if cached is not None:
            return cached
        postings = self._postings
        exp: dict[str, float] = {}
        fuzzy: dict[str, float] = {}

        def put(target: dict[str, float], term: str, weight: float) -> None:
            if term in postings and weight > target.get(term, 0.0) and weight > exp.get(term, 0.0):
                target[term] = weight

        stems: set[str] = set()
        for lang in langs:
            stems.update(analysis.word_terms(word, lang))
        if not stems and last:
            stems.add(word)  # a lone stop word being typed ("mi…") still works as a prefix
        for s in stems:
            put(exp, s, W_EXACT)
            if len(s) >= 4:
                for t in self._prefix_range(s[:-1]):
                    if abs(len(t) - len(s)) <= 1 and t != s:
                        put(exp, t, W_VARIANT)
            elif len(s) == 3:
                for t in self._prefix_range(s):
                    if len(t) == 4:
                        put(exp, t, W_VARIANT)
            # Snowball may leave a longer stem for the query than for the record (criticis/critic).
            for k in range(max(4, len(s) - 3), len(s) - 1):
                put(exp, s[:k], W_VARIANT - 0.1)
        for s in stems:
            if not s.isalpha():
                continue
            core = s if len(s) <= 5 else s[:-1]
            if len(core) >= 4:
                for t in self._infix(core):
                    if len(t) >= len(core) + 3:
                        put(fuzzy, t, W_COMPOUND)
            if len(s) >= 8:  # query compound → indexed parts
                for i in range(4, len(s) - 3):
                    put(fuzzy, s[:i], W_COMPOUND)
                    put(fuzzy, s[i:], W_COMPOUND)
            if len(word) >= 5 and len(s) >= 4:
                for t in self._typos(s):
                    put(fuzzy, t, W_TYPO)
        if len(word) >= 5 and word.isalpha():
            for t in self._prefix_typos(word):
                put(fuzzy, t, W_TYPO)
        if last and len(word) >= 2:
            for base in {word, *stems}:
                for t in self._prefix_range(base):
                    put(fuzzy, t, W_PREFIX)
                    if len(fuzzy) > 4 * MAX_FUZZY_EXPANSIONS:
                        break
            for k in range(max(3, len(word) - 4), len(word)):
                put(fuzzy, word[:k], W_PREFIX)
        if len(fuzzy) > MAX_FUZZY_EXPANSIONS:
            best = sorted(fuzzy.items(), key=lambda kv: (-kv[1], -self._df(kv[0]), kv[0]))
            fuzzy = dict(best[:MAX_FUZZY_EXPANSIONS])
        for term, weight in fuzzy.items():
            if weight > exp.get(term, 0.0):
                exp[term] = weight
        if len(self._expansions) > 5000:
            self._expansions.clear()
        self._expansions[key] = exp
        return exp

    # ------------------------------------------------------------------ search

    def query_langs(self, lang: str | None) -> tuple[str, ...]:
        """Languages to analyse a query with: the given one, else every language in the index."""
        if lang is not None:
            return (base_lang(lang),)
        langs = tuple(sorted(self._langs)) or ("fi", "en")
        return langs

    def search(
        self,
        query: str,
        *,
        post_id: str | None = None,
        limit: int = 10,
        prefix_last: bool = True,
        lang: str | None = None,
    ) -> list[SearchHit]:
        """Ranked hits for ``query`` (see module docstring); never raises on odd input."""
        if not query or limit <= 0 or not self._by_id:
            return []
        if len(query) > MAX_QUERY_CHARS:
            cut = query[:MAX_QUERY_CHARS]
            space = cut.rfind(" ")
            query = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
            prefix_last = False  # the last word was cut, not typed
        words: list[str] = []
        for word in query_words(query):
            words.extend(p for p in word.split("-") if p)
        if not words:
            return []
        # The last word is being typed unless the query ends with a separator.
        last_partial = prefix_last and normalise(query[-1:]) == words[-1][-1:]
        words = list(dict.fromkeys(words))[:MAX_QUERY_WORDS]
        self._ensure_vocab()
        self._ensure_norms()
        langs = self.query_langs(lang)

        expansions: list[dict[str, float]] = []
        for i, word in enumerate(words):
            is_last = last_partial and i == len(words) - 1
            stops = [analysis.stop_words(lg) for lg in langs if lg]
            if not is_last and stops and all(word in st for st in stops):
                continue
            exp = self._expand(word, langs, is_last)
            if exp or any(analysis.word_terms(word, lg) for lg in langs):
                expansions.append(exp)
        if not expansions:
            return []

        p = self.params
        k1 = p.k1
        n_docs = len(self._by_id)
        normq, norma = self._normq, self._norma
        # Rarest words first; a *common* term (df above ``common_df``) of a multi-word query then only
        # scores documents that rarer words already found. Documents matching nothing but very common
        # words cannot reach the top anyway, and this bounds the cost of long questions at 100k records.
        df_of = self._df
        expansions.sort(key=lambda e: min((df_of(t) for t in e), default=0))
        common_df = max(256, n_docs // 20)
        totals: dict[int, float] = {}
        matched_w: dict[int, float] = {}
        for exp in expansions:
            best: dict[int, float] = {}
            best_w: dict[int, float] = {}
            # Exact/variant terms first, then fuzzy ones; a common fuzzy term only re-scores candidates.
            for term, weight in sorted(exp.items(), key=lambda tw: (-tw[1], df_of(tw[0]), tw[0])):
                plist = self._plist(term)
                df = len(plist)
                idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)) * weight
                packed: Iterable[int]
                candidates = totals or (best if weight < W_VARIANT else None)
                if candidates and df > common_df and len(candidates) < df:
                    packed = [x for d in list(candidates) if (x := _posting(plist, d)) >= 0]
                else:
                    packed = plist
                for x in packed:
                    d = x >> 8
                    tf = (x >> 4 & 15) * normq[d] + (x & 15) * norma[d]
                    score = idf * tf / (k1 + tf)
                    if score > best.get(d, 0.0):
                        best[d] = score
                        best_w[d] = weight
            for d, score in best.items():
                totals[d] = totals.get(d, 0.0) + score
                matched_w[d] = matched_w.get(d, 0.0) + best_w[d]
        n_words = len(expansions)
        coord = p.coord
        if post_id is not None:
            posts = self._post
            totals = {d: s for d, s in totals.items() if posts[d] == post_id}
        base, share = 1.0 - coord, coord / n_words
        # Ties break on insertion order (lower internal id first) so results are deterministic.
        top = heapq.nlargest(limit, ((s * (base + share * matched_w[d]), -d) for d, s in totals.items()))
        terms: set[str] = set()
        for exp in expansions:
            terms.update(exp)
        hits: list[SearchHit] = []
        for score, neg_internal in top:
            internal = -neg_internal
            if self._ids[internal] is None:  # defensive: removed docs have no postings
                continue
            hits.append(make_hit(self._doc(internal), round(score, 6), terms, self._lang[internal]))
        return hits


__all__ = ["MAX_QUERY_CHARS", "BM25FParams", "SearchIndex", "within_one_edit"]
