"""A headless Debian Chromium for each browser test module.

Module scope, not session: Playwright's sync API keeps an event loop running while it is open,
and the handler tests that run after the browser tests need the main thread's loop free.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM) if CHROMIUM.exists() else None, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_editor(browser, kysy_server):  # type: ignore[no-untyped-def]
    """A fresh browser context on /editor/, optionally signed in with a token (default: the editor's)."""
    contexts = []

    def _open(
        token: str | None = "editor",  # noqa: S107 - "editor" means the server's editor token
        *,
        width: int = 1280,
        locale: str = "en-US",
        **ctx_args: Any,
    ):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale=locale, **ctx_args)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("dialog", lambda d: (page.errors.append("dialog: " + d.message), d.dismiss()))
        page.goto(kysy_server.base_url + "/editor/")
        page.wait_for_selector("#token:visible")
        if token:
            page.fill("#token", kysy_server.editor_token if token == "editor" else token)
            page.click("#signin-local button[type=submit]")
            if token == "editor":
                page.wait_for_selector("#app:visible")
                page.wait_for_selector("#queue:not([aria-busy])")
        return page

    yield _open
    for c in contexts:
        c.close()
