"""The widget reports what readers could not find, from a blog on another origin (as in production): the
search the reader settled on, once, when it is cleared or the page is left with no result opened. The
report is text/plain (CORS-safelisted: no preflight) and the widget's as-you-type searches are not
counted by the server themselves."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

INPUT = "kysy-qa >> input#q"
LIST = "kysy-qa >> ul#l > li summary"


def uid() -> str:
    """Letters only: search gaps store digit runs as [number]."""
    return "".join(chr(ord("a") + d % 26) for d in uuid.uuid4().bytes[:8])


def gaps_of(server: Any, post: str) -> dict[str, dict[str, Any]]:
    return {i["query"]: i for i in server.admin("GET", f"/gaps?post_id={post}&limit=100")["items"]}


def wait_gap(server: Any, post: str, query: str, **counts: int) -> dict[str, Any]:
    """Poll the editor API until the report has landed (it travels while the page goes away)."""
    for _ in range(100):
        item = gaps_of(server, post).get(query)
        if item and all(item[k] == v for k, v in counts.items()):
            return item
        time.sleep(0.1)
    pytest.fail(f"no gap {query!r} {counts} for {post}: {gaps_of(server, post)}")


@pytest.fixture(scope="module")
def blog_origin(kysy_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A blog of its own on another origin (another loopback port: Chromium lets a loopback page load
    loopback resources, while a page Playwright fulfils would count as public and be refused), whose
    post pages embed the widget from the Kysy server; /<post>/ embeds post <post>."""
    api = escape(kysy_server.base_url, quote=True)

    class Blog(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            post = escape(self.path.strip("/").split("/")[0] or "index", quote=True)
            body = (
                '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Blogi</title></head><body>'
                f'<main><h1>Blogi</h1><script src="{api}/widget/kysy.js" data-api="{api}" data-post="{post}" async>'
                "</script></main></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Blog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def blog(browser, blog_origin):  # type: ignore[no-untyped-def]
    """A blog post page on another origin embedding the widget from the Kysy server."""
    contexts = []

    def _open(post: str):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": 1000, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.gaps = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("request", lambda r: "/gaps" in r.url and page.gaps.append(r))
        page.goto(f"{blog_origin}/{post}/")
        page.wait_for_selector("kysy-qa >> section")
        page.wait_for_function("() => !document.querySelector('kysy-qa').classList.contains('ld')")
        return page

    yield _open
    for c in contexts:
        c.close()


def search(page: Any, text: str) -> None:
    page.locator(INPUT).focus()
    page.locator(INPUT).press_sequentially(text, delay=30)
    page.wait_for_function(
        "() => { const r = document.querySelector('kysy-qa').shadowRoot;"
        " return !r.querySelector('#l[aria-busy]') && !r.querySelector('p.busy') }"
    )


def post_with_answer(server: Any) -> tuple[str, str]:
    post = "post-" + uid()
    word = "Kvasaari" + uid()
    qa_id = server.submit(post, f"Mikä on {word}?")["id"]
    server.admin("POST", f"/posts/{post}/questions/{qa_id}/answer", {"version": 1, "answer": "Tähti.", "publish": True})
    server.wait_searchable(word, qa_id)
    return post, word


def test_a_fruitless_search_is_reported_once_when_cleared(blog, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post, _ = post_with_answer(kysy_server)
    page = blog(post)
    missing = "Zorblat" + uid()
    search(page, missing)
    assert page.locator(LIST).count() == 0
    # Typing searched the server several times; none of those requests counts by itself.
    assert gaps_of(kysy_server, post) == {}
    assert page.gaps == []
    with page.expect_request(lambda r: "/gaps" in r.url) as sent:
        page.locator(INPUT).fill("")
    request = sent.value
    assert request.method == "POST"
    assert request.url == f"{kysy_server.base_url}/v1/posts/{post}/gaps"
    assert request.headers["content-type"].startswith("text/plain")  # CORS-safelisted: no preflight
    assert json.loads(request.post_data) == {"q": missing, "kind": "no_results"}
    assert request.response().status == 202  # cross-origin, answered with CORS headers
    item = wait_gap(kysy_server, post, missing.casefold(), no_results=1)
    assert item["not_opened"] == 0

    # The same search again in the same page view is not reported twice.
    search(page, missing)
    page.locator(INPUT).fill("")
    other = "Quibble" + uid()
    search(page, other)
    with page.expect_request(lambda r: "/gaps" in r.url):
        page.locator(INPUT).fill("")
    assert [json.loads(r.post_data)["q"] for r in page.gaps] == [missing, other]
    assert page.errors == []


def test_results_nobody_opened_are_reported_when_the_reader_leaves(blog, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post, word = post_with_answer(kysy_server)
    page = blog(post)
    search(page, word)
    assert page.locator(LIST).count() == 1
    page.goto("about:blank")  # the reader leaves: pagehide sends the report (fetch keepalive)
    wait_gap(kysy_server, post, word.casefold(), not_opened=1)

    # A reader who opens a result reports nothing for that search.
    page = blog(post)
    search(page, word)
    page.locator(LIST).first.click()
    page.locator(INPUT).fill("")
    control = "Zorblat" + uid()
    search(page, control)
    with page.expect_request(lambda r: "/gaps" in r.url):
        page.locator(INPUT).fill("")
    assert [json.loads(r.post_data)["q"] for r in page.gaps] == [control]  # requests are logged in order
    assert wait_gap(kysy_server, post, word.casefold())["not_opened"] == 1
    assert page.errors == []
