"""Unit tests of the domain pieces that need no storage: text hygiene, validation, cursors, models, rendering."""

from __future__ import annotations

import pytest

from kysy import errors
from kysy.api.errors import status_of
from kysy.models import QA, Status
from kysy.service import validation
from kysy.service.cursor import decode_cursor, encode_cursor
from kysy.service.render import render_rich_text
from kysy.text import clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  kaksi   välilyöntiä  ", "kaksi välilyöntiä"),
        ("rivi\r\nrivi", "rivi\nrivi"),
        ("kappale\n\n\n\n\ntoinen", "kappale\n\ntoinen"),
        ("nul\x00 ja bell\x07", "nul ja bell"),
        ("a\u0308", "ä"),
        ("zero\u200bwidth", "zero width"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_single_line_fields_fold_newlines():
    assert clean_text("Maija\nMeikäläinen", multiline=False) == "Maija Meikäläinen"


@pytest.mark.parametrize("value", ["blogi-postaus", "Post_1.fi", "ääkköset-ok", "a"])
def test_valid_post_ids(value):
    assert validation.post_id(value) == value


@pytest.mark.parametrize("value", ["", "a#b", "a/b", "-a", "_a", "x" * 129, "a b", "a?b"])
def test_invalid_post_ids(value):
    with pytest.raises(errors.ValidationFailed):
        validation.post_id(value)


def test_question_limits_count_visible_characters_and_the_text_as_sent():
    assert validation.question("  abc  ") == "abc"
    for short in ("  ab  ", "a b", "a\u200b\u200bb", "\x00\x01\x02"):
        with pytest.raises(errors.ValidationFailed, match="at least 3"):
            validation.question(short)
    assert len(validation.question("x" * 2000)) == 2000
    with pytest.raises(errors.ValidationFailed, match="2001"):
        validation.question("x" * 2001)
    with pytest.raises(errors.ValidationFailed, match="2001"):
        validation.question("abc" + " " * 1998)  # counted as sent, like JSON Schema's maxLength


def test_email_is_normalised_and_checked():
    assert validation.email("Maija@Example.COM") == "Maija@example.com"
    assert validation.email(None) == ""
    assert validation.email("") == ""
    bad_ones = ("maija", "maija@", "@example.com", "a@b", "a" * 250 + "@example.com", " maija@example.com", "a@b.test")
    for bad in bad_ones:
        with pytest.raises(errors.ValidationFailed):
            validation.email(bad)


def test_cursor_round_trip_and_scope():
    cursor = encode_cursor("secret", "pub:post-a", "01J0000000000000000000000A")
    assert decode_cursor("secret", "pub:post-a", cursor) == "01J0000000000000000000000A"
    for secret, scope, value in (
        ("other-secret", "pub:post-a", cursor),
        ("secret", "pub:post-b", cursor),
        ("secret", "pub:post-a", cursor[:-3]),
        ("secret", "pub:post-a", "!!!"),
        ("secret", "pub:post-a", "A" * 600),
    ):
        with pytest.raises(errors.InvalidCursor):
            decode_cursor(secret, scope, value)


def test_public_and_admin_views_never_have_an_address_or_client():
    qa = QA(
        post_id="p",
        id="01J0000000000000000000000A",
        question="q?",
        notify=True,
        client="0" * 32,
        flags=("links",),
        status=Status.PUBLISHED,
    )
    assert set(qa.public()) == {"id", "question", "answer", "asker_name", "asked_at", "answered_at"}
    admin = qa.admin()
    assert "asker_email" not in admin
    assert admin["has_email"] is True
    assert admin["flags"] == ["links"]
    assert QA(post_id="p", id=qa.id, question="q?", notify=True, email_expires=1).has_email is False  # expired


def test_rich_text_escapes_everything_but_paragraphs_and_safe_links():
    html = render_rich_text('<img src=x onerror=alert(1)>\n\n[klikkaa](javascript:alert(1)) [ok](https://e.fi/"x)')
    assert "<img" not in html
    assert "&#60;img src=x onerror=alert(1)&#62;" in html  # numeric references, like the widget's JSON-LD
    assert 'href="javascript' not in html
    assert '<a href="https://e.fi/&#34;x" rel="nofollow noopener ugc">ok</a>' in html
    assert html.count("<p>") == 2


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.ValidationFailed("x"), 422),
        (errors.InvalidCursor("x"), 400),
        (errors.PayloadTooLarge("x"), 413),
        (errors.Unauthorized("x"), 401),
        (errors.PostClosed("x"), 403),
        (errors.NotFound("x"), 404),
        (errors.VersionConflict("x", current=None), 409),
        (errors.RequestInProgress("x", retry_after=1), 409),
        (errors.RateLimited("x", retry_after=5), 429),
        (errors.Unavailable("x", retry_after=5), 503),
    ],
)
def test_each_domain_error_has_its_status(error, status):
    assert status_of(error) == status
