"""End-to-end tests of the editor view (/editor/, functions/kysy/static/editor/) in headless Chromium.

Needs the ``kysy_server`` fixture (tests/conftest.py): the real local stack (`kysy dev`) with
``.base_url``, ``.editor_token`` and ``.signer`` (a LocalSigner for other tokens).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.e2e.browser import AXE
from tests.e2e.editor_pages import XSS, admin, open_question, record, run_axe, shot, submit, uid

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SERVED = ROOT / "functions" / "kysy" / "static" / "editor"
DEMO_POST = "sosiaalinen-media-2021"
SESSION = "() => [localStorage.getItem('kysy-editor-session'), sessionStorage.getItem('kysy-editor-session')]"


# ---------------------------------------------------------------- the files
def test_editor_files_never_use_html_sinks() -> None:
    names = sorted(p.name for p in SERVED.iterdir() if p.suffix in (".html", ".js", ".css"))
    assert "index.html" in names
    assert "editor.js" in names
    for path in SERVED.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        sinks = re.findall(r"\.(?:inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function", text)
        assert sinks == [], f"{sinks} in {path.name}"


def test_editor_is_served_with_security_headers(kysy_server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(kysy_server.base_url + "/editor/", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.text  # CSP meta: no inline script can run
    assert (
        httpx.get(kysy_server.base_url + "/editor/editor.js", timeout=10)
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert httpx.get(kysy_server.base_url + "/editor/config.json", timeout=10).json() == {
        "mode": "local",
        "sharedCacheSeconds": 60,
    }


# ---------------------------------------------------------------- the main flow
def test_sign_in_answer_publish_and_see_it_in_the_widget(open_editor, browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    word = "Kvanttikissa" + uid()
    question = f"Miten {word} liittyy someen?"
    qa_id = submit(kysy_server, DEMO_POST, question)

    page = open_editor()
    assert "editor@example.com" in page.locator("#who").inner_text()
    assert page.locator(".qi", has_text=question).count() == 1
    counts = admin(kysy_server, "GET", "/queue")["counts"]
    assert page.locator(f"#post-filter option[value='{DEMO_POST}']").inner_text().endswith(f"({counts[DEMO_POST]})")

    open_question(page, question)
    assert page.evaluate("document.activeElement.id") == "detail-h"  # focus moved to the question
    # Fix the wording, write a two-paragraph answer with a link and some HTML that must stay text.
    page.fill("#f-question", question.replace("Miten", "Miten ihmeessä"))
    answer = f"Ensimmäinen kappale {word}.\n\nLue [ohje](https://example.com/ohje) ja {XSS} tästä."
    page.fill("#f-answer", answer)
    preview = page.locator("#preview")
    assert preview.locator("summary").inner_text() == question.replace("Miten", "Miten ihmeessä")
    assert preview.locator("details > div > p").count() == 3  # two paragraphs + the meta line
    link = preview.locator("a")
    assert link.get_attribute("href") == "https://example.com/ohje"
    assert link.get_attribute("rel") == "nofollow noopener ugc"
    assert preview.locator("img").count() == 0
    assert XSS in preview.inner_text()
    shot(page, "answer-1280")

    page.click("button:has-text('Publish')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")
    assert page.locator(".qi", has_text=question).count() == 0
    stored = record(kysy_server, DEMO_POST, qa_id)
    assert stored["status"] == "published"
    assert stored["answer"] == answer
    assert stored["question"].startswith("Miten ihmeessä")

    # The reader sees it in the widget on the demo page.
    reader = browser.new_context().new_page()
    reader.goto(kysy_server.base_url + "/demo")
    reader.wait_for_selector("kysy-qa >> section")
    reader.fill("kysy-qa >> input#q", word)
    reader.wait_for_selector(f"kysy-qa >> summary:has-text('{word}')")
    reader.locator(f"kysy-qa >> summary:has-text('{word}')").first.click()
    widget_link = reader.locator("kysy-qa >> a[href='https://example.com/ohje']").first
    assert widget_link.get_attribute("rel") == "nofollow noopener ugc"
    assert reader.locator("kysy-qa >> img").count() == 0
    reader.context.close()
    assert page.errors == []


def test_save_draft_edit_and_unpublish(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    question = f"Luonnoskysymys {uid()}?"
    qa_id = submit(kysy_server, post, question)
    page = open_editor()
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator(".qi").count() == 1
    open_question(page, question)
    page.fill("#f-answer", "Keskeneräinen vastaus.")
    page.click("button:has-text('Save draft')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Draft saved')")
    assert record(kysy_server, post, qa_id)["status"] == "pending"
    assert record(kysy_server, post, qa_id)["answer"] == "Keskeneräinen vastaus."
    assert page.locator(".qi", has_text=question).locator(".tag").inner_text() == "draft"

    page.fill("#f-answer", "Valmis vastaus.")
    page.click("button:has-text('Publish')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")
    # Published answers of a post can be edited and unpublished from any question of that post.
    other = f"Toinen kysymys {uid()}?"
    submit(kysy_server, post, other)
    page.click("#refresh")
    page.wait_for_selector(f".qi:has-text('{other}')")
    open_question(page, other)
    page.click(f"#detail button[aria-label='Edit: {question}']")
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(question)}")
    page.fill("#f-answer", "Korjattu vastaus.")
    page.click("button:has-text('Save changes')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Changes saved')")
    assert record(kysy_server, post, qa_id)["answer"] == "Korjattu vastaus."
    assert record(kysy_server, post, qa_id)["status"] == "published"
    page.click("button:has-text('Unpublish')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Unpublished')")
    assert record(kysy_server, post, qa_id)["status"] == "pending"
    assert page.locator(".qi", has_text=question).count() == 1
    assert page.errors == []


def test_reject_with_reason_and_mark_duplicate(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    original = f"Mikä on paras somekanava yritykselle {uid()}?"
    first = submit(kysy_server, post, original)
    version = record(kysy_server, post, first)["version"]
    admin(kysy_server, "POST", f"/posts/{post}/questions/{first}/answer", {"version": version, "answer": "LinkedIn."})
    spam = f"Osta halpoja seuraajia {uid()}"
    spam_id = submit(kysy_server, post, spam)
    again = f"Mikä somekanava on paras yritykselle {uid()}?"
    again_id = submit(kysy_server, post, again)

    page = open_editor()
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator("#post-filter option:checked").inner_text().endswith("(2)")

    open_question(page, spam)
    page.click("button:has-text('Reject…')")
    assert page.evaluate("document.activeElement.id") == "f-reason"
    page.fill("#f-reason", "Mainos")
    page.click("button:has-text('Reject question')")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('rejected')")
    stored = record(kysy_server, post, spam_id)
    assert (stored["status"], stored["reject_reason"]) == ("rejected", "Mainos")

    open_question(page, again)
    # The similar questions and the post's answers are shown beside the editor.
    assert page.locator("#similar-h").is_visible()
    assert page.locator("section[aria-labelledby=answers-h] summary", has_text=original).count() == 1
    page.click("button:has-text('Mark as duplicate…')")
    page.check(f"#dup-{first}")
    page.click("#dup-panel button[type=submit]")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('duplicate')")
    stored = record(kysy_server, post, again_id)
    assert (stored["status"], stored["duplicate_of"]) == ("rejected", first)
    assert page.locator(".qi").count() == 0
    assert page.locator("#queue-empty").is_visible()
    assert page.errors == []


def test_queue_order_filter_counts_and_load_more(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    questions = [f"Jonokysymys numero {i:02d} {uid()}?" for i in range(27)]
    for q in questions:
        submit(kysy_server, post, q)
    page = open_editor()
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator("#queue-count").inner_text() == "(27)"
    assert page.locator(".qi").count() == 25
    assert questions[0] in page.locator(".qi").first.inner_text()
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('.qi').length === 27")
    assert page.evaluate("document.activeElement.id").startswith("qi-")  # focus on the first new item
    assert page.locator("#more").is_hidden()
    page.select_option("#order", "newest")
    page.wait_for_function(f"() => document.querySelector('.qi').textContent.includes({json.dumps(questions[-1])})")
    assert page.errors == []


# ---------------------------------------------------------------- conflicts
def test_two_editors_conflict_keep_mine(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    question = f"Kenen vastaus voittaa {uid()}?"
    qa_id = submit(kysy_server, post, question)
    alice = open_editor()
    bob = open_editor()
    for page in (alice, bob):
        page.select_option("#post-filter", post)
        page.wait_for_selector("#queue:not([aria-busy])")
        open_question(page, question)

    alice.fill("#f-answer", "Alicen vastaus.")
    alice.click("button:has-text('Publish')")
    alice.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")

    bob.fill("#f-answer", "Bobin vastaus.")
    bob.click("button:has-text('Publish')")
    bob.wait_for_selector("#conflict")
    assert bob.evaluate("document.activeElement.id") == "conflict-h"
    conflict = bob.locator("#conflict")
    assert "Bobin vastaus." in conflict.locator(".ver").nth(0).inner_text()
    assert "Alicen vastaus." in conflict.locator(".ver").nth(1).inner_text()
    assert "Someone else changed" in bob.locator("#alert").inner_text()
    shot(bob, "conflict-1280")
    bob.click("#keep-mine")
    bob.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")
    stored = record(kysy_server, post, qa_id)
    assert stored["answer"] == "Bobin vastaus."
    assert stored["version"] == 3
    assert alice.errors == []
    assert bob.errors == []


def test_two_editors_conflict_take_theirs_and_merge(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    question = f"Yhdistetäänkö vastaukset {uid()}?"
    qa_id = submit(kysy_server, post, question)
    alice = open_editor()
    bob = open_editor(width=375)
    for page in (alice, bob):
        page.select_option("#post-filter", post)
        page.wait_for_selector("#queue:not([aria-busy])")
        open_question(page, question)

    alice.fill("#f-answer", "Alicen luonnos.")
    alice.click("button:has-text('Save draft')")
    alice.wait_for_function("() => document.getElementById('status').textContent.includes('Draft saved')")

    bob.fill("#f-answer", "Bobin luonnos.")
    bob.click("button:has-text('Save draft')")
    bob.wait_for_selector("#conflict")
    shot(bob, "conflict-375")
    assert bob.evaluate("document.documentElement.scrollWidth") <= 375
    bob.click("#take-theirs")
    assert bob.input_value("#f-answer") == "Alicen luonnos."
    assert bob.locator("#conflict").count() == 0

    # Alice changes it again; Bob's next save conflicts again and he merges by editing.
    version = record(kysy_server, post, qa_id)["version"]
    admin(
        kysy_server,
        "POST",
        f"/posts/{post}/questions/{qa_id}/answer",
        {"version": version, "answer": "Alicen toinen luonnos.", "publish": False},
    )
    bob.fill("#f-answer", "Alicen luonnos. Bobin lisäys.")
    bob.click("button:has-text('Save draft')")
    bob.wait_for_selector("#conflict")
    bob.click("#merge")
    assert bob.input_value("#f-answer") == "Alicen luonnos. Bobin lisäys."  # nothing lost
    assert "Alicen toinen luonnos." in bob.locator(".reference").inner_text()
    assert bob.evaluate("document.activeElement.id") == "f-answer"
    bob.fill("#f-answer", "Alicen toinen luonnos. Bobin lisäys.")
    bob.click("button:has-text('Publish')")
    bob.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")
    stored = record(kysy_server, post, qa_id)
    assert (stored["status"], stored["answer"]) == ("published", "Alicen toinen luonnos. Bobin lisäys.")
    assert alice.errors == []
    assert bob.errors == []


# ---------------------------------------------------------------- keyboard, a11y, i18n, phone
def test_keyboard_only(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    question = f"Näppäimistökysymys {uid()}?"
    qa_id = submit(kysy_server, post, question)
    page = open_editor(token=None)
    assert page.evaluate("document.activeElement.id") == "token"  # sign-in field has focus
    page.keyboard.insert_text(kysy_server.editor_token)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#app:visible")
    page.wait_for_function("() => document.activeElement.classList.contains('qi')")

    # Help is discoverable with "?" and closes with Esc, focus back on its button.
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#help").is_hidden()
    page.keyboard.press("Escape")

    for _ in range(100):  # j walks the queue until our question has focus
        if question in page.evaluate("document.activeElement.textContent"):
            break
        page.keyboard.press("j")
    else:
        pytest.fail("j never reached the question")
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert question in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'detail-h'")
    while page.evaluate("document.activeElement.id") != "f-answer":
        page.keyboard.press("Tab")
    page.keyboard.type("Näppäimistöllä kirjoitettu vastaus.")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "detail-h"
    page.keyboard.press("d")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Draft saved')")
    assert record(kysy_server, post, qa_id)["answer"] == "Näppäimistöllä kirjoitettu vastaus."
    page.keyboard.press("p")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Published')")
    assert record(kysy_server, post, qa_id)["status"] == "published"

    # r opens the reject form with focus in the reason field.
    other = f"Hylättävä {uid()}?"
    other_id = submit(kysy_server, post, other)
    page.select_option("#order", "newest")
    page.wait_for_selector(f".qi:has-text('{other}')")
    page.locator(".qi", has_text=other).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'detail-h'")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "f-reason"
    page.keyboard.type("Ei aiheeseen")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('rejected')")
    assert record(kysy_server, post, other_id)["reject_reason"] == "Ei aiheeseen"
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_wcag21_aa_clean(open_editor, kysy_server, width) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci in widget/)")
    post = "post-" + uid()
    question = f"Saavutettavuuskysymys {uid()}?"
    submit(kysy_server, post, question)
    page = open_editor(token=None, width=width, bypass_csp=True)  # axe is injected as an inline script
    assert run_axe(page) == []
    page.fill("#token", kysy_server.editor_token)
    page.click("#signin-local button[type=submit]")
    page.wait_for_selector("#app:visible")
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")
    assert run_axe(page) == []
    open_question(page, question)
    page.fill("#f-answer", "Vastaus [linkillä](https://example.com).")
    page.click("button:has-text('Reject…')")
    assert run_axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    shot(page, f"detail-{width}")
    page.click("#help-btn")
    assert run_axe(page) == []


def test_finnish_by_default_and_switchable(open_editor) -> None:  # type: ignore[no-untyped-def]
    page = open_editor(locale="fi-FI")
    assert page.evaluate("document.documentElement.lang") == "fi"
    assert "Odottaa vastausta" in page.locator("#queue-h").inner_text()
    assert page.locator("#lang").inner_text() == "In English"
    page.click("#lang")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Waiting for an answer" in page.locator("#queue-h").inner_text()
    page.reload()  # the choice is remembered
    page.wait_for_selector("#app:visible")
    assert "Waiting for an answer" in page.locator("#queue-h").inner_text()


def test_phone_layout(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    question = f"Puhelinkysymys jolla on aika pitkä sanamuoto {uid()}?"
    submit(kysy_server, post, question)
    page = open_editor(width=375)
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "queue-375")
    open_question(page, question)
    assert page.locator("#queue").is_hidden()  # one column: the question replaces the queue
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("button.back")
    assert page.locator("#queue").is_visible()
    assert question in page.evaluate("document.activeElement.textContent")


# ---------------------------------------------------------------- refusals
def test_anonymous_is_refused(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(kysy_server.base_url + "/v1/admin/queue", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"
    page = open_editor(token=None)
    assert page.locator("#app").is_hidden()
    page.click("#signin-local button[type=submit]")  # empty token
    assert "Paste the editor token" in page.locator("#signin-msg").inner_text()
    page.fill("#token", "not-a-token")
    page.click("#signin-local button[type=submit]")
    page.wait_for_selector("#signin-msg:has-text('expired or is no longer valid')")
    assert page.locator("#app").is_hidden()


def test_expired_token_is_refused(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_editor(token=kysy_server.signer.token(ttl_seconds=-100))
    page.wait_for_selector("#signin-msg:has-text('expired')")
    assert page.locator("#app").is_hidden()
    assert page.evaluate(SESSION) == [None, None]  # nothing kept in either storage
    assert "expired" in page.locator("#alert").inner_text()


def test_token_expiring_mid_session_returns_to_sign_in(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    page = open_editor()
    # The server refuses the token (here: it expired early; a revoked one looks the same): 401.
    expired = kysy_server.signer.token(ttl_seconds=-100)
    page.evaluate(
        "t => localStorage.setItem('kysy-editor-session', JSON.stringify({token: t, exp: Date.now() / 1000 + 3600}))",
        expired,
    )
    page.click("#refresh")
    page.wait_for_selector("#signin-msg:has-text('expired')")
    assert page.locator("#app").is_hidden()
    assert page.evaluate("document.activeElement.id") == "token"
    assert page.evaluate(SESSION) == [None, None]


def test_non_editor_is_refused(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    token = kysy_server.signer.token(email="reader@example.com", groups=())
    assert (
        httpx.get(
            kysy_server.base_url + "/v1/admin/queue", headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).status_code
        == 403
    )
    page = open_editor(token=token)
    page.wait_for_selector("#signin-msg:has-text('not an editor')")
    assert page.locator("#app").is_hidden()


# ---------------------------------------------------------------- Cognito (Hosted UI, code + PKCE)
def test_cognito_hosted_ui_code_flow_with_pkce(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    """config.json says cognito: the page must send S256 PKCE and swap the code for a token."""
    domain = "https://kysy-test.auth.eu-north-1.amazoncognito.com"
    redirect = kysy_server.base_url + "/editor/"
    seen: dict[str, Any] = {}
    ctx = browser.new_context()
    page = ctx.new_page()
    page.route(
        "**/editor/config.json",
        lambda route: route.fulfill(
            json={"mode": "cognito", "domain": domain, "clientId": "client-123", "redirectUri": redirect}
        ),
    )

    def authorize(route: Any) -> None:
        query = parse_qs(urlparse(route.request.url).query)
        seen["authorize"] = query
        route.fulfill(status=302, headers={"Location": f"{redirect}?code=the-code&state={query['state'][0]}"})

    def token(route: Any) -> None:
        seen["token"] = parse_qs(route.request.post_data or "")
        route.fulfill(
            json={
                "access_token": kysy_server.editor_token,
                "id_token": "x",
                "token_type": "Bearer",
                "expires_in": 3600,
            },
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.route(domain + "/oauth2/authorize?*", authorize)
    page.route(domain + "/oauth2/token", token)
    page.goto(redirect)
    page.wait_for_selector("#cognito-btn:visible")
    assert page.locator("#signin-local").is_hidden()  # no token field in AWS
    page.click("#cognito-btn")
    page.wait_for_selector("#app:visible")

    auth = seen["authorize"]
    assert auth["response_type"] == ["code"]
    assert auth["client_id"] == ["client-123"]
    assert auth["redirect_uri"] == [redirect]
    assert auth["code_challenge_method"] == ["S256"]
    sent = seen["token"]
    assert sent["grant_type"] == ["authorization_code"]
    assert sent["code"] == ["the-code"]
    verifier = sent["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert auth["code_challenge"] == [challenge]
    assert "code=" not in page.url  # the code is removed from the address bar
    ctx.close()
