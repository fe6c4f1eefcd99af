"""Editor use cases for posts: create, edit, open or close for questions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kysy.errors import Conflict, NotFound, ValidationFailed
from kysy.models import Post, now_iso
from kysy.service import validation

if TYPE_CHECKING:
    from kysy.repository import Store

LANGS = ("fi", "en", "sv", "de", "fr", "es", "et", "no", "da")


@dataclass(frozen=True)
class PostChanges:
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    open: bool | None = None


def _checked(changes: PostChanges) -> dict[str, object]:
    out: dict[str, object] = {}
    if changes.title is not None:
        out["title"] = validation.short_text(changes.title, limit=validation.TITLE_MAX, field="title")
    if changes.url is not None:
        out["url"] = validation.url(changes.url)
    if changes.lang is not None:
        if changes.lang not in LANGS:
            raise ValidationFailed(f"Language must be one of: {', '.join(LANGS)}.", code="invalid_lang")
        out["lang"] = changes.lang
    if changes.open is not None:
        out["open"] = changes.open
    return out


class PostService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, also: Iterable[str] = ()) -> list[Post]:
        """Saved posts, plus unsaved ones (``version`` 0) that readers created by asking."""
        posts = self.store.list_posts()
        known = {p.id for p in posts}
        return posts + [Post(id=post_id, created_at="", version=0) for post_id in sorted(set(also) - known)]

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
