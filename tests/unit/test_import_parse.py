"""Importer: fixture posts in different shapes parse to exact pairs, intro and report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kysy.importer import Pair, Unplaced, parse_post, read_source

POSTS = Path(__file__).resolve().parents[1] / "fixtures" / "posts"
SEED = Path(__file__).resolve().parents[2] / "seed"


def load(name: str):  # type: ignore[no-untyped-def]
    text, fmt = read_source(POSTS / name)
    return parse_post(text, fmt=fmt)


def test_plain_english_title_intro_multi_paragraph_answer_and_question_ending_with_period() -> None:
    post = load("english-plain.en.txt")
    assert (post.title, post.date, post.lang, post.format) == ("Webinar follow-up: your questions", None, "en", "txt")
    assert post.intro == [
        "Thank you all for joining our pricing webinar. Below are the questions we did not have time for."
    ]
    assert post.pairs == [
        Pair(
            "How do I move from the monthly plan to the yearly plan?",
            'Open Billing and choose "Switch to yearly". The price difference is credited on your next invoice.',
            0,
        ),
        Pair(
            "Please explain how seats are counted.",
            "A seat is one person who signed in during the billing month. Guests who only read never count.\n\n"
            "Invited users who never accept the invitation are not counted either. Do they still get emails? "
            "No, reminders stop after two weeks.",
            1,
        ),
        Pair(
            "Can we pay by invoice? Our finance team prefers it!",
            "Yes. Invoices are available on the yearly plan, see https://example.com/billing for details.",
            2,
        ),
    ]
    assert post.report == []


def test_markdown_headings_finnish_with_date_line_links_and_deeper_question_heading() -> None:
    post = load("faq-headings.fi.md")
    assert (post.title, post.date, post.lang, post.format) == ("Usein kysyttyä Kysystä", "2021-12-03", "fi", "md")
    assert post.intro == ["Keräsimme tähän lukijoiden kysymykset ja vastauksemme."]
    assert post.pairs == [
        Pair("Mitä Kysy maksaa?", "Kysy on avointa lähdekoodia ja ilmainen. Maksat vain omasta AWS-käytöstäsi.", 0),
        Pair(
            "Kertokaa lisää tietosuojasta.",
            "Kysymysten lähettäjien sähköpostiosoitteet eivät näy lukijoille.\n\n"
            "Tiedot säilyvät omalla AWS-tililläsi, eikä niitä jaeta "
            "[kolmansille osapuolille](https://example.com/tietosuoja).",
            1,
        ),
        Pair("Toimiiko Kysy WordPressissä?", "Toimii: lisää skripti sivun alaosaan.", 2),
    ]
    assert post.report == []


def test_html_h3_questions_links_lists_and_dropped_scripts() -> None:
    post = load("webinar.en.html")
    assert (post.title, post.date, post.lang, post.format) == (
        "Questions from the onboarding webinar",
        "2022-03-15",
        "en",
        "html",
    )
    assert post.intro == ["We answered the best questions below."]
    assert post.pairs == [
        Pair(
            "Which browsers are supported?",
            "All current versions of Chrome, Firefox, Safari and Edge. "
            "See the [browser list](https://example.com/browsers).",
            0,
        ),
        Pair(
            "Tell us about the roadmap.",
            "We ship monthly.\n\n- Search in March\n- Exports in April\n\nDates can move; click here is not a link.",
            1,
        ),
        Pair("Is there a free tier?", "Yes, for one blog.", 2),
    ]
    assert [(u.text, u.reason) for u in post.report] == [
        ("<style>", "removed_markup"),
        ("<script>", "removed_markup"),
        ("<iframe>", "removed_markup"),
        ("<script>", "removed_markup"),
    ]
    everything = repr(post)
    for leaked in ("tracking", "Injected", "document.write", "evil.example.com", "javascript:", "<p>", "color"):
        assert leaked not in everything


def test_prefixed_finnish_orphan_answer_and_unanswered_question() -> None:
    post = load("prefixed.fi.txt")
    assert (post.title, post.date, post.lang) == (None, "2022-05-02", "fi")
    assert post.intro == ["Kokosimme tilaisuuden kysymykset alle."]
    assert post.pairs == [
        Pair("Miten aloitan?", "Asenna ensin komentorivityökalu.", 0),
        Pair(
            "Voiko widgetin värejä muuttaa! Entä fonttia",
            "Voi. Värit tulevat sivun CSS-muuttujista.\n\nFontti periytyy sivulta.",
            1,
        ),
    ]
    assert post.report == [
        Unplaced("Ja vielä: tallenteen linkki lähetetään kaikille osallistujille.", "answer_without_question", 6),
        Unplaced("Milloin seuraava webinaari on?", "question_without_answer", 7),
    ]


def test_bold_questions_and_bold_lead_in_paragraph() -> None:
    post = load("bold.en.md")
    assert (post.title, post.intro, post.lang, post.report) == ("Ask me anything: remote work", [], "en", [])
    assert post.pairs == [
        Pair(
            "How many days a week do you work from home?",
            "Three, usually Monday, Wednesday and Friday. It depends on meetings though — would I skip an offsite? "
            "Never.",
            0,
        ),
        Pair("Tell me how you keep the team connected.", "A short video call every morning.", 1),
        Pair(
            "What tools do you use?",
            "Slack for chat and [Kysy](https://kysy.example.com) for questions from readers.",
            2,
        ),
    ]


def test_plain_text_orphan_answer_after_section_heading_and_answers_with_question_marks() -> None:
    text = (
        "Published: 2023-01-09\n\nWe got many questions in the chat.\n\nThe questions and our answers:\n\n"
        "We think the market keeps growing, and the numbers support it across every channel we measured. "
        "Budgets rose in all sectors, most in retail and least in the public sector where procurement is slow.\n\n"
        "Should we still invest in newsletters?\n\n"
        "Yes. Why? Because readers open them, and the open rates in our study were far above social media reach. "
        "Would we start one today? Certainly, and we would keep it short and regular.\n\n"
        "What about video?\n\n"
        "It works when it is short and has captions, because most people watch without sound on their phones.\n\n"
        "Long videos can work on YouTube when the topic is deep enough and the audience came for it."
    )
    post = parse_post(text)
    assert (post.title, post.date, post.format, post.lang) == (
        "The questions and our answers",
        "2023-01-09",
        "txt",
        "en",
    )
    assert post.intro == ["We got many questions in the chat."]
    assert [p.question for p in post.pairs] == ["Should we still invest in newsletters?", "What about video?"]
    assert post.pairs[0].answer.startswith("Yes. Why?")
    assert post.pairs[1].answer.endswith(
        "\n\nLong videos can work on YouTube when the topic is deep enough and the audience came for it."
    )
    assert len(post.report) == 1
    assert post.report[0].reason == "answer_without_question"
    assert post.report[0].text.startswith("We think the market keeps growing")


def test_html_definition_list_and_q_a_in_one_paragraph() -> None:
    post = parse_post(
        "<h1>FAQ</h1><dl><dt>Is it free?</dt><dd>Yes.</dd><dt>Who hosts it</dt><dd>You do, on AWS.</dd></dl>",
        fmt="html",
    )
    assert post.title == "FAQ"
    assert post.pairs == [Pair("Is it free?", "Yes.", 0), Pair("Who hosts it", "You do, on AWS.", 1)]
    post = parse_post("<p>Q: One?<br>A: Yes.</p><p>Q: Two.<br>A: <b>No</b>, see <a href='/x'>x</a>.</p>", fmt="html")
    assert post.pairs == [Pair("One?", "Yes.", 0), Pair("Two.", "No, see [x](/x).", 1)]


def test_nothing_is_lost() -> None:
    """Every word of a fixture ends up in the title, intro, a pair or the report."""
    for name in ("english-plain.en.txt", "prefixed.fi.txt", "bold.en.md"):
        text, fmt = read_source(POSTS / name)
        post = parse_post(text, fmt=fmt)
        placed = " ".join(
            [post.title or "", *post.intro, *(p.question + " " + p.answer for p in post.pairs)]
            + [u.text for u in post.report]
        )
        words = set(re.findall(r"\w+", placed))
        source_words = set(re.findall(r"\w+", re.sub(r"\b(date|K|V|Q|A)\b|\d{4}-\d\d-\d\d", " ", text)))
        assert source_words <= words, source_words - words


def test_language_detection_and_override() -> None:
    assert parse_post("Miten tämä toimii?\n\nSe toimii hyvin, kun asetukset ovat kunnossa.").lang == "fi"
    assert parse_post("How does it work?\n\nIt works well when the settings are right.").lang == "en"
    assert parse_post("How does it work?\n\nWell.", lang="fi").lang == "fi"


# -- the seed ---------------------------------------------------------------------------------


def test_seed_post() -> None:
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
    assert [p.position for p in post.pairs] == list(range(14))
    first, last = post.pairs[0], post.pairs[-1]
    assert first.question == "Miten NGO:n kannattaisi tehdä vaikuttajamarkkinointia? Vinkkejä?"
    assert first.answer.startswith("Webinaarissa sivuttiinkin tätä, ja ensisijaisesti kannattaa valikoida")
    assert first.answer.endswith("löytyisikö sitä kautta hyviä kontakteja.")
    assert last.question == "Miten näette ”pitkät” sisällöt somessa?"
    assert last.answer.startswith("Tuntuu, että näitä näkee koko ajan enemmän")
    assert last.answer.endswith("jos se sisältö on tarpeeksi hyvin tehty ja mielenkiintoinen.")
    # A question ending with "." and one ending with "!" stay questions; an answer ending with "?" stays an answer.
    questions = [p.question for p in post.pairs]
    assert questions[1].endswith("maksetaan webinaarissa esiintymisestä.")
    assert questions[11].endswith("46% ei aio ottaa uusia alustoja käyttöön!")
    assert post.pairs[8].answer.endswith("kertomaan siitä kavereilleenkin?")
    assert (
        "https://www.thedrum.com/news/2020/10/20/linkedin-rolls-out-stories-feature-worldwide" in post.pairs[12].answer
    )
    # The first paragraph after the heading is an answer whose question is missing from the post.
    assert len(post.report) == 1
    assert post.report[0].reason == "answer_without_question"
    assert post.report[0].text.startswith("Kuluttajat ovat mielestämme erittäin medialukutaitoisia")


def test_seed_does_not_depend_on_blank_line_runs() -> None:
    text = (SEED / "sosiaalinen-media-2021.fi.txt").read_text(encoding="utf-8")
    squeezed = re.sub(r"\n{3,}", "\n\n", text)
    assert parse_post(squeezed, fmt="txt") == parse_post(text, fmt="txt")


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_empty_post_is_refused(fmt: str) -> None:
    from kysy.importer import ImportFailed

    with pytest.raises(ImportFailed) as caught:
        parse_post(" \n\n ", fmt=fmt)
    assert caught.value.code == "empty"
