"""Unit tests for kysy.search: Finnish morphology, compounds, typos, prefixes, removal, hostile input."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    import kysy  # noqa: F401
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions"))

from kysy.search import MAX_QUERY_CHARS, Highlight, SearchDoc, SearchHit, SearchIndex
from kysy.search.analysis import word_terms
from kysy.search.index import within_one_edit

DOCS = [
    SearchDoc(
        "fi1",
        "post-fi",
        "Mitä vaikuttajamarkkinointi maksaa?",
        "Vaikuttajamarkkinoinnissa hinta riippuu kanavasta ja yleisön koosta.",
        "fi",
    ),
    SearchDoc(
        "fi2",
        "post-fi",
        "Mitkä somekanavat toimivat B2B:ssä?",
        "LinkedIn toimii parhaiten. TikTokin yleisö on nuorempi. NGO:n kannattaa kokeilla molempia.",
        "fi",
    ),
    SearchDoc(
        "fi3",
        "post-fi2",
        "Miten valitsen pankin yritykselle?",
        "Vertaa pankkien kuukausimaksuja vuonna 2021 ja sen jälkeen.",
        "fi",
    ),
    SearchDoc(
        "fi4",
        "post-fi2",
        "Mikä on kassavirtalaskelma?",
        "Laskelma näyttää, milloin raha liikkuu yrityksen tilillä.",
        "fi",
    ),
    SearchDoc(
        "en1",
        "post-en",
        "How do nonprofits raise money online?",
        "Most charities run fundraising campaigns by email and on social media.",
        "en",
    ),
    SearchDoc(
        "en2",
        "post-en",
        "Should we thank every donor?",
        "Yes: thanking donors quickly turns one-time givers into monthly supporters.",
        "en",
    ),
]


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex(DOCS)


def ids(hits: list[SearchHit]) -> list[str]:
    return [h.doc.id for h in hits]


@pytest.mark.parametrize(
    "query",
    ["vaikuttajamarkkinointi", "vaikuttajamarkkinoinnissa", "vaikuttajamarkkinoinniksi", "vaikuttajamarkkinoinnin"],
)
def test_inflected_forms_find_each_other(index: SearchIndex, query: str) -> None:
    assert ids(index.search(query, prefix_last=False))[0] == "fi1"


@pytest.mark.parametrize("query", ["pankki", "pankin", "pankissa", "pankeista"])
def test_consonant_gradation(index: SearchIndex, query: str) -> None:
    assert ids(index.search(query, prefix_last=False))[0] == "fi3"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("markkinointi", "fi1"), ("kanava", "fi2"), ("kanavissa", "fi2"), ("laskelma", "fi4"), ("somekanava", "fi2")],
)
def test_compound_parts_are_found(index: SearchIndex, query: str, expected: str) -> None:
    assert expected in ids(index.search(query, prefix_last=False))


@pytest.mark.parametrize(
    ("query", "expected"),
    [("tiktok", "fi2"), ("TikTokissa", "fi2"), ("ngo", "fi2"), ("B2B", "fi2"), ("2021", "fi3")],
)
def test_brand_names_and_abbreviations(index: SearchIndex, query: str, expected: str) -> None:
    assert ids(index.search(query, prefix_last=False))[0] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("vaikutajamarkkinointi", "fi1"), ("kassavitralaskelma", "fi4"), ("fundrasing", "en1"), ("donnor", "en2")],
)
def test_one_letter_typo_is_found(index: SearchIndex, query: str, expected: str) -> None:
    assert ids(index.search(query, prefix_last=False))[0] == expected


def test_short_words_get_no_typo_tolerance(index: SearchIndex) -> None:
    assert index.search("ngp", prefix_last=False) == []


def test_last_word_matches_as_prefix(index: SearchIndex) -> None:
    assert ids(index.search("vaikuttajamark"))[0] == "fi1"
    assert ids(index.search("fundrai"))[0] == "en1"
    assert ids(index.search("chari"))[0] == "en1"
    assert index.search("chari", prefix_last=False) == []
    # A trailing space means the word is complete: no prefix matching.
    assert index.search("chari ") == []


def test_exact_ranks_above_fuzzy() -> None:
    idx = SearchIndex(
        [
            SearchDoc("exact", "p", "Kanava", "Kanavan valinta.", "fi"),
            SearchDoc("compound", "p", "Somekanava", "Somekanavan valinta.", "fi"),
        ]
    )
    assert ids(idx.search("kanava", prefix_last=False)) == ["exact", "compound"]


def test_english(index: SearchIndex) -> None:
    assert ids(index.search("donors", prefix_last=False))[0] == "en2"
    assert ids(index.search("charity fundraising campaign", prefix_last=False))[0] == "en1"
    assert ids(index.search("How can a nonprofit raise money?", lang="en"))[0] == "en1"


def test_paraphrased_question_finds_answered_one(index: SearchIndex) -> None:
    hits = index.search("Paljonko vaikuttajamarkkinoinnin käyttäminen maksaa meille?", post_id="post-fi")
    assert ids(hits)[0] == "fi1"


def test_post_filter(index: SearchIndex) -> None:
    assert set(ids(index.search("yritykselle", post_id="post-fi2"))) <= {"fi3", "fi4"}
    assert index.search("vaikuttajamarkkinointi", post_id="post-en") == []


def test_removed_and_replaced_docs_are_never_returned(index: SearchIndex) -> None:
    index.remove("fi1")
    assert "fi1" not in ids(index.search("vaikuttajamarkkinointi"))
    assert len(index) == len(DOCS) - 1
    index.remove("fi1")  # idempotent
    index.remove("missing")
    index.add(SearchDoc("fi3", "post-fi2", "Uusi kysymys veroista", "Verot maksetaan ajallaan.", "fi"))
    assert "fi3" not in ids(index.search("pankki"))
    assert ids(index.search("veroista"))[0] == "fi3"
    assert len(index) == len(DOCS) - 1
    for doc in DOCS:
        index.remove(doc.id)
    assert len(index) == 0
    assert index.search("pankki") == []


@pytest.mark.parametrize(
    "query", ["", "   ", "!!!???...", "—–-:;", "x" * 10_000, "pankki " * 2_000, "\x00\u0301\ufffd", "a"]
)
def test_hostile_or_empty_queries_return_quickly(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert isinstance(hits, list)
    if not any(c.isalnum() for c in query):
        assert hits == []


def test_long_query_is_truncated_not_rejected(index: SearchIndex) -> None:
    query = "pankki " + "ö" * 10_000
    assert len(query) > MAX_QUERY_CHARS
    assert ids(index.search(query))[0] == "fi3"


def test_highlights_are_character_ranges(index: SearchIndex) -> None:
    hit = index.search("kanava", prefix_last=False)[0]
    assert hit.doc.id == "fi2" or hit.doc.id == "fi1"
    words = {
        (hl.field, (hit.doc.question if hl.field == "question" else hit.snippet)[hl.start : hl.end])
        for hl in hit.highlights
    }
    for field, text in words:
        assert field in {"question", "snippet"}
        assert "kanav" in text.lower()
    assert all(isinstance(h, Highlight) and h.start < h.end for h in hit.highlights)


def test_long_answer_snippet_is_windowed() -> None:
    answer = ("Täytesanoja ilman merkitystä. " * 40) + "Tässä kohdassa puhutaan pankkilainasta. " + "Loppu. " * 40
    idx = SearchIndex([SearchDoc("x", "p", "Kysymys", answer, "fi")])
    hit = idx.search("pankkilaina", prefix_last=False)[0]
    assert len(hit.snippet) <= 260
    marked = [hit.snippet[h.start : h.end] for h in hit.highlights if h.field == "snippet"]
    assert marked == ["pankkilainasta"]


def test_unicode_normalisation_and_case() -> None:
    decomposed = "Ma\u0308a\u0308ra\u0308"  # "Määrä" with combining diaereses
    idx = SearchIndex([SearchDoc("u", "p", decomposed, "", "fi")])
    hit = idx.search("MÄÄRÄ", prefix_last=False)[0]
    assert hit.doc.question == "Määrä"
    assert hit.highlights == [Highlight("question", 0, 5)]


def test_unknown_language_uses_neutral_analysis() -> None:
    idx = SearchIndex([SearchDoc("s", "p", "Hur väljer man bank?", "Jämför avgifterna noggrant.", "xx")])
    assert ids(idx.search("avgifterna", prefix_last=False)) == ["s"]
    assert ids(idx.search("avgif")) == ["s"]
    assert ids(idx.search("avgiftrna", prefix_last=False)) == ["s"]


def test_deterministic_order_for_ties() -> None:
    docs = [SearchDoc(f"d{i}", "p", "Sama kysymys pankista", "Sama vastaus.", "fi") for i in range(5)]
    idx = SearchIndex(docs)
    assert ids(idx.search("pankki")) == [f"d{i}" for i in range(5)]


def test_analysis_helpers() -> None:
    assert word_terms("ngo:n", "fi") == ("ngo",)
    assert "somekanav" in word_terms("some-kanava", "fi")
    assert word_terms("ja", "fi") == ()
    assert within_one_edit("pankki", "pankki")
    assert within_one_edit("pankki", "pnakki")
    assert within_one_edit("pankki", "pankk")
    assert not within_one_edit("pankki", "pakk")
