"""End-to-end tests of the embeddable widget (functions/kysy/static/widget/) in headless Chromium.

Needs the ``kysy_server`` fixture (tests/conftest.py): the local stack serving the reader and editor
APIs, ``/widget/kysy.js`` (+ its hashed chunks) and the demo post page at ``/demo``.
"""

from __future__ import annotations

import json
import re
import uuid
from html import escape
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.browser import ARTIFACTS, AXE

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"
DEMO_POST = "sosiaalinen-media-2021"
DRAFT = "() => JSON.parse(localStorage[Object.keys(localStorage).find(k => k.startsWith('kysy-draft:'))] || 'null')"
LIST = "kysy-qa >> ul#l > li summary"
STATUS = "kysy-qa >> section > p[role=status]"
# No idle callback: the second chunk then loads only when the reader reaches or touches it.
NO_IDLE = "window.requestIdleCallback = () => 0;"


# ---------------------------------------------------------------- helpers
def uid() -> str:
    return uuid.uuid4().hex[:8]


def publish_answer(server: Any, post: str, question: str, answer: str) -> str:
    """A reader asks, an editor answers and publishes: both through the APIs."""
    qa_id = str(server.submit(post, question)["id"])
    server.admin("POST", f"/posts/{post}/questions/{qa_id}/answer", {"version": 1, "answer": answer, "publish": True})
    return qa_id


def api(server: Any, path: str) -> Any:
    with httpx.Client(timeout=10) as client:
        return client.get(server.base_url + path).json()


def page_html(server: Any, post: str, **data: str) -> str:
    """A blog page of our own (served by a route on the server's origin) embedding the widget."""
    attrs = "".join(f' data-{k}="{escape(v, quote=True)}"' for k, v in {"api": server.base_url, **data}.items())
    return (
        '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>t</title></head><body><main>'
        f'<h1>Testi</h1><div data-kysy></div><script src="/widget/kysy.js" data-post="{post}"{attrs} async>'
        "</script></main></body></html>"
    )


@pytest.fixture
def open_demo(browser, kysy_server):  # type: ignore[no-untyped-def]
    contexts = []

    def _open(
        path: str = "/demo",
        *,
        width: int = 1280,
        height: int = 900,
        scheme: str = "light",
        setup=None,
        wait: bool = True,
        html: str | None = None,
    ):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.dialogs = []  # type: ignore[attr-defined]
        page.requests = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: page.requests.append(r.url.replace(kysy_server.base_url, "")))
        if html is not None:
            page.route(
                kysy_server.base_url + path, lambda r: r.fulfill(status=200, content_type="text/html", body=html)
            )
        if setup:
            setup(page)
        page.goto(kysy_server.base_url + path)
        if wait:
            wait_listed(page)
        return page

    yield _open
    for c in contexts:
        c.close()


def wait_listed(page: Any) -> None:
    page.wait_for_selector("kysy-qa >> section")
    page.wait_for_function(
        "() => { const h = document.querySelector('kysy-qa'); return h && !h.classList.contains('ld') }"
    )


def wait_form(page: Any) -> None:
    """Touch search, then wait until the second chunk has filled its slot (the form or the closed note)."""
    page.locator("kysy-qa >> input#q").focus()
    page.wait_for_function("() => !document.querySelector('kysy-qa').shadowRoot.querySelector('.slot')")


def search(page: Any, text: str) -> None:
    """Type like a reader and wait until the widget's answer is final (not pending)."""
    page.locator("kysy-qa >> input#q").focus()
    page.locator("kysy-qa >> input#q").press_sequentially(text, delay=30)
    page.wait_for_function(
        "() => { const r = document.querySelector('kysy-qa').shadowRoot;"
        " return !r.querySelector('#l[aria-busy]') && !r.querySelector('p.busy') }"
    )


def visible_questions(page: Any) -> list[str]:
    return page.locator(LIST).all_inner_texts()


def fake_list(page: Any, items: list[dict[str, Any]], *, open_: bool = True, lang: str = "en") -> None:
    """Serve a made-up list response (for content the seed does not have)."""

    def handler(route: Any) -> None:
        if "/questions" in route.request.url and route.request.method == "GET":
            body = {
                "post": {"id": "p", "title": "t", "url": "/", "lang": lang, "open": open_, "order": "newest"},
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


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
              .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return list(result)  # the demo page itself must be clean too


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"), full_page=True)


def chunk_requests(page: Any) -> list[str]:
    return [r for r in page.requests if "/widget/kysy-more." in r]


# ---------------------------------------------------------------- first view
def test_list_renders_published_qa_with_one_request(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    page.wait_for_timeout(300)
    data = api(kysy_server, f"/v1/posts/{DEMO_POST}/questions?limit=50")
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
    api_requests = [r for r in page.requests if "/v1/" in r]
    assert len(api_requests) == 1, api_requests  # exactly one API request per page view
    page.locator(LIST).first.click()
    meta = page.locator("kysy-qa >> ul#l details .m").first.inner_text()
    # "[asker · ]1. joulukuuta 2021": the date, and no other-post label on the post's own answers
    assert re.search(r"(^| · )\d{1,2}\. \w+ \d{4}$", meta), meta
    assert "Kirjoituksesta" not in meta
    page.wait_for_selector("kysy-qa >> form", state="attached")  # the second chunk changes nothing of that
    assert page.locator("kysy-qa >> ul#l details .m").first.inner_text() == meta
    assert "undefined" not in page.locator("kysy-qa >> section").inner_text()
    ld = page.eval_on_selector('head script[type="application/ld+json"]', "s => JSON.parse(s.textContent)")
    assert ld["@type"] == "FAQPage"
    assert len(ld["mainEntity"]) == len(data["items"])
    assert page.errors == []


def test_second_chunk_waits_for_the_reader_or_idle_time(open_demo) -> None:  # type: ignore[no-untyped-def]
    # A short window and no idle callbacks: nothing but the first view loads until the reader acts.
    page = open_demo(height=500, setup=lambda p: p.add_init_script(NO_IDLE))
    first = [r for r in page.requests if "/widget/" in r]
    assert first[0] == "/widget/kysy.js"
    assert re.fullmatch(r"/widget/kysy\.fi\.[0-9a-f]{10}\.js", first[1]), first  # one language's strings
    assert [r for r in page.requests if "/widget/kysy.en." in r or "/widget/kysy.sv." in r] == []
    page.wait_for_timeout(800)
    assert chunk_requests(page) == []
    assert page.locator("kysy-qa >> form").count() == 0
    page.locator("kysy-qa >> input#q").focus()  # the reader touches search
    page.wait_for_selector("kysy-qa >> form", state="attached")
    assert len(chunk_requests(page)) == 1
    assert re.fullmatch(r"/widget/kysy-more\.fi\.[0-9a-f]{10}\.js", chunk_requests(page)[0])

    # Reaching the form by scrolling loads it too.
    page2 = open_demo(height=500, setup=lambda p: p.add_init_script(NO_IDLE))
    page2.wait_for_timeout(500)
    assert chunk_requests(page2) == []
    page2.locator("kysy-qa >> .slot").scroll_into_view_if_needed()
    page2.wait_for_selector("kysy-qa >> form", state="attached")

    # With idle time, it loads after the first view is in place, without any interaction.
    page3 = open_demo(height=500)
    page3.wait_for_selector("kysy-qa >> form", state="attached")
    order = page3.requests
    list_at = next(i for i, r in enumerate(order) if "/v1/posts/" in r)
    assert next(i for i, r in enumerate(order) if "/widget/kysy-more." in r) > list_at
    for p in (page, page2, page3):
        assert p.errors == []


def test_second_chunk_is_served_immutable_and_kysy_js_briefly(kysy_server) -> None:  # type: ignore[no-untyped-def]
    manifest = httpx.get(kysy_server.base_url + "/widget/manifest.json", timeout=10).json()
    chunk = manifest["languages"]["fi"]["second_chunk"][0]
    hashed = httpx.get(f"{kysy_server.base_url}/widget/{chunk}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert hashed.status_code == 200
    assert "immutable" in hashed.headers["cache-control"]
    assert hashed.headers["content-encoding"] == "gzip"
    loader = httpx.get(kysy_server.base_url + "/widget/kysy.js", timeout=10)
    assert "immutable" not in loader.headers["cache-control"]


# ---------------------------------------------------------------- search
def test_typed_inflected_finnish_word_shows_the_servers_ranking(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    word = "somelähettiläät"  # the seed says "somelähettiläitä", "somelähettiläilleen"
    expected = api(kysy_server, f"/v1/search?limit=20&post_id={DEMO_POST}&q={quote(word)}")["items"]
    assert expected, "the engine finds the inflected word"
    page = open_demo()
    page.evaluate(
        """() => { window.statusLog = []; const p = document.querySelector('kysy-qa').shadowRoot
             .querySelector('section > p[role=status]');
           new MutationObserver(() => window.statusLog.push(p.textContent)).observe(p, {childList: true,
             characterData: true, subtree: true}); }"""
    )
    search(page, word)
    # The server's ranking, in its order (local matches it did not return would follow; here there are none).
    assert visible_questions(page) == [i["question"] for i in expected]
    assert page.locator("kysy-qa >> ul#l mark").count() > 0  # the server's matched words are marked
    status = page.locator(STATUS).inner_text()
    assert str(len(expected)) in status  # the count, announced by role=status
    nothing = {"Ei osumia. Kokeile muita sanoja tai kysy alla!"}
    assert not nothing & set(page.evaluate("window.statusLog")), "said 'no results' while the server was pending"
    assert any(r.startswith("/v1/search?") and "post_id=" + DEMO_POST in r for r in page.requests)
    # Same query again: answered from the widget's cache, no new request.
    before = len([r for r in page.requests if r.startswith("/v1/search")])
    page.locator("kysy-qa >> input#q").fill("")
    page.locator("kysy-qa >> input#q").fill(word)
    page.wait_for_timeout(400)
    assert len([r for r in page.requests if r.startswith("/v1/search")]) == before
    assert visible_questions(page) == [i["question"] for i in expected]
    assert page.errors == []


def test_search_with_nothing_to_find_says_so_after_the_server(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    search(page, "zzqxv nothing matches this")
    assert visible_questions(page) == []
    assert "Ei osumia" in page.locator(STATUS).inner_text()


def test_server_failure_keeps_local_results_with_a_quiet_note(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    def broken(p: Any) -> None:
        p.route("**/v1/search**", lambda r: r.fulfill(status=500, content_type="application/json", body="{}"))

    page = open_demo(setup=broken)
    data = api(kysy_server, f"/v1/posts/{DEMO_POST}/questions?limit=50")
    target = data["items"][-1]["question"]
    word = max(re.findall(r"\w+", target), key=len)
    search(page, word.upper())
    assert target in visible_questions(page)  # the instant local results stay
    note = page.locator(STATUS)
    assert "note" in (note.get_attribute("class") or "")
    assert "pikahaun" in note.inner_text()
    assert page.locator("kysy-qa >> ul#l mark").count() > 0
    page.locator("kysy-qa >> input#q").fill("")
    search(page, "zzqxv")
    assert visible_questions(page) == []
    assert "Ei osumia" in note.inner_text()
    assert "pikahaun" in note.inner_text()
    assert page.errors == []


def test_result_from_another_post_names_it_with_a_link(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    other = "post-" + uid()
    url = f"https://blog.example.com/{other}/"
    kysy_server.admin("POST", "/posts", {"id": other, "title": "Toinen kirjoitus", "url": url, "lang": "fi"})
    word = "Kvasaari" + uid()
    qa_id = publish_answer(kysy_server, other, f"Miten {word} toimii?", "Hyvin.")
    kysy_server.wait_searchable(word, qa_id)
    page = open_demo()
    wait_form(page)
    page.locator("kysy-qa >> button[aria-pressed]").click()
    assert page.locator("kysy-qa >> button[aria-pressed]").get_attribute("aria-pressed") == "true"
    search(page, word)
    assert visible_questions(page) == [f"Miten {word} toimii?"]
    page.locator(LIST).first.click()
    link = page.locator("kysy-qa >> ul#l .m a")
    assert link.inner_text() == "Toinen kirjoitus"
    assert link.get_attribute("href") == f"{url}#kysy-{qa_id}"
    assert page.errors == []


# ---------------------------------------------------------------- fresh answers, order
def test_publish_then_reader_reload_shows_it(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    before = visible_questions(page)
    question = f"Näkyykö uusi vastaus heti {uid()}?"
    publish_answer(kysy_server, DEMO_POST, question, "Näkyy, kun sivu ladataan uudelleen.")

    responses: list[Any] = []
    page.on("response", lambda r: "/questions?" in r.url and responses.append(r))
    page.reload()
    wait_listed(page)
    assert visible_questions(page)[0] == question  # newest answers first, at once (no 60 s cache)
    assert visible_questions(page)[1:] == before[:4]
    assert responses[-1].status == 200

    responses.clear()
    page.reload()  # nothing changed: the browser revalidates and the server says 304
    wait_listed(page)
    assert visible_questions(page)[0] == question
    revalidation = responses[-1]
    assert revalidation.request.all_headers().get("if-none-match") or revalidation.status == 304
    assert page.errors == []


def test_order_attribute_and_post_setting(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    kysy_server.admin("POST", "/posts", {"id": post, "title": "Järjestys", "lang": "fi", "order": "oldest"})
    questions = [f"Järjestyskysymys {n} {uid()}?" for n in range(3)]
    for q in questions:
        publish_answer(kysy_server, post, q, "Vastaus.")
    page = open_demo("/t/order-post", html=page_html(kysy_server, post))
    assert visible_questions(page) == questions  # the post's setting: oldest first
    page = open_demo("/t/order-attr", html=page_html(kysy_server, post, order="newest"))
    assert any("&order=newest" in r for r in page.requests)
    assert visible_questions(page) == questions[::-1]  # the attribute overrides it


# ---------------------------------------------------------------- rendering and safety
def test_answers_render_lists_links_and_bare_urls_as_text_nodes(open_demo) -> None:  # type: ignore[no-untyped-def]
    answer = f"{XSS}\n\nVaihtoehdot:\n- [ok](https://example.com/)\n- katso https://example.com/b.\n\n[click](javascript:alert(2))"
    page = open_demo(setup=lambda p: fake_list(p, [item("x1", XSS, answer, XSS)]))
    summary = page.locator("kysy-qa >> summary").first
    assert summary.inner_text() == XSS
    summary.click()
    assert page.locator("kysy-qa >> img").count() == 0
    assert page.locator("kysy-qa >> details ul li").count() == 2
    hrefs = page.locator("kysy-qa >> details a").evaluate_all("as => as.map(a => [a.getAttribute('href'), a.rel])")
    assert hrefs == [
        ["https://example.com/", "nofollow noopener ugc"],
        ["https://example.com/b", "nofollow noopener ugc"],
    ]
    assert "[click](javascript:alert(2))" in page.locator("kysy-qa >> details").inner_text()
    assert page.dialogs == []
    assert page.errors == []


# ---------------------------------------------------------------- asking
def test_ask_returns_202_and_says_waiting(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    wait_form(page)
    posts: list[Any] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r))
    page.locator("kysy-qa >> textarea#kq").fill("Miten widgetin e2e-testi toimii oikealla palvelimella?")
    page.locator("kysy-qa >> input#kn").fill("Testaaja")
    page.locator("kysy-qa >> button.p").click()
    status = page.locator("kysy-qa >> form p[role=status]")
    status.filter(has_text="odottaa").wait_for()
    assert "ok" in (status.get_attribute("class") or "")  # success looks different from an error
    assert posts
    assert posts[0].response().status == 202
    assert posts[0].headers.get("idempotency-key")
    assert json.loads(posts[0].post_data)["notify"] is False
    assert "email" not in json.loads(posts[0].post_data)
    assert page.locator("kysy-qa >> textarea#kq").input_value() == ""


def test_consent_checkbox_sends_notify_and_the_email_is_never_stored(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    legacy = json.dumps({"q": "Vanha luonnos?", "n": "Anna", "e": "old@example.com", "k": "k1"})
    post_key = f"kysy-draft:{DEMO_POST}"
    page = open_demo(setup=lambda p: p.add_init_script(f"localStorage.setItem({post_key!r}, {legacy!r})"))
    page.wait_for_selector("kysy-qa >> form", state="attached")  # a draft loads the form at once
    assert page.locator("kysy-qa >> textarea#kq").input_value() == "Vanha luonnos?"
    assert "example.com" not in json.dumps(page.evaluate(DRAFT))  # an older version's email is dropped
    email = page.locator("kysy-qa >> input#ke")
    assert email.is_hidden()
    page.locator("kysy-qa >> input#kw").check()  # "email me when my question is answered"
    assert email.is_visible()
    assert page.evaluate("document.querySelector('kysy-qa').shadowRoot.activeElement.id") == "ke"
    question = f"Saanko ilmoituksen sähköpostilla {uid()}?"
    page.locator("kysy-qa >> textarea#kq").fill(question)
    email.fill("lukija@example.com")
    page.locator("kysy-qa >> input#kn").fill("Lukija")
    stored = json.dumps(page.evaluate("() => ({...localStorage})"), ensure_ascii=False)
    assert "lukija@example.com" not in stored
    assert question in stored  # the question itself is kept
    posts: list[Any] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r))
    page.locator("kysy-qa >> button.p").click()
    page.locator("kysy-qa >> form p[role=status]").filter(has_text="odottaa").wait_for()
    body = json.loads(posts[0].post_data)
    assert body["notify"] is True
    assert body["email"] == "lukija@example.com"
    assert "lukija@example.com" not in json.dumps(page.evaluate("() => ({...localStorage})"))
    assert email.is_hidden()  # the form is reset, the box unticked


def test_client_validation_is_an_alert(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    wait_form(page)
    page.locator("kysy-qa >> textarea#kq").fill("a")
    page.locator("kysy-qa >> button.p").click()
    assert page.locator("kysy-qa >> textarea#kq").get_attribute("aria-invalid") == "true"
    alert = page.locator("kysy-qa >> form p[role=alert]")
    assert alert.inner_text().strip()
    assert "er" in (alert.get_attribute("class") or "")
    page.locator("kysy-qa >> textarea#kq").fill("Kelvollinen kysymys?")
    page.locator("kysy-qa >> input#kw").check()
    page.locator("kysy-qa >> input#ke").fill("not-an-email")
    page.locator("kysy-qa >> button.p").click()
    assert page.locator("kysy-qa >> input#ke").get_attribute("aria-invalid") == "true"
    assert "sähköpost" in alert.inner_text()


def test_api_down_is_quiet_and_draft_survives_reload(open_demo) -> None:  # type: ignore[no-untyped-def]
    def down(p: Any) -> None:
        p.route(
            "**/v1/**",
            lambda r: r.fulfill(
                status=503, content_type="application/json", body='{"error":{"code":"unavailable","message":"down"}}'
            ),
        )

    page = open_demo(setup=down)
    retry = page.locator("kysy-qa >> button", has_text="Yritä uudelleen")
    assert retry.is_visible()
    assert "er" in (page.locator(STATUS).get_attribute("class") or "")
    wait_form(page)
    text = "Tämä teksti ei saa kadota, vaikka palvelin on alhaalla."
    page.locator("kysy-qa >> textarea#kq").fill(text)
    page.locator("kysy-qa >> button.p").click()
    page.locator("kysy-qa >> form p[role=alert]").filter(has_text="tallessa").wait_for()
    key1 = page.evaluate(DRAFT)["k"]
    page.reload()
    page.wait_for_selector("kysy-qa >> textarea#kq")
    assert page.locator("kysy-qa >> textarea#kq").input_value() == text
    assert key1
    assert page.evaluate(DRAFT)["k"] == key1  # the retry reuses the idempotency key
    assert page.errors == []


def test_keyboard_only(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo()
    page.locator("kysy-qa >> input#q").focus()
    page.keyboard.press("Tab")  # "search all posts"
    page.keyboard.press("Tab")  # first question
    assert page.evaluate("() => document.querySelector('kysy-qa').shadowRoot.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("kysy-qa >> details").first.evaluate("d => d.open")
    page.wait_for_selector("kysy-qa >> textarea#kq")
    page.locator("kysy-qa >> textarea#kq").focus()
    page.keyboard.type("Voiko kysymyksen lähettää pelkällä näppäimistöllä?")
    for _ in range(3):  # name, the email checkbox, send (the honeypot is skipped)
        page.keyboard.press("Tab")
    active = page.evaluate("() => document.querySelector('kysy-qa').shadowRoot.activeElement.className")
    assert active == "p"
    page.keyboard.press("Enter")
    page.locator("kysy-qa >> form p[role=status]").filter(has_text="odottaa").wait_for()


def test_deep_link_opens_answer(open_demo, kysy_server) -> None:  # type: ignore[no-untyped-def]
    data = api(kysy_server, f"/v1/posts/{DEMO_POST}/questions?limit=50")
    last = data["items"][-1]
    page = open_demo(f"/demo#kysy-{last['id']}")
    page.wait_for_function(
        f"() => document.querySelector('kysy-qa').shadowRoot.querySelector('#kysy-{last['id']} details')?.open"
    )


def test_closed_post_hides_form(open_demo) -> None:  # type: ignore[no-untyped-def]
    page = open_demo(setup=lambda p: fake_list(p, [item("c1", "Q?", "A.")], open_=False))
    wait_form(page)
    assert page.locator("kysy-qa >> form").count() == 0
    assert page.locator("kysy-qa >> section > div:not([role]) > p").inner_text() == (
        "Tähän kirjoitukseen ei voi enää esittää kysymyksiä."
    )


# ---------------------------------------------------------------- languages, looks
@pytest.mark.parametrize(
    ("lang", "title", "ask"),
    [
        ("fi", "Kysymykset ja vastaukset", "Kysy kysymys"),
        ("en", "Questions and answers", "Ask a question"),
        ("sv", "Frågor och svar", "Ställ en fråga"),
    ],
)
def test_languages(open_demo, kysy_server, lang: str, title: str, ask: str) -> None:  # type: ignore[no-untyped-def]
    page = open_demo(f"/t/lang-{lang}", html=page_html(kysy_server, DEMO_POST, lang=lang))
    assert page.locator("kysy-qa >> h2").inner_text() == title
    wait_form(page)
    assert page.locator("kysy-qa >> h3").inner_text() == ask
    others = {"fi", "en", "sv"} - {lang}
    assert [r for r in page.requests if any(f"/widget/kysy.{o}." in r or f"kysy-more.{o}." in r for o in others)] == []


@pytest.mark.parametrize(
    ("name", "scheme", "width", "theme"),
    [
        ("desktop-light", "light", 1280, None),
        ("desktop-dark", "dark", 1280, None),  # the demo page's own dark mode; the widget follows (auto)
        ("phone-light", "light", 375, None),
        ("phone-dark", "dark", 375, None),
        ("desktop-dark-attribute", "light", 1280, "dark"),  # data-theme="dark" on a light page
    ],
)
def test_axe_clean_and_screenshots(open_demo, name: str, scheme: str, width: int, theme: str | None) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("run `npm ci` in widget/ for axe-core")
    page = open_demo(width=width, scheme=scheme)
    if theme:
        page.eval_on_selector("kysy-qa", f"h => h.setAttribute('theme', '{theme}')")
    wait_form(page)
    page.locator("kysy-qa >> summary").nth(1).click()
    dark = page.evaluate("() => getComputedStyle(document.querySelector('kysy-qa')).backgroundColor")
    assert (dark != "rgb(255, 255, 255)") == (scheme == "dark" or theme == "dark")
    shot(page, name)
    assert run_axe(page) == []
    # Then every state on screen at once: search hits, the email box, an error.
    search(page, "some")
    page.locator("kysy-qa >> input#kw").check()
    page.locator("kysy-qa >> button.p").click()  # an empty question
    page.locator("kysy-qa >> form p[role=alert]").wait_for()
    shot(page, name + "-states")
    violations = run_axe(page)
    assert violations == [], json.dumps(violations, indent=1)[:4000]
