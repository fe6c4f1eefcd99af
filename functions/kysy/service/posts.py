"""Editor use cases for posts: create, edit, open or close for questions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from kysy import i18n
from kysy.errors import Conflict, NotFound, ValidationFailed
from kysy.models import Post, now_iso
from kysy.service import validation
from kysy.service.cursor import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from kysy.repository import Store
    from kysy.settings import Settings

POSTS_PAGE_DEFAULT = 100
POSTS_PAGE_MAX = 100


@dataclass(frozen=True)
class PostChanges:
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    open: bool | None = None
    order: str | None = None


def _checked(changes: PostChanges) -> dict[str, object]:
    out: dict[str, object] = {}
    if changes.title is not None:
        out["title"] = validation.short_text(changes.title, limit=validation.TITLE_MAX, field="title")
    if changes.url is not None:
        out["url"] = validation.url(changes.url)
    if changes.lang is not None:
        langs = i18n.codes()  # the languages the widget, the editor view and the emails speak
        if changes.lang not in langs:
            raise ValidationFailed(f"Language must be one of: {', '.join(langs)}.", code="invalid_lang")
        out["lang"] = changes.lang
    if changes.open is not None:
        out["open"] = changes.open
    if changes.order is not None:
        out["order"] = validation.order(changes.order)
    return out


class PostService:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def page(self, *, limit: int | None, cursor: str | None) -> dict[str, Any]:
        """Saved posts and the ones readers created by asking (``version`` 0), with their counters.

        In post-id order, ``limit`` at a time with a signed cursor; each page costs reads in
        proportion to the page, whatever the number of posts or questions.
        """
        size = POSTS_PAGE_DEFAULT if limit is None else limit
        if not 1 <= size <= POSTS_PAGE_MAX:
            raise ValidationFailed(f"limit must be between 1 and {POSTS_PAGE_MAX}.", code="invalid_limit")
        after = decode_cursor(self.settings.secret, "posts", cursor) if cursor else None
        rows, last = self.store.posts_page(limit=size, after_id=after)
        return {
            "items": [{**row.post.admin(), **asdict(row.counts)} for row in rows],
            "next_cursor": encode_cursor(self.settings.secret, "posts", last) if last else None,
        }

    def get(self, post_id: str) -> Post:
        post = self.store.get_post(validation.post_id(post_id))
        if post is None:
            raise NotFound("There is no such post.", code="post_not_found")
        return post

    def create(self, post_id: str, changes: PostChanges) -> Post:
        validation.post_id(post_id)
        if self.store.get_post(post_id) is not None:
            raise Conflict("A post with this id exists already.", code="post_exists")
        post = Post(id=post_id, **_checked(changes))  # type: ignore[arg-type]
        return self.store.save_post(post, expected_version=None)

    def update(self, post_id: str, *, version: int, changes: PostChanges) -> Post:
        """Edit a post. Version 0 means "never saved": a post readers created by asking (auto-create)."""
        if version == 0:
            return self.create(post_id, changes)
        post = self.get(post_id)
        updated = replace(post, **_checked(changes), version=version + 1, updated_at=now_iso())  # type: ignore[arg-type]
        return self.store.save_post(updated, expected_version=version)
