"""The key layout: every key string and index attribute Kysy writes, and item <-> record conversion.

| item | PK | SK | index attributes |
|---|---|---|---|
| post META | ``POST#<post>`` | ``META`` | GSI1 ``POST#<post>``/``#META``; GSI2 ``POSTS``/``<post>`` |
| published Q&A | ``POST#<post>`` | ``QA#<id>`` | GSI1 ``POST#<post>``/``QA#<id>``; GSI2 ``PUB``/``<id>`` |
| pending Q&A | ``ASK#<post>`` | ``QA#<id>`` | GSI3 ``QUEUE``/``<id>`` |
| rejected/duplicate Q&A | ``ASK#<post>`` | ``QA#<id>`` | GSI3 ``REJECTED``/``<id>`` |
| asker address (consent only) | ``EMAIL#<id>`` | ``EMAIL`` | none; ``ttl`` |
| data-subject lookup | ``SUBJECT#<hmac>`` | ``QA#<post>#<id>`` | none; ``ttl`` |
| counters per post | ``COUNTS`` | ``POST#<post>`` | none |
| rate limits | ``RATE#<client>#<post>`` | ``W#<window start>`` | none; ``ttl`` |
| | ``RATE#<client>`` | ``D#<day>`` (questions), ``NP#<day>`` (new posts) | none; ``ttl`` |
| | ``RATE#ALL`` | ``NP#<day>`` (new posts, everyone) | none; ``ttl`` |
| bulk-action undo batch | ``BULK#<batch>`` | ``META`` | none; ``ttl`` |
| import tombstone (editor deleted an imported record) | ``IMPORT#<post>`` | ``TOMB#<import key>`` | none |
| search index state | ``SEARCH`` | ``INDEX`` | none (:mod:`kysy.repository.search_index`) |
| search index change | ``SEARCH`` | ``CHANGE#<version, 12 digits>`` | none; ``ttl`` |
| search gap | ``GAPS#<post>`` | ``W#<iso week>#<query>`` | GSI3 ``GAPS``/``<post>#<week>#<query>``; ``ttl`` |
| | ``RATE#<client>`` | ``G#<day>`` (gap reports per client and day) | none; ``ttl`` |

GSI1 ("public") and GSI2 ("lists") hold only what is public anyway (posts and published records);
GSI3 ("private", ``QPK``/``QSK``) holds the editors' lists of pending and rejected questions, and
the search gaps (normalised query text, counts per ISO week; nothing about who searched). The
reader function may set ``QPK``/``QSK`` on the questions it creates and nothing else: its IAM
policy's ``dynamodb:Attributes`` list leaves out every ``GSI1*``/``GSI2*`` attribute, so it cannot
place anything in the public indexes. Whatever is built for the public from these indexes or the
stream must still trust only items whose PK starts with ``POST#`` (:func:`is_public_item`).
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from kysy.models import QA, AuditEntry, Post, Status
from kysy.repository.attrs import from_item, to_item

PUBLIC_INDEX = "GSI1"
LIST_INDEX = "GSI2"
PRIVATE_INDEX = "GSI3"
META_SK = "META"
META_GSI1SK = "#META"  # sorts before every "QA#..." so the post comes first in the widget's Query
QUEUE = "QUEUE"
REJECTED = "REJECTED"
PUBLISHED = "PUB"
POSTS = "POSTS"
COUNTS_PK = "COUNTS"
SEARCH_PK = "SEARCH"
POST_PREFIX = "POST#"
ASK_PREFIX = "ASK#"
EMAIL_PREFIX = "EMAIL#"
SUBJECT_PREFIX = "SUBJECT#"
BULK_PREFIX = "BULK#"
RATE_PREFIX = "RATE#"
IMPORT_PREFIX = "IMPORT#"
TOMB_PREFIX = "TOMB#"
GAPS = "GAPS"
GAPS_PREFIX = "GAPS#"
# Attributes that place an item in an index, by index; the reader may set only PRIVATE_INDEX's.
INDEX_ATTRIBUTES = {
    PUBLIC_INDEX: ("GSI1PK", "GSI1SK"),
    LIST_INDEX: ("GSI2PK", "GSI2SK"),
    PRIVATE_INDEX: ("QPK", "QSK"),
}

Key = dict[str, Any]

_QA_FIELDS = {f.name for f in fields(QA)}
_QA_DEFAULTS = {f.name: f.default for f in fields(QA) if f.default is not MISSING}
_QA_FACTORIES = {f.name: f.default_factory for f in fields(QA) if f.default_factory is not MISSING}
_POST_FIELDS = {f.name for f in fields(Post)}
_INTEGERS = {"version", "ttl", "count", "v", "email_expires"}


def to_attrs(values: dict[str, Any]) -> dict[str, Any]:
    return to_item(values)


def plain(item: dict[str, Any]) -> dict[str, Any]:
    out = from_item(item)
    for name in _INTEGERS & out.keys():
        out[name] = int(out[name])
    return out


def key(pk: str, sk: str) -> Key:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def post_pk(post_id: str) -> str:
    return f"{POST_PREFIX}{post_id}"


def ask_pk(post_id: str) -> str:
    return f"{ASK_PREFIX}{post_id}"


def qa_pk(post_id: str, status: Status) -> str:
    return post_pk(post_id) if status is Status.PUBLISHED else ask_pk(post_id)


def qa_key(qa: QA) -> Key:
    return key(qa_pk(qa.post_id, qa.status), f"QA#{qa.id}")


def post_key(post_id: str) -> Key:
    return key(post_pk(post_id), META_SK)


def email_key(qa_id: str) -> Key:
    return key(f"{EMAIL_PREFIX}{qa_id}", "EMAIL")


def subject_pk(subject: str) -> str:
    return f"{SUBJECT_PREFIX}{subject}"


def subject_key(subject: str, post_id: str, qa_id: str) -> Key:
    return key(subject_pk(subject), f"QA#{post_id}#{qa_id}")


def counts_key(post_id: str) -> Key:
    return key(COUNTS_PK, post_pk(post_id))


def import_pk(post_id: str) -> str:
    return f"{IMPORT_PREFIX}{post_id}"


def tombstone_key(post_id: str, import_key: str) -> Key:
    return key(import_pk(post_id), f"{TOMB_PREFIX}{import_key}")


def bulk_key(batch_id: str) -> Key:
    return key(f"{BULK_PREFIX}{batch_id}", META_SK)


def window_key(client: str, post_id: str, start: int) -> Key:
    return key(f"{RATE_PREFIX}{client}#{post_id}", f"W#{start}")


def day_key(client: str, day: str) -> Key:
    return key(f"{RATE_PREFIX}{client}", f"D#{day}")


def new_post_key(client: str | None, day: str) -> Key:
    """New posts created by one client's questions per day, or by everyone's (``client=None``)."""
    return key(f"{RATE_PREFIX}{client or 'ALL'}", f"NP#{day}")


def search_state_key() -> Key:
    return key(SEARCH_PK, "INDEX")


def search_change_key(version: int) -> Key:
    return key(SEARCH_PK, f"CHANGE#{version:012d}")


def search_change_version(sort_key: str) -> int:
    return int(sort_key.removeprefix("CHANGE#"))


def gap_key(post_id: str, week: str, query: str) -> Key:
    return key(f"{GAPS_PREFIX}{post_id}", f"W#{week}#{query}")


def gap_list_sk(post_id: str, week: str = "", query: str = "") -> str:
    """The gap's place in the private index (GSI3 ``GAPS``): by post, then week. ``post#`` alone is a prefix."""
    return f"{post_id}#{week}#{query}" if week else f"{post_id}#"


def gap_rate_key(client: str, day: str) -> Key:
    """Search gaps one client may report per UTC day."""
    return key(f"{RATE_PREFIX}{client}", f"G#{day}")


def is_public_item(item: dict[str, Any]) -> bool:
    """Only ``POST#`` items are public: the reader role cannot write there, whatever else an item says."""
    return str(item.get("PK", {}).get("S", "")).startswith(POST_PREFIX)


# ------------------------------------------------------------------------------------------ records
def qa_to_item(qa: QA) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(qa, name) for name in _QA_FIELDS}
    values["status"] = qa.status.value
    values["audit"] = [vars(entry) for entry in qa.audit[-50:]]
    values["flags"] = list(qa.flags)
    item = {"PK": qa_pk(qa.post_id, qa.status), "SK": f"QA#{qa.id}", "type": "qa", **values}
    if qa.status is Status.PUBLISHED:
        # Public now: the client hash has no use any more and never goes into a public index.
        item |= {"client": "", "GSI1PK": post_pk(qa.post_id), "GSI1SK": f"QA#{qa.id}", "GSI2PK": PUBLISHED}
        item["GSI2SK"] = qa.id
    elif qa.status is Status.PENDING:
        item |= {"QPK": QUEUE, "QSK": qa.id}
    else:
        item |= {"QPK": REJECTED, "QSK": qa.id}
    if not qa.email_expires:
        item.pop("email_expires")
    if not qa.import_hash:
        item.pop("import_hash")  # only imported records carry one (the reader never writes it)
    return to_attrs(item)


def qa_from_item(item: dict[str, Any]) -> QA:
    # Only the record's own fields are converted (not keys or index attributes): this runs for
    # every record of every widget view.
    values = plain({k: v for k, v in item.items() if k in _QA_FIELDS})
    values["status"] = Status(values["status"])
    values["notify"] = bool(values.get("notify", False))
    values["audit"] = tuple(AuditEntry(**entry) for entry in values.get("audit", []))
    values["flags"] = tuple(str(f) for f in values.get("flags", ()))
    return _stored_qa(values)


def _stored_qa(values: dict[str, Any]) -> QA:
    """A QA from stored values, without the frozen dataclass's ``__init__``.

    That ``__init__`` sets its ~20 fields one ``object.__setattr__`` at a time, which was half the
    cost of reading a record (a widget view reads up to a hundred). Stored values were validated
    when written, so the instance dict is filled in one step. A model that gains ``__post_init__``
    (validation) is built normally again.
    """
    if hasattr(QA, "__post_init__"):
        return QA(**values)
    state = {**_QA_DEFAULTS, **values}
    for name, factory in _QA_FACTORIES.items():
        if name not in state:
            state[name] = factory()
    qa = object.__new__(QA)
    object.__setattr__(qa, "__dict__", state)
    return qa


def post_to_item(post: Post) -> dict[str, Any]:
    values = {name: getattr(post, name) for name in _POST_FIELDS}
    return to_attrs(
        {
            "PK": post_pk(post.id),
            "SK": META_SK,
            "type": "post",
            "GSI1PK": post_pk(post.id),
            "GSI1SK": META_GSI1SK,
            "GSI2PK": POSTS,
            "GSI2SK": post.id,
            **values,
        }
    )


def post_from_item(item: dict[str, Any]) -> Post:
    data = plain(item)
    values = {k: v for k, v in data.items() if k in _POST_FIELDS}
    values["open"] = bool(values.get("open", True))
    return Post(**values)
