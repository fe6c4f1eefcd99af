"""The readers' order of a post's answers: ties (an imported post's pairs share one answer time) read in
the post's own order under both orders, later answers come first (newest) or last (oldest), and the
page cursor walks such ties across page boundaries without repeating or skipping a record."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kysy import errors
from kysy.importer import parse_post
from kysy.models import QA, Post, Status
from kysy.service import validation
from kysy.service.cursor import encode_cursor
from kysy.service.imports import plan_import
from kysy.service.ordering import in_reading_order, reading_key, shown_before
from kysy.service.questions import QuestionService
from kysy.settings import Settings

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def qa(qa_id: str, answered: datetime, created: datetime) -> QA:
    return QA(
        post_id="p",
        id=qa_id,
        question=f"Question {qa_id}?",
        answer="Answer.",
        status=Status.PUBLISHED,
        answered_at=stamp(answered),
        created_at=stamp(created),
    )


def imported_block(size: int) -> list[QA]:
    """Pairs 0..size-1 of one post as the importer writes them: one answer time, created = date + index.
    Their ids follow neither the post's order nor its reverse, so an order that falls back to ids shows up."""
    shuffled = [n ^ 1 if n ^ 1 < size else n for n in range(size)]  # 1, 0, 3, 2, ...
    assert shuffled != sorted(shuffled)
    assert shuffled != sorted(shuffled, reverse=True)
    return [qa(f"01H{'Z' * 20}{s:03d}", T0, T0 + timedelta(seconds=n)) for n, s in enumerate(shuffled)]


def test_imported_pairs_read_in_the_posts_order_both_ways_and_later_answers_come_first_or_last():
    block = imported_block(5)
    earlier = qa("01HAAAAAAAAAAAAAAAAAAAAAAA", T0 - timedelta(days=3), T0 - timedelta(days=4))
    later = qa("01H00000000000000000000000", T0 + timedelta(days=2), T0 + timedelta(days=1))
    mixed = [block[3], later, block[0], earlier, block[4], block[1], block[2]]

    assert in_reading_order(mixed, newest=True) == [later, *block, earlier]
    assert in_reading_order(mixed, newest=False) == [earlier, *block, later]


def test_shown_before_agrees_with_the_sort_under_many_ties():
    rng = random.Random(7)
    times = [stamp(T0 + timedelta(seconds=s)) for s in range(3)]
    records = [
        QA(
            post_id="p",
            id=f"01H{n:023d}",
            question="Q?",
            answered_at=rng.choice([*times, ""]),
            created_at=rng.choice(times),
        )
        for n in range(40)
    ]
    for newest in (True, False):
        ordered = in_reading_order(records, newest=newest)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                assert shown_before(reading_key(a), reading_key(b), newest=newest)
                assert not shown_before(reading_key(b), reading_key(a), newest=newest)


@dataclass
class FakeStore:
    """Just the one read ``published`` makes."""

    post: Post
    records: list[QA] = field(default_factory=list)

    def published_of_post(self, post_id: str) -> tuple[Post, list[QA]]:
        return self.post, list(self.records)


def service(store: FakeStore) -> QuestionService:
    return QuestionService(store, Settings(secret="s" * 48))  # type: ignore[arg-type]


def walk(questions: QuestionService, order: str, limit: int, between: Any = None, post_id: str = "p") -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = questions.published(post_id, limit=limit, cursor=cursor, order=order)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        if between is not None:
            between()
            between = None


@pytest.mark.parametrize("order", ["newest", "oldest"])
@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_paging_through_ties_shows_every_record_once_in_order(order, limit):
    block = imported_block(5)
    later = qa("01H00000000000000000000000", T0 + timedelta(days=1), T0 + timedelta(hours=1))
    store = FakeStore(Post(id="p", order=order), [*block, later])
    expected = [later, *block] if order == "newest" else [*block, later]
    assert walk(service(store), order, limit) == [r.id for r in expected]


def test_the_longest_post_id_still_pages():
    """The cursor holds the scope (post id) and three strings, within the contract's CURSOR_MAX."""
    post_id = "ö" * validation.POST_ID_MAX
    block = imported_block(3)
    store = FakeStore(Post(id=post_id), [replace(qa, post_id=post_id) for qa in block])
    assert walk(service(store), "newest", 1, post_id=post_id) == [qa.id for qa in block]


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_records_published_between_pages_neither_repeat_nor_vanish(order):
    block = imported_block(4)
    store = FakeStore(Post(id="p", order=order), list(block))
    newer = qa("01H11111111111111111111111", T0 + timedelta(days=1), T0 + timedelta(days=1))
    # Same answer time as the block: created before pair 1 (belongs before the page already read) and
    # after the last pair (belongs after it, on a later page, in both orders).
    tie_before = qa("01H22222222222222222222222", T0, T0 - timedelta(seconds=1))
    tie_after = qa("01H33333333333333333333333", T0, T0 + timedelta(seconds=10))
    seen = walk(service(store), order, 2, between=lambda: store.records.extend([newer, tie_before, tie_after]))
    if order == "newest":  # the newer answer sorts before the page already read: not shown on later pages
        assert seen == [block[0].id, block[1].id, block[2].id, block[3].id, tie_after.id]
    else:
        assert seen == [block[0].id, block[1].id, block[2].id, block[3].id, tie_after.id, newer.id]


@pytest.mark.parametrize(
    "key",
    ["2024-05-06T00:00:00Z\t01H00000000000000000000000", '["a","b"]', '["a","b",3]', '{"a":1}', "[1,2,3]"],
)
def test_a_cursor_without_a_reading_key_is_refused(key):
    store = FakeStore(Post(id="p"), imported_block(3))
    questions = service(store)
    cursor = encode_cursor(questions.settings.secret, "pub:p:newest", key)  # signed, but not a reading key
    with pytest.raises(errors.InvalidCursor):
        questions.published("p", limit=1, cursor=cursor)


POST = """How do I start?

Install it first and read the guide.

What does it cost?

Nothing for small teams.

Can I export my data?

Yes, as JSON or CSV.
"""


def test_the_importer_answers_every_pair_at_the_post_date_and_records_the_position():
    parsed = parse_post("Date: 2024-03-05\n\n" + POST, fmt="txt")
    plan = plan_import(None, "faq", parsed, now=T0)
    pairs = [r.qa for r in plan.records]
    assert [p.question for p in pairs] == [p.question for p in parsed.pairs]
    assert len(pairs) == 3
    assert {p.answered_at for p in pairs} == {"2024-03-05T00:00:00Z"}
    assert [p.created_at for p in pairs] == [f"2024-03-05T00:00:0{n}Z" for n in range(3)]


@dataclass
class Existing:
    """What an import reads of a post already in the table."""

    stored: list[QA]

    def records(self, post_id: str) -> list[QA]:
        return self.stored

    def tombstones(self, post_id: str) -> set[str]:
        return set()

    def post(self, post_id: str) -> Post | None:
        return None


def test_an_undated_post_keeps_the_time_its_first_import_gave():
    parsed = parse_post(POST, fmt="txt")
    assert parsed.date is None
    first = [r.qa for r in plan_import(None, "faq", parsed, now=T0).records]
    assert {p.answered_at for p in first} == {stamp(T0)}
    again = plan_import(Existing(first), "faq", parsed, now=T0 + timedelta(days=30))  # type: ignore[arg-type]
    assert [r.action for r in again.records] == ["unchanged"] * 3


@pytest.mark.parametrize("date", ["Date: 2024-03-05\n\n", ""])
def test_records_imported_with_one_answer_time_per_pair_are_moved_to_the_post_time(date):
    """Imports before this rule answered pair n at date + n seconds (newest first showed the post
    backwards); the next import rewrites those times, as an update of records still as imported."""
    parsed = parse_post(date + POST, fmt="txt")
    fresh = [r.qa for r in plan_import(None, "faq", parsed, now=T0).records]
    old = [replace(qa, answered_at=qa.created_at, import_hash="") for qa in fresh]
    assert len({qa.answered_at for qa in old}) == 3
    again = plan_import(Existing(old), "faq", parsed, now=T0 + timedelta(days=30))  # type: ignore[arg-type]
    assert [r.action for r in again.records] == ["unchanged", "update", "update"]
    assert [(r.qa.answered_at, r.qa.created_at) for r in again.records] == [
        (qa.answered_at, qa.created_at) for qa in fresh
    ]
