"""After a release: a browser that still holds the previous kysy.js (cached five minutes) asks for chunk
names that no longer exist. The reader function redirects an unknown hash of a known chunk family to the
current file, and the chunks keep a stable interface, so the widget still shows the list, searches and
takes questions. tests/fixtures/widget/kysy.previous.js is the first view of the release before this one
(its chunk hashes are gone from functions/kysy/static/widget/)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = ROOT / "tests" / "fixtures" / "widget" / "kysy.previous.js"
CURRENT = ROOT / "functions" / "kysy" / "static" / "widget" / "kysy.js"
WIDGET = CURRENT.parent
LIST = "kysy-qa >> ul#l > li summary"


def outdated(script: str) -> str:
    """The current first view as if built by another release: every chunk hash in it replaced."""
    table = re.search(r"\{fi:\[[^}]*\]\}", script)
    assert table, "the first view's language table changed shape"
    return script.replace(table[0], re.sub(r'"[0-9a-f]{10}"', '"0123456789"', table[0]))


def open_with_first_view(browser: Any, server: Any, script: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    page = ctx.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.chunks = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("response", lambda r: "/widget/kysy" in r.url and page.chunks.append((r.status, r.url.rsplit("/", 1)[1])))
    page.route(
        server.base_url + "/widget/kysy.js",
        lambda r: r.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=script),
    )
    page.goto(server.base_url + "/demo")
    page.wait_for_selector("kysy-qa >> section")
    page.wait_for_function("() => !document.querySelector('kysy-qa').classList.contains('ld')")
    return page


def use_search_and_form(page: Any, server: Any) -> None:
    assert page.locator(LIST).count() > 0
    first = page.locator(LIST).first.inner_text()
    word = max(re.findall(r"\w+", first), key=len)
    page.locator("kysy-qa >> input#q").fill(word)
    page.wait_for_function(
        "() => { const r = document.querySelector('kysy-qa').shadowRoot;"
        " return r.querySelector('form') && !r.querySelector('#l[aria-busy]') && !r.querySelector('p.busy') }"
    )
    assert first in page.locator(LIST).all_inner_texts()
    question = f"Toimiiko vanha widget uuden julkaisun jälkeen {uuid.uuid4().hex[:6]}?"
    page.locator("kysy-qa >> textarea#kq").fill(question)
    page.locator("kysy-qa >> button.p").click()
    page.locator("kysy-qa >> form p[role=status]").filter(has_text="odottaa").wait_for()


def test_an_outdated_first_view_gets_the_current_chunks(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_with_first_view(browser, kysy_server, outdated(CURRENT.read_text(encoding="utf-8")))
    use_search_and_form(page, kysy_server)
    redirected = [name for status, name in page.chunks if status == 307]
    assert sorted(redirected) == ["kysy-more.fi.0123456789.js", "kysy.fi.0123456789.js"]
    served = {name for status, name in page.chunks if status == 200}
    assert any(name.startswith("kysy-more.fi.") and (WIDGET / name).exists() for name in served)
    assert page.errors == []
    page.context.close()


def test_the_previous_releases_first_view_works_with_todays_chunks(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    previous = PREVIOUS.read_text(encoding="utf-8")
    gone = [h for h in re.findall(r'"([0-9a-f]{10})"', previous) if not list(WIDGET.glob(f"*.{h}.js"))]
    assert gone, "the fixture must ask for at least one chunk this release no longer has"
    page = open_with_first_view(browser, kysy_server, previous)
    use_search_and_form(page, kysy_server)
    assert any(status == 307 for status, _ in page.chunks)
    assert page.errors == []
    page.context.close()
