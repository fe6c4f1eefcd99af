"""A search index as bytes, and back, without analysing any text again.

The indexer function writes a snapshot after folding changes into it; a search environment loads
the newest one at its first search (``kysy.service.search_index``). Loading is a decompression,
a few ``array.frombytes`` copies and string splits: ~10x faster than building the index from the
records, and no per-record work in Python beyond slicing the text columns.

Layout: ``MAGIC`` then a zlib stream of ``u32 header length | header JSON | sections``. The header
names each section and its byte length, the byte order of the arrays, the record and term counts
and the caller's ``meta`` (Kysy keeps the index version and the posts' titles there). Sections:

=========  ==============================================================================
terms      the live stems, sorted, newline-joined (UTF-8)
rterms     the same stems reversed, sorted, newline-joined (the typo lookup's suffix list)
df         ``array('I')``: postings per stem, in ``terms`` order
postings   ``array('I')``: every stem's postings, concatenated (``doc << 8 | tf code``)
lenq/lena  ``array('I')``: question/answer length of each record, in tokens
lang       ``array('B')``: each record's language as an index into ``header.langs``
<column>   ``array('I')`` of UTF-8 byte counts, then the concatenated text, for each of
           ``ids``, ``posts``, ``questions``, ``answers``
=========  ==============================================================================

Removed records are left out and the others renumbered in order, so ties still rank the same.
Reading decompresses one section at a time (``_Inflater``): at 100k records the whole payload is
~110 MB, so holding it at once would nearly double the memory a load needs.
A snapshot from another ``FORMAT`` is refused (``SnapshotError``); the indexer then rebuilds.
"""

from __future__ import annotations

import json
import sys
import zlib
from array import array
from collections import Counter
from itertools import accumulate
from typing import Any

from .index import SearchIndex, Vocabulary

MAGIC = b"KYSYIDX\n"
FORMAT = 1
COMPRESSION_LEVEL = 6
_TEXT_COLUMNS = ("ids", "posts", "questions", "answers")
_SECTIONS = [
    "terms",
    "rterms",
    "df",
    "postings",
    "lenq",
    "lena",
    "lang",
    *(part for name in _TEXT_COLUMNS for part in (f"{name}.len", name)),
]


class SnapshotError(ValueError):
    """The bytes are not a snapshot this code can read (foreign, damaged or another format)."""


def _text_column(values: list[str]) -> tuple[bytes, bytes]:
    encoded = [v.encode("utf-8") for v in values]
    return array("I", map(len, encoded)).tobytes(), b"".join(encoded)


def dump(index: SearchIndex, meta: dict[str, Any] | None = None) -> bytes:
    """The index as a snapshot, with ``meta`` (JSON-serialisable) stored alongside."""
    live = [i for i, doc_id in enumerate(index._ids) if doc_id is not None]
    renumber: dict[int, int] | None = None
    if len(live) != len(index._ids):
        renumber = {old: new for new, old in enumerate(live)}
    terms = sorted(index._postings)
    df = array("I")
    postings = array("I")
    for term in terms:
        plist = index._stored(term)
        df.append(len(plist))
        if renumber is None:
            postings.extend(plist)
        else:
            postings.extend(renumber[x >> 8] << 8 | (x & 255) for x in plist)
    langs = sorted({index._lang[i] for i in live})
    lang_of = {lang: n for n, lang in enumerate(langs)}
    columns = {
        "ids": [index._ids[i] or "" for i in live],
        "posts": [index._post[i] for i in live],
        "questions": [index._question[i] for i in live],
        "answers": [index._answer[i] for i in live],
    }
    sections: list[tuple[str, bytes]] = [
        ("terms", "\n".join(terms).encode("utf-8")),
        ("rterms", "\n".join(sorted(t[::-1] for t in terms)).encode("utf-8")),
        ("df", df.tobytes()),
        ("postings", postings.tobytes()),
        ("lenq", array("I", (index._lenq[i] for i in live)).tobytes()),
        ("lena", array("I", (index._lena[i] for i in live)).tobytes()),
        ("lang", array("B", (lang_of[index._lang[i]] for i in live)).tobytes()),
    ]
    for name in _TEXT_COLUMNS:
        lengths, text = _text_column(columns[name])
        sections += [(f"{name}.len", lengths), (name, text)]
    header = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "records": len(live),
        "terms": len(terms),
        "langs": langs,
        "sum_lenq": index._sum_lenq,
        "sum_lena": index._sum_lena,
        "sections": [[name, len(data)] for name, data in sections],
        "meta": meta or {},
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    deflate = zlib.compressobj(COMPRESSION_LEVEL)
    parts = [MAGIC, deflate.compress(len(head).to_bytes(4, "little")), deflate.compress(head)]
    parts += [deflate.compress(data) for _, data in sections]
    parts.append(deflate.flush())
    return b"".join(parts)


class _Inflater:
    """The payload, decompressed section by section (input fed in bounded pieces)."""

    PIECE = 1 << 18

    def __init__(self, data: bytes) -> None:
        if not data.startswith(MAGIC):
            raise SnapshotError("not a Kysy search snapshot")
        self._z = zlib.decompressobj()
        self._in = memoryview(data)
        self._pos = len(MAGIC)

    def read(self, n: int) -> bytes:
        parts: list[bytes] = []
        have = 0
        while have < n:
            source: bytes | memoryview = self._z.unconsumed_tail
            if not source:
                if self._pos >= len(self._in):
                    raise SnapshotError("damaged search snapshot: it ends early")
                source = self._in[self._pos : self._pos + self.PIECE]
                self._pos += self.PIECE
            try:
                out = self._z.decompress(source, n - have)
            except zlib.error as error:
                raise SnapshotError(f"damaged search snapshot: {error}") from error
            parts.append(out)
            have += len(out)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def finish(self) -> None:
        rest = self._z.unconsumed_tail + bytes(self._in[self._pos :])
        try:
            extra = self._z.decompress(rest) + self._z.flush()
        except zlib.error as error:
            raise SnapshotError(f"damaged search snapshot: {error}") from error
        if extra or not self._z.eof:
            raise SnapshotError("damaged search snapshot: sections do not add up")


def _header(stream: _Inflater) -> dict[str, Any]:
    try:
        size = int.from_bytes(stream.read(4), "little")
        header: dict[str, Any] = json.loads(stream.read(size))
    except ValueError as error:
        raise SnapshotError(f"damaged search snapshot: {error}") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise SnapshotError(f"search snapshot format {found} (this code reads {FORMAT})")
    return header


def read_meta(data: bytes) -> dict[str, Any]:
    """Only the ``meta`` of a snapshot (decompresses only its header)."""
    meta: dict[str, Any] = _header(_Inflater(data))["meta"]
    return meta


def _array(kind: str, data: bytes, swap: bool) -> array[int]:
    out = array(kind)
    out.frombytes(data)
    if swap:
        out.byteswap()
    return out


def _texts(lengths: array[int], data: bytes) -> list[str]:
    view = memoryview(data)
    ends = accumulate(lengths)
    try:
        return [str(view[end - n : end], "utf-8") for n, end in zip(lengths, ends, strict=True)]
    except (UnicodeDecodeError, ValueError) as error:
        raise SnapshotError(f"damaged search snapshot: {error}") from error


def load(data: bytes) -> tuple[SearchIndex, dict[str, Any]]:
    """The index a snapshot holds, and its ``meta``."""
    stream = _Inflater(data)
    header = _header(stream)
    lengths = dict(header["sections"])

    def section(name: str) -> bytes:
        if name not in lengths:
            raise SnapshotError(f"damaged search snapshot: no section {name!r}")
        return stream.read(lengths[name])

    if [name for name, _ in header["sections"]] != _SECTIONS:
        raise SnapshotError("damaged search snapshot: unexpected sections")
    swap = header["byteorder"] != sys.byteorder
    joined_terms = str(section("terms"), "utf-8")
    terms = joined_terms.split("\n") if header["terms"] else []
    rterms = str(section("rterms"), "utf-8").split("\n") if header["terms"] else []
    df = _array("I", section("df"), swap)
    flat = _array("I", section("postings"), swap)
    if len(terms) != len(df) or sum(df) != len(flat):
        raise SnapshotError("damaged search snapshot: postings do not match the terms")
    index = SearchIndex()
    index._flat = flat
    index._ends = array("Q", accumulate(df))
    index._postings = dict(zip(terms, range(len(terms)), strict=True))  # slots: arrays on first use
    index._vocab = Vocabulary.presorted(terms, rterms, joined=joined_terms)
    index._lenq = _array("I", section("lenq"), swap)
    index._lena = _array("I", section("lena"), swap)
    lang_codes = section("lang")
    columns = {}
    for name in _TEXT_COLUMNS:
        sizes = _array("I", section(f"{name}.len"), swap)
        columns[name] = _texts(sizes, section(name))
    stream.finish()
    records = header["records"]
    sizes_seen = [len(column) for column in columns.values()] + [len(index._lenq), len(index._lena), len(lang_codes)]
    if any(size != records for size in sizes_seen):
        raise SnapshotError("damaged search snapshot: record columns differ in length")
    ids: list[str | None] = list(columns["ids"])
    index._ids = ids
    index._post = [sys.intern(p) for p in columns["posts"]]
    index._question = columns["questions"]
    index._answer = columns["answers"]
    langs: list[str] = header["langs"]
    index._lang = [langs[n] for n in lang_codes]
    index._by_id = dict(zip(columns["ids"], range(records), strict=True))
    index._langs = Counter(index._lang)
    index._sum_lenq = header["sum_lenq"]
    index._sum_lena = header["sum_lena"]
    meta: dict[str, Any] = header["meta"]
    return index, meta
