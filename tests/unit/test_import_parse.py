"""Importer: hand-written posts in real blog shapes parse exactly; the seed; structure beats wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kysy.importer import ImportFailed, Pair, Unplaced, parse_post, read_source
from kysy.importer.quality import compare, score_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POSTS = FIXTURES / "posts"
EXPECTED = FIXTURES / "expected"
SEED = Path(__file__).resolve().parents[2] / "seed"


def load(name: str):  # type: ignore[no-untyped-def]
    text, fmt = read_source(POSTS / name)
    return parse_post(text, fmt=fmt)


@pytest.mark.parametrize("name", sorted(p.name for p in POSTS.iterdir()))
def test_fixture_parses_exactly_as_expected(name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    got = load(name).as_dict()
    score = compare(got, expected, name)
    assert [(p["question"], p["answer"], p["asker"]) for p in got["pairs"]] == [
        (p["question"], p["answer"], p["asker"]) for p in expected["pairs"]
    ]
    for key in ("title", "date", "language", "intro", "outro"):
        assert got[key] == expected[key], key
    assert [(r["reason"], r["text"]) for r in got["report"]] == [(r["reason"], r["text"]) for r in expected["report"]]
    assert score.perfect


def test_quality_score_over_all_fixtures_is_exact_with_nothing_invented() -> None:
    """The same scoring bench/import_quality.py prints: 100 % exact, 0 invented, >= 15 own posts."""
    scores = score_dir(POSTS, EXPECTED)
    assert len(scores) >= 20
    assert sum(s.exact for s in scores) == sum(s.expected for s in scores) > 80
    assert sum(s.invented for s in scores) == 0
    assert {p.suffix for p in POSTS.iterdir()} == {".html", ".md", ".txt"}
    assert {p.name.split(".")[-2] for p in POSTS.iterdir()} == {"fi", "en"}


def test_scoring_counts_invented_and_inexact_pairs() -> None:
    expected = json.loads((EXPECTED / "qa-labels.en.txt.json").read_text(encoding="utf-8"))
    got = load("qa-labels.en.txt").as_dict()
    got["pairs"] = [*got["pairs"][1:], {"question": "Posted 2025-10-07", "answer": "x", "asker": None}]
    got["pairs"][0] = {**got["pairs"][0], "answer": got["pairs"][0]["answer"] + " More."}
    score = compare(got, expected)
    assert (score.exact, score.expected, score.invented) == (3, 5, 1)
    assert not score.perfect


def test_every_word_of_a_post_is_placed() -> None:
    """Every word ends up in the title, intro, a pair, the outro or the report (never silently dropped)."""
    for name in ("english-plain.en.txt", "prefixed.fi.txt", "qa-labels.en.txt", "kv-kysymykset.fi.txt"):
        text, fmt = read_source(POSTS / name)
        post = parse_post(text, fmt=fmt)
        placed = " ".join(
            [post.title or "", *post.intro, *post.outro, *(p.question + " " + p.answer for p in post.pairs)]
            + [u.text for u in post.report]
        )
        words = set(re.findall(r"\w+", placed))
        date_words = r"\b(date|Posted|Julkaistu|K|V|Q|A)\b|\d{4}-\d\d(-\d\d)?|\d+\.\d+\.\d{4}"
        assert set(re.findall(r"\w+", re.sub(date_words, " ", text))) <= words


# -- the seed ---------------------------------------------------------------------------------


def test_seed_post_still_gives_14_exact_pairs_and_reports_the_orphan_answer() -> None:
    text, fmt = read_source(SEED / "sosiaalinen-media-2021.fi.txt")
    post = parse_post(text, fmt=fmt)
    assert (post.title, post.date, post.lang, post.format) == (
        "Sosiaalinen media vuonna 2021 -webinaarin kysymykset ja vastaukset",
        "2021-12",
        "fi",
        "txt",
    )
    assert len(post.intro) == 1
    assert post.intro[0].startswith("Sosiaalinen media vuonna 2021 -webinaarimme, jossa kävimme")
    assert post.intro[0].endswith("Webinaarissa käsitellyn tutkimusraportin pääset lataamaan tästä.")
    assert len(post.pairs) == 14
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    # Every pair is exactly two consecutive paragraphs of the source: a question and its answer.
    for pair in post.pairs:
        index = paragraphs.index(pair.question)
        assert paragraphs[index + 1] == pair.answer
    assert post.pairs[0].question == "Miten NGO:n kannattaisi tehdä vaikuttajamarkkinointia? Vinkkejä?"
    assert post.pairs[-1].question == "Miten näette ”pitkät” sisällöt somessa?"
    assert post.pairs[8].answer.endswith("kertomaan siitä kavereilleenkin?")  # an answer that ends asking
    assert [u.reason for u in post.report] == ["answer_without_question"]
    assert post.report[0].text.startswith("Kuluttajat ovat mielestämme erittäin medialukutaitoisia")
    assert post.outro == []


def test_seed_pairs_the_parser_is_unsure_of_become_drafts_with_reasons() -> None:
    text, fmt = read_source(SEED / "sosiaalinen-media-2021.fi.txt")
    post = parse_post(text, fmt=fmt)
    unsure = {p.question[:30]: p.reasons for p in post.pairs if p.needs_check}
    # A "question" with no question in it and a 400-character one are for an editor to check.
    assert set(unsure) == {"Ottaen huomioon, että melko pi", "Joskus tuntuu, että yritykset "}
    assert all(unsure.values())
    assert all(0.0 <= p.confidence <= 1.0 for p in post.pairs)


def test_seed_does_not_depend_on_blank_line_runs() -> None:
    text = (SEED / "sosiaalinen-media-2021.fi.txt").read_text(encoding="utf-8")
    squeezed = re.sub(r"\n{3,}", "\n\n", text)
    assert [(p.question, p.answer) for p in parse_post(squeezed, fmt="txt").pairs] == [
        (p.question, p.answer) for p in parse_post(text, fmt="txt").pairs
    ]


# -- structure and wording ------------------------------------------------------------------------


def test_structure_marks_questions_without_question_marks_and_keeps_confidence_high() -> None:
    post = parse_post(
        "<h1>FAQ</h1><dl><dt>Pricing for teams</dt><dd>Ten euros a seat.</dd><dt>Who hosts it</dt>"
        "<dd>You do, on AWS.</dd></dl>",
        fmt="html",
    )
    assert post.title == "FAQ"
    assert [(p.question, p.answer) for p in post.pairs] == [
        ("Pricing for teams", "Ten euros a seat."),
        ("Who hosts it", "You do, on AWS."),
    ]
    assert not any(p.needs_check for p in post.pairs)


def test_labels_in_one_html_paragraph_split_into_question_and_answer() -> None:
    post = parse_post("<p>Q: One?<br>A: Yes.</p><p>Q: Two.<br>A: <b>No</b>, see <a href='/x'>x</a>.</p>", fmt="html")
    assert [(p.question, p.answer) for p in post.pairs] == [("One?", "Yes."), ("Two.", "No, see [x](/x).")]


def test_plain_question_between_answers_in_a_headings_post_stays_in_the_answer() -> None:
    post = parse_post(
        "# FAQ\n\n## How do I start?\n\nInstall it.\n\nWhy does this matter?\n\nBecause setup is half the work.\n\n"
        "## Is it free?\n\nYes.\n",
        fmt="md",
    )
    assert post.pairs[0] == Pair(
        "How do I start?", "Install it.\n\nWhy does this matter?\n\nBecause setup is half the work.", 0,
        confidence=post.pairs[0].confidence,
    )  # fmt: skip
    assert len(post.pairs) == 2


def test_a_word_with_a_colon_is_no_asker_unless_the_post_names_askers() -> None:
    post = parse_post("Miten aloitan?\n\nHuom: asenna ensin työkalu.\n\nVoiko sen poistaa?\n\nVoi.", fmt="txt")
    assert [(p.question, p.answer, p.asker) for p in post.pairs] == [
        ("Miten aloitan?", "Huom: asenna ensin työkalu.", ""),
        ("Voiko sen poistaa?", "Voi.", ""),
    ]


def test_asker_names_from_prefixes_and_anonymous_askers_stay_anonymous() -> None:
    post = parse_post(
        "Maria kysyi: Miten aloitan?\n\nAsenna työkalu.\n\nAnonyymi kysyi: Paljonko se maksaa?\n\nEi mitään.",
        fmt="txt",
    )
    assert [(p.question, p.asker) for p in post.pairs] == [("Miten aloitan?", "Maria"), ("Paljonko se maksaa?", "")]
    labelled = parse_post("Q (Tom): Is there an API?\nA: Yes.\n\nQ from Ann: Is it free?\nA: No.", fmt="txt")
    assert [(p.question, p.answer, p.asker) for p in labelled.pairs] == [
        ("Is there an API?", "Yes.", "Tom"),
        ("Is it free?", "No.", "Ann"),
    ]


def test_dates_from_lines_and_front_matter_and_none_without() -> None:
    assert parse_post("Julkaistu 3.5.2026\n\nMiten?\n\nNäin.", fmt="txt").date == "2026-05-03"
    assert parse_post("Published 2026-04-14\n\nHow?\n\nLike this.", fmt="txt").date == "2026-04-14"
    assert parse_post("Posted on March 3, 2026\n\nHow?\n\nLike this.", fmt="txt").date == "2026-03-03"
    assert parse_post("---\ndate: 2025-01-02\n---\n\n## How?\n\nLike this.\n", fmt="md").date == "2025-01-02"
    undated = parse_post("How?\n\nLike this, since 3 November 2025.", fmt="txt")
    assert undated.date is None
    assert undated.report[0] == Unplaced("", "no_date", -1)


def test_language_detection_and_override() -> None:
    assert parse_post("Miten tämä toimii?\n\nSe toimii hyvin, kun asetukset ovat kunnossa.").lang == "fi"
    assert parse_post("How does it work?\n\nIt works well when the settings are right.").lang == "en"
    assert parse_post("How does it work?\n\nWell.", lang="fi").lang == "fi"


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_empty_post_is_refused(fmt: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_post(" \n\n ", fmt=fmt)
    assert caught.value.code == "empty"


def test_html_never_keeps_markup_scripts_or_unsafe_links() -> None:
    post = load("webinar.en.html")
    everything = json.dumps(post.as_dict())
    for leaked in ("tracking", "Injected", "document.write", "evil.example.com", "javascript:", "<p>", "color"):
        assert leaked not in everything
    assert {"style", "script (2)", "embedded frame"} <= set(post.removed)


def test_plain_text_question_line_directly_above_its_answer() -> None:
    post = parse_post(
        "Usein kysyttyä\n\nMiten aloitan?\nAsenna ensin työkalu.\n\nVoiko tilin poistaa?\nVoi, asetuksista.", fmt="txt"
    )
    assert [(p.question, p.answer) for p in post.pairs] == [
        ("Miten aloitan?", "Asenna ensin työkalu."),
        ("Voiko tilin poistaa?", "Voi, asetuksista."),
    ]


def test_numbered_labels_and_list_items_holding_question_and_answer() -> None:
    text = "Question 1: Is it free?\nAnswer 1: Yes.\n\nQuestion 2: Is it open?\nAnswer 2: MIT."
    labelled = parse_post(text, fmt="txt")
    assert [(p.question, p.answer) for p in labelled.pairs] == [("Is it free?", "Yes."), ("Is it open?", "MIT.")]
    listed = parse_post(
        "<article><h1>Top questions</h1><p>Asked every week.</p><ol>"
        "<li><strong>How do I reset my password?</strong><p>Use the link on the sign-in page.</p></li>"
        "<li><strong>Can I change my username?</strong><p>No, but the display name, yes.</p></li></ol></article>",
        fmt="html",
    )
    assert [(p.question, p.answer) for p in listed.pairs] == [
        ("How do I reset my password?", "Use the link on the sign-in page."),
        ("Can I change my username?", "No, but the display name, yes."),
    ]
