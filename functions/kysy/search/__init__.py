"""Kysy search engine: pure Python, no I/O. Finnish/English analysis, fuzzy vocabulary, BM25F.

Usage: ``SearchIndex(docs).search("vaikuttajamarkkinointi", post_id=...)``. See ``index.py`` for the
matching rules and ``bench/search_quality.py`` / ``bench/search_scale.py`` for the measurements.
"""

from __future__ import annotations

from .index import MAX_QUERY_CHARS, SearchIndex
from .types import Highlight, SearchDoc, SearchHit

__all__ = ["MAX_QUERY_CHARS", "Highlight", "SearchDoc", "SearchHit", "SearchIndex"]
