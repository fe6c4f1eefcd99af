"""End-to-end tests of the embeddable widget (functions/kysy/static/widget/kysy.js) in headless Chromium.

Needs the ``kysy_server`` fixture (tests/conftest.py): an object with ``.base_url`` serving the
reader API, ``/widget/kysy.js`` and the demo post page at ``/demo``.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.e2e.browser import ARTIFACTS, AXE

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"
DRAFT_KEY = "() => JSON.parse(localStorage[Object.keys(localStorage).find(k => k.startsWith('kysy-draft:'))]).k"


@pytest.fixture
def open_demo(browser, kysy_server):  # type: ignore[no-untyped-def]
    contexts = []

    def _open(path: str = "/demo", *, width: int = 1280, scheme: str = "light", setup=None, wait: bool = True):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.dialogs = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        if setup:
            setup(page)
        page.goto(kysy_server.base_url + path)
        if wait:
            page.wait_for_selector("kysy-qa >> section")
            page.wait_for_function(
                "() => { const h = document.querySelector('kysy-qa'); return h && !h.classList.contains('ld') }"
            )
        return page

    yield _open
    for c in contexts:
        c.close()


def post_id(page: Any) -> str:
    return page.eval_on_selector("script[data-api]", "s => s.dataset.post")


def api_list(base: str, post: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/v1/posts/{post}/questions?limit=50") as r:  # noqa: S310
        return json.load(r)


def fake_list(page: Any, items: list[dict[str, Any]], *, open_: bool = True) -> None:
    """Serve a made-up list response (for content the seed does not have)."""

    def handler(route: Any) -> None:
        if "/questions" in route.request.url and route.request.method == "GET":
            body = {
                "post": {"id": "p", "title": "t", "url": "/", "lang": "en", "open": open_},
                "items": items,
                "next_cursor": None,
            }
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/v1/posts/**", handler)


def item(i: str, q: str, a: str, name: str | None = None) -> dict[str, Any]:
    return {
        "id": i,
        "question": q,
        "answer": a,
        "asker_name": name,
        "asked_at": "2024-01-02T10:00:00Z",
        "answered_at": "2024-01-03T10:00:00Z",
    }


def visible_questions(page: Any) -> list[str]:
    return page.locator("kysy-qa >> ul#l > li summary").all_inner_texts()


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"""
    )
    return result  # the demo page itself must be clean too


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"), full_page=True)


def test_list_renders_published_qa_with_one_request(kysy_server, browser) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    api_requests: list[str] = []
    page.on("request", lambda r: "/v1/" in r.url and api_requests.append(r.url))
    page.goto(kysy_server.base_url + "/demo")
    page.wait_for_function("() => !document.querySelector('kysy-qa')?.classList.contains('ld')")
    page.wait_for_timeout(300)
    data = api_list(kysy_server.base_url, post_id(page))
    assert data["items"], "the seed has published Q&A"
    shown = visible_questions(page)
    assert shown[0] == data["items"][0]["question"]
    assert len(shown) == min(5, len(data["items"]))
    if len(data["items"]) > 5:
        toggle = page.locator("kysy-qa >> button[aria-controls=l]")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert len(visible_questions(page)) == len(data["items"])
    assert len(api_requests) == 1, api_requests  # exactly one API request per page view
    ld = page.eval_on_selector('head script[type="application/ld+json"]', "s => JSON.parse(s.textContent)")
    assert ld["@type"] == "FAQPage"
    assert len(ld["mainEntity"]) == len(data["items"])
    ctx.close()


def test_search_narrows_and_highlights(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    data = api_list(kysy_server.base_url, post_id(page))
    target = data["items"][-1]["question"]
    word = max(target.split(), key=len).strip("?!.,:;()")
    page.locator("kysy-qa >> input#q").fill(word.upper())
    shown = visible_questions(page)
    assert target in shown
    assert len(shown) <= len(data["items"])
    assert page.locator("kysy-qa >> ul#l mark").count() > 0
    page.locator("kysy-qa >> input#q").fill("zzqxv nothing matches this")
    page.wait_for_timeout(400)
    assert visible_questions(page) == []
    assert page.locator("kysy-qa >> p[role=status]").first.inner_text().strip() != ""


def test_ask_returns_202_and_says_waiting(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    posts: list[Any] = []
    page.on("response", lambda r: r.request.method == "POST" and posts.append(r))
    page.locator("kysy-qa >> textarea#kq").fill("Miten widgetin e2e-testi toimii oikealla palvelimella?")
    page.locator("kysy-qa >> input#kn").fill("Testaaja")
    page.locator("kysy-qa >> button.p").click()
    status = page.locator("kysy-qa >> form p[role=status]")
    status.filter(has_text="odottaa").or_(status.filter(has_text="waiting")).wait_for()
    assert posts
    assert posts[0].status == 202
    assert posts[0].request.headers.get("idempotency-key")
    assert page.locator("kysy-qa >> textarea#kq").input_value() == ""


def test_client_validation(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    page.locator("kysy-qa >> textarea#kq").fill("a")
    page.locator("kysy-qa >> button.p").click()
    assert page.locator("kysy-qa >> textarea#kq").get_attribute("aria-invalid") == "true"
    assert page.locator("kysy-qa >> form p[role=status]").inner_text().strip()


def test_xss_payload_is_text(open_demo) -> None:  # type: ignore[no-untyped-def]
    items = [item("x1", XSS, f"{XSS}\n\n[click](javascript:alert(2)) and [ok](https://example.com/)", XSS)]
    page = open_demo(setup=lambda p: fake_list(p, items))
    summary = page.locator("kysy-qa >> summary").first
    assert summary.inner_text() == XSS
    summary.click()
    page.wait_for_timeout(300)
    assert page.locator("kysy-qa >> img").count() == 0
    hrefs = page.locator("kysy-qa >> details a").evaluate_all("as => as.map(a => [a.href, a.rel])")
    assert hrefs == [["https://example.com/", "nofollow noopener ugc"]]
    assert page.dialogs == []
    assert page.errors == []


def test_api_down_is_quiet_and_draft_survives_reload(open_demo) -> None:  # type: ignore[no-untyped-def]
    def down(p: Any) -> None:
        p.route(
            "**/v1/**",
            lambda r: r.fulfill(
                status=503, content_type="application/json", body='{"error":{"code":"unavailable","message":"down"}}'
            ),
        )

    page = open_demo(setup=down)
    retry = page.locator("kysy-qa >> button", has_text="Yritä uudelleen").or_(
        page.locator("kysy-qa >> button", has_text="Try again")
    )
    assert retry.is_visible()
    text = "Tämä teksti ei saa kadota, vaikka palvelin on alhaalla."
    page.locator("kysy-qa >> textarea#kq").fill(text)
    page.locator("kysy-qa >> button.p").click()
    page.wait_for_timeout(300)
    assert page.locator("kysy-qa >> form p[role=status]").inner_text().strip()
    key1 = page.evaluate(DRAFT_KEY)
    page.reload()
    page.wait_for_selector("kysy-qa >> textarea#kq")
    assert page.locator("kysy-qa >> textarea#kq").input_value() == text
    key2 = page.evaluate(DRAFT_KEY)
    assert key1
    assert key1 == key2  # the retry reuses the idempotency key
    assert page.errors == []


def test_keyboard_only(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    page.locator("kysy-qa >> input#q").focus()
    page.keyboard.press("Tab")  # "search all posts"
    page.keyboard.press("Tab")  # first question
    assert page.evaluate("() => document.querySelector('kysy-qa').shadowRoot.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("kysy-qa >> details").first.evaluate("d => d.open")
    page.locator("kysy-qa >> textarea#kq").focus()
    page.keyboard.type("Voiko kysymyksen lähettää pelkällä näppäimistöllä?")
    for _ in range(3):
        page.keyboard.press("Tab")
    active = page.evaluate("() => document.querySelector('kysy-qa').shadowRoot.activeElement.className")
    assert active == "p"  # honeypot is skipped
    page.keyboard.press("Enter")
    page.locator("kysy-qa >> form p[role=status]").filter(has_text="odottaa").or_(
        page.locator("kysy-qa >> form p[role=status]").filter(has_text="waiting")
    ).wait_for()


def test_deep_link_opens_answer(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    data = api_list(kysy_server.base_url, post_id(page))
    last = data["items"][-1]
    page2 = open_demo(f"/demo#kysy-{last['id']}")
    assert page2.locator(f"kysy-qa >> li#kysy-{last['id']} details").evaluate("d => d.open")


@pytest.mark.parametrize(
    ("theme", "scheme", "width"), [("light", "light", 1280), ("dark", "dark", 1280), ("mobile", "light", 375)]
)
def test_axe_and_screenshots(open_demo, theme: str, scheme: str, width: int) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("run `npm ci` in widget/ for axe-core")
    page = open_demo(width=width, scheme=scheme)
    if theme == "dark":
        page.eval_on_selector("kysy-qa", "h => h.setAttribute('theme', 'dark')")
    page.locator("kysy-qa >> summary").first.click()
    shot(page, theme)
    violations = run_axe(page)
    assert violations == [], json.dumps(violations, indent=1)[:4000]


@pytest.mark.parametrize(
    ("lang", "title", "ask"),
    [("fi", "Kysymykset ja vastaukset", "Kysy kysymys"), ("en", "Questions and answers", "Ask a question")],
)
def test_languages(open_demo, lang: str, title: str, ask: str) -> None:  # type: ignore[no-untyped-def]
    def set_lang(p: Any) -> None:
        p.add_init_script(f"document.documentElement && document.documentElement.setAttribute('lang', '{lang}')")
        p.add_init_script(
            "new MutationObserver((_, o) => { const s = document.querySelector('script[data-api]');"
            f" if (s) {{ s.dataset.lang = '{lang}'; o.disconnect() }} }})"
            ".observe(document, {childList: true, subtree: true})"
        )

    page = open_demo(setup=set_lang)
    assert page.locator("kysy-qa >> h2").inner_text() == title
    assert page.locator("kysy-qa >> h3").inner_text() == ask


def test_closed_post_hides_form(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo(setup=lambda p: fake_list(p, [item("c1", "Q?", "A.")], open_=False))
    assert not page.locator("kysy-qa >> form").is_visible()
    assert page.locator("kysy-qa >> section > p:not([role])").last.is_visible()
