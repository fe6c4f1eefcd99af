"""The editor view's tools beyond answering, in headless Chromium against `kysy dev`: the highlight that
follows the open item, spam/import flags and their filter, selecting many and rejecting them (by
selection, sender or post) with a stated count and an undo, the rejected list with "back to the queue",
what readers could not find (search gaps -> draft question), the paged post list with each post's
settings, the data-subject erasure, a sign-in that follows the editor into a new tab, preview dates as
readers see them, keyboard-only paths, axe-core in light and dark, the phone layout."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.browser import AXE
from tests.e2e.editor_pages import (
    admin,
    letters,
    reader_ip,
    record,
    run_axe,
    shot,
    submit,
    uid,
    wait_status,
)

pytestmark = pytest.mark.e2e

DEMO_POST = "sosiaalinen-media-2021"
SEED = Path(__file__).resolve().parents[2] / "seed" / "sosiaalinen-media-2021.fi.txt"
SESSION = "() => JSON.parse(localStorage.getItem('kysy-editor-session'))"


def filtered(page: Any, post: str) -> None:
    page.select_option("#post-filter", post)
    page.wait_for_selector("#queue:not([aria-busy])")


def current_items(page: Any) -> list[str]:
    """Texts of the queue items marked as the current one."""
    return page.locator(".qi[aria-current=true] .qq").all_inner_texts()


def view(page: Any, name: str) -> None:
    page.click(f"#views button[data-view={name}]")
    page.wait_for_selector(f"#{name}:not([aria-busy]) h1")


def statuses(server: Any, post: str, ids: list[str]) -> list[str]:
    return [record(server, post, i)["status"] for i in ids]


# ---------------------------------------------------------------- highlight
def test_the_highlight_follows_the_open_item_and_j_k(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    questions = [f"Korostuskysymys {n} {uid()}?" for n in range(3)]
    for q in questions:
        submit(kysy_server, post, q)
    page = open_editor()
    filtered(page, post)
    page.locator(".qi", has_text=questions[1]).click()
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(questions[1])}")
    assert current_items(page) == [questions[1]]
    page.keyboard.press("j")  # from the open question's heading: j moves the highlight to the next one
    assert current_items(page) == [questions[2]]
    assert questions[2] in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert current_items(page) == [questions[0]]
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(questions[0])}")
    assert current_items(page) == [questions[0]]
    page.locator(".qi", has_text=questions[2]).click()
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(questions[2])}")
    assert current_items(page) == [questions[2]]
    assert page.errors == []


# ---------------------------------------------------------------- flags, emails
def test_flags_are_shown_and_filtered_and_addresses_never(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    spam = f"BEST CASINO BONUS {uid().upper()}!!! http://a.example http://b.example"
    fine = f"Miten mittaatte somen vaikutusta {uid()}?"
    address = f"lukija.{uid()}@example.com"
    submit(kysy_server, post, spam)
    submit(kysy_server, post, fine, email=address, notify=True)
    page = open_editor()
    filtered(page, post)
    spam_item = page.locator("#queue-list li", has_text="CASINO")
    assert {"links", "spam phrase", "all capitals"} <= set(spam_item.locator(".tag.flag").all_inner_texts())
    fine_item = page.locator("#queue-list li", has_text=fine)
    assert fine_item.locator(".tag.flag").count() == 0
    assert fine_item.locator(".tag.mail").inner_text() == "will be emailed"  # instead of the address
    assert page.locator("#flag-filter option[value='*']").inner_text() == "Flagged (1)"
    page.locator(".qi", has_text=fine).click()
    page.wait_for_selector("#f-answer")
    assert page.locator("#detail .tag.mail").inner_text() == "will be emailed"
    assert address not in page.content()
    assert "lukija." not in page.locator("body").inner_text()

    page.select_option("#flag-filter", "*")
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator(".qi .qq").all_inner_texts() == [spam]
    page.select_option("#flag-filter", "links")
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator(".qi .qq").all_inner_texts() == [spam]
    page.select_option("#flag-filter", "contact")
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator(".qi").count() == 0
    assert page.errors == []


def test_imported_drafts_to_check_are_labelled_with_the_reason(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    """The importer (issue 10) drafts the pairs it is unsure of with the flag `import_check` and the reason
    in the audit trail: "imported — check", filterable, and the reason on the open question."""
    post = "imported-" + uid()
    run = subprocess.run(
        [sys.executable, "-m", "kysy.cli", "import", str(SEED), "--post", post, "--json"],
        env={**os.environ, "KYSY_STATE_DIR": str(kysy_server.state_dir)},  # finds the running `kysy dev`
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    drafts = [p for p in json.loads(run.stdout)["pairs"] if p["status"] == "draft"]
    assert drafts
    page = open_editor()
    filtered(page, post)
    page.select_option("#flag-filter", "import_check")
    page.wait_for_selector("#queue:not([aria-busy])")
    assert page.locator(".qi").count() == len(drafts)
    first = page.locator(".qi").first
    assert {"imported — check", "imported"} <= set(first.locator(".tag").all_inner_texts())
    first.click()
    page.wait_for_selector("#f-answer")
    assert page.locator("#import-why").inner_text().startswith("Imported — check: ")
    assert len(page.locator("#import-why").inner_text()) > len("Imported — check: ")
    assert page.input_value("#f-answer")  # the importer's proposed answer, ready to check
    assert page.errors == []


# ---------------------------------------------------------------- bulk rejection and undo
def test_select_many_with_shift_click_reject_with_a_count_then_undo(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    ids = [submit(kysy_server, post, f"Tulvakysymys {n} {uid()}?") for n in range(5)]
    page = open_editor()
    filtered(page, post)
    boxes = page.locator(".qpick")
    boxes.nth(0).check()
    boxes.nth(3).click(modifiers=["Shift"])  # selects 0..3
    assert [boxes.nth(i).is_checked() for i in range(5)] == [True, True, True, True, False]
    assert page.locator("#sel-count").inner_text() == "Selected: 4"
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    shot(page, "queue-flags-bulk-1280")
    page.click("#bulk-reject")
    assert page.evaluate("document.activeElement.id") == "bulk-confirm-h"
    assert page.locator("#bulk-confirm-h").inner_text() == "Reject these questions (4)?"
    assert page.locator("#bulk-go").inner_text() == "Reject questions (4)"
    page.fill("#bulk-reason", "tulva")
    page.click("#bulk-go")
    wait_status(page, "Questions rejected: 4.")
    assert statuses(kysy_server, post, ids) == ["rejected"] * 4 + ["pending"]
    assert record(kysy_server, post, ids[0])["reject_reason"] == "tulva"
    assert page.locator(".qi").count() == 1
    assert page.locator("#undo").is_visible()
    assert "Undo possible until" in page.locator("#undo-msg").inner_text()
    assert page.evaluate("document.activeElement.id") == "undo-btn"
    shot(page, "undo-1280")

    page.reload()  # the undo stays offered within its window
    page.wait_for_selector("#undo-btn:visible")
    page.click("#undo-btn")
    wait_status(page, "Back in the queue: 4.")
    assert statuses(kysy_server, post, ids) == ["pending"] * 5
    assert page.locator("#undo").is_hidden()
    filtered(page, post)
    assert page.locator(".qi").count() == 5

    page.check("#select-all")
    assert page.locator("#sel-count").inner_text() == "Selected: 5"
    page.uncheck("#select-all")
    assert page.locator("#bulk-reject").is_disabled()
    assert page.errors == []


def test_reject_all_from_one_sender_and_all_in_one_post(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post, other_post = "post-" + uid(), "post-" + uid()
    flooder = reader_ip()
    flood = [submit(kysy_server, p, f"Roskaa {n} {uid()}?", ip=flooder) for n, p in enumerate([post, post, other_post])]
    keeper = submit(kysy_server, post, f"Aito kysymys {uid()}?", ip=reader_ip())
    page = open_editor()
    filtered(page, post)
    page.locator(".qi", has_text="Roskaa 0").click()
    page.wait_for_selector("#f-answer")
    page.click("#detail .flood summary")
    page.click("#reject-sender")
    page.wait_for_selector("#bulk-confirm-h")
    assert page.locator("#bulk-confirm-h").inner_text() == "Reject these questions (3)?"  # in both posts
    assert "Roskaa 0" in page.locator("#bulk-confirm").inner_text()
    page.click("#bulk-go")
    wait_status(page, "Questions rejected: 3.")
    assert statuses(kysy_server, post, flood[:2]) == ["rejected"] * 2
    assert statuses(kysy_server, other_post, flood[2:]) == ["rejected"]
    assert statuses(kysy_server, post, [keeper]) == ["pending"]
    page.click("#undo-btn")
    wait_status(page, "Back in the queue: 3.")

    # Every question of one post, from the queue's own button once the post is chosen.
    filtered(page, post)
    page.click("#reject-post")
    assert page.locator("#bulk-confirm-h").inner_text() == "Reject these questions (3)?"
    page.click("#bulk-confirm button:has-text('Cancel')")
    assert page.locator("#bulk-confirm").count() == 0
    assert statuses(kysy_server, post, [*flood[:2], keeper]) == ["pending"] * 3
    page.click("#reject-post")
    page.click("#bulk-go")
    wait_status(page, "Questions rejected: 3.")
    assert statuses(kysy_server, post, [*flood[:2], keeper]) == ["rejected"] * 3
    assert statuses(kysy_server, other_post, flood[2:]) == ["pending"]
    assert page.errors == []


# ---------------------------------------------------------------- rejected list
def test_rejected_and_duplicates_listed_and_back_to_the_queue(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    original = submit(kysy_server, post, f"Alkuperäinen kysymys {uid()}?")
    admin(kysy_server, "POST", f"/posts/{post}/questions/{original}/answer", {"version": 1, "answer": "Vastaus."})
    dup_q, rej_q = f"Sama kysymys uudestaan {uid()}?", f"Mainos {uid()}"
    dup = submit(kysy_server, post, dup_q)
    rej = submit(kysy_server, post, rej_q)
    admin(kysy_server, "POST", f"/posts/{post}/questions/{dup}/duplicate", {"version": 1, "duplicate_of": original})
    admin(kysy_server, "POST", f"/posts/{post}/questions/{rej}/reject", {"version": 1, "reason": "mainos"})

    page = open_editor()
    view(page, "rejected")
    page.select_option("#rejected-post", post)
    page.wait_for_selector("#rejected:not([aria-busy])")
    items = page.locator("#rejected li")
    assert items.count() == 2
    assert "Rejected: mainos" in page.locator(f"#rej-{rej}").inner_text()
    assert "Duplicate of:" in page.locator(f"#rej-{dup}").inner_text()
    shot(page, "rejected-1280")

    page.click(f"#rej-{rej} button:has-text('Put back in the queue')")
    wait_status(page, "Back in the queue.")
    assert record(kysy_server, post, rej)["status"] == "pending"
    assert page.locator(f"#rej-{rej}").count() == 0
    assert page.evaluate("document.activeElement.textContent") == "Put back in the queue"  # on the next item

    page.click(f"#rej-{dup} button:has-text('Open')")
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(dup_q)}")
    assert "Duplicate of:" in page.locator("#reject-why").inner_text()
    page.click("#detail button:has-text('Put back in the queue')")
    wait_status(page, "Back in the queue.")
    assert record(kysy_server, post, dup)["status"] == "pending"
    assert page.locator(f"#rej-{dup}").count() == 0
    view(page, "queue")
    filtered(page, post)
    assert page.locator(".qi").count() == 2
    assert page.errors == []


# ---------------------------------------------------------------- what readers could not find
def test_a_fruitless_search_shows_in_the_gaps_view_and_becomes_a_draft(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    qa = submit(kysy_server, post, f"Mitä somemainonta maksaa {uid()}?")
    admin(kysy_server, "POST", f"/posts/{post}/questions/{qa}/answer", {"version": 1, "answer": "Vähän."})
    wanted, ignored = "kissanruoka " + letters(), "koiranruoka " + letters()
    for text, times in ((wanted, 3), (ignored, 1)):
        for _ in range(times):
            found = httpx.get(
                f"{kysy_server.base_url}/v1/search",
                params={"q": text.upper(), "post_id": post},
                headers={"X-Forwarded-For": reader_ip()},
                timeout=10,
            ).json()
            assert found["items"] == []

    page = open_editor()
    view(page, "gaps")
    page.select_option("#gaps-post", post)
    page.wait_for_selector("#gaps:not([aria-busy])")
    rows = page.locator("#gaps li")
    assert rows.locator(".sq").all_inner_texts() == [wanted, ignored]  # most searched first, normalised
    assert "searches: 3" in rows.nth(0).inner_text()
    assert "found nothing: 3" in rows.nth(0).inner_text()
    shot(page, "gaps-1280")

    page.click(f"#gaps button[aria-label='Dismiss: {ignored}']")
    wait_status(page, "Dismissed.")
    assert rows.count() == 1
    page.click(f"#gaps button[aria-label='Write an answer: {wanted}']")
    page.wait_for_function("() => document.activeElement.id === 'f-answer'")  # opened for answering
    question = page.locator("#detail-h").inner_text()
    assert question == wanted.capitalize() + "?"
    assert "written by an editor" in page.locator("#detail").inner_text()
    assert rows.count() == 0
    assert admin(kysy_server, "GET", f"/gaps?post_id={post}")["items"] == []
    page.keyboard.type("Kissanruokaa emme myy, mutta vinkkejä löytyy.")
    page.click("button:has-text('Publish')")
    wait_status(page, "Published. Readers see the answer when they open or reload the post (through a CDN within 60")
    drafted = [r for r in admin(kysy_server, "GET", f"/posts/{post}/questions")["items"] if r["question"] == question]
    assert [(r["status"], r["source"]) for r in drafted] == [("published", "editor")]
    assert page.errors == []


# ---------------------------------------------------------------- posts and settings
def test_posts_are_paged_and_their_order_and_language_can_be_set(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    tag = uid()
    for n in range(26):  # more than one page of 25 whatever else the session created
        admin(kysy_server, "POST", "/posts", {"id": f"0-{tag}-{n:02d}", "title": f"Kirjoitus {n:02d} {tag}"})
    page = open_editor()
    view(page, "posts")
    assert page.locator("#posts li").count() == 25
    page.click("#posts-more")
    page.wait_for_function("() => document.querySelectorAll('#posts li').length > 25")
    mine = f"0-{tag}-25"
    row = page.locator(f"#post-{mine}")
    assert f"Kirjoitus 25 {tag}" in row.inner_text()
    assert "Suomi · Newest answers first · open for questions" in row.inner_text()
    row.locator("button:has-text('Settings')").click()
    assert page.evaluate("document.activeElement.id") == f"pf-title-{mine}"
    page.select_option(f"#pf-lang-{mine}", "en")
    page.select_option(f"#pf-order-{mine}", "oldest")
    page.uncheck(f"#pf-open-{mine}")
    page.fill(f"#pf-url-{mine}", "https://blog.example.com/kirjoitus-25/")
    page.click(f"#pf-{mine} button[type=submit]")
    wait_status(page, "Post settings saved.")
    saved = admin(kysy_server, "GET", f"/posts/{mine}")
    assert (saved["lang"], saved["order"], saved["open"], saved["url"]) == (
        "en",
        "oldest",
        False,
        "https://blog.example.com/kirjoitus-25/",
    )
    public = httpx.get(f"{kysy_server.base_url}/v1/posts/{mine}/questions", timeout=10).json()["post"]
    assert (public["order"], public["lang"]) == ("oldest", "en")
    assert "English · Oldest answers first · closed for questions" in row.inner_text()

    # Someone else changes it meanwhile: the form shows their version and says so.
    row.locator("button:has-text('Settings')").click()
    admin(kysy_server, "PATCH", f"/posts/{mine}", {"version": saved["version"], "title": "Toisen otsikko"})
    page.fill(f"#pf-title-{mine}", "Minun otsikkoni")
    page.click(f"#pf-{mine} button[type=submit]")
    page.wait_for_function("() => document.getElementById('alert').textContent.includes('Someone else')")
    assert page.input_value(f"#pf-title-{mine}") == "Toisen otsikko"
    assert page.errors == []


# ---------------------------------------------------------------- erasure
def test_erasure_is_confirmed_and_says_what_was_removed(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    address = f"poistettava.{uid()}@example.com"
    gone = submit(kysy_server, post, f"Poistettava kysymys {uid()}?", email=address, notify=True)
    page = open_editor()
    view(page, "privacy")
    page.click("#forget-find")
    assert "Write the email address first" in page.locator("#alert").inner_text()
    page.fill("#forget-email", address.upper())
    page.click("#forget-find")
    assert page.evaluate("document.activeElement.id") == "forget-confirm-h"
    assert address.upper() in page.locator("#forget-confirm-h").inner_text()
    assert "cannot be undone" in page.locator("#privacy .confirm").inner_text()
    assert record(kysy_server, post, gone)["status"] == "pending"  # nothing happens before "Erase now"
    shot(page, "erase-1280")
    page.click("#forget-go")
    page.wait_for_selector("#forget-result")
    result = page.locator("#forget-result").inner_text()
    for line in ("Questions found: 1", "Address items deleted: 1", "Unpublished questions deleted: 1"):
        assert line in result
    assert page.input_value("#forget-email") == ""
    assert address.upper() not in page.locator("body").inner_text()  # the address leaves the page
    response = httpx.get(
        f"{kysy_server.base_url}/v1/admin/posts/{post}/questions/{gone}",
        headers={"Authorization": f"Bearer {kysy_server.editor_token}"},
        timeout=10,
    )
    assert response.status_code == 404
    assert page.errors == []


# ---------------------------------------------------------------- sign-in across tabs
def test_sign_in_survives_a_new_tab_and_sign_out_follows(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context()
    first = ctx.new_page()
    first.goto(kysy_server.base_url + "/editor/")
    first.fill("#token", kysy_server.editor_token)
    first.click("#signin-local button[type=submit]")
    first.wait_for_selector("#app:visible")
    session = first.evaluate(SESSION)
    claims = json.loads(base64.urlsafe_b64decode(kysy_server.editor_token.split(".")[1] + "==").decode())
    assert session["exp"] == claims["exp"]  # kept exactly as long as the token is valid

    second = ctx.new_page()  # a new tab: signed in without pasting anything
    second.goto(kysy_server.base_url + "/editor/")
    second.wait_for_selector("#app:visible")
    assert "editor@example.com" in second.locator("#who").inner_text()
    assert kysy_server.editor_token not in second.url

    # Another origin in the same browser (the same server as localhost) has no token.
    other = ctx.new_page()
    other.goto(kysy_server.base_url.replace("127.0.0.1", "localhost") + "/editor/")
    other.wait_for_selector("#token:visible")
    assert other.evaluate(SESSION) is None
    assert other.locator("#app").is_hidden()
    other.close()

    second.click("#signout")
    second.wait_for_selector("#token:visible")
    first.wait_for_selector("#token:visible")  # the first tab follows
    assert "signed out in another tab" in first.locator("#signin-msg").inner_text().lower()
    assert first.evaluate(SESSION) is None

    # An expired session is dropped, not used: a new tab asks to sign in and the entry is gone.
    first.evaluate(
        "t => localStorage.setItem('kysy-editor-session', JSON.stringify({token: t, exp: Date.now() / 1000 - 5}))",
        kysy_server.editor_token,
    )
    third = ctx.new_page()
    third.goto(kysy_server.base_url + "/editor/")
    third.wait_for_selector("#token:visible")
    assert third.evaluate(SESSION) is None
    ctx.close()


# ---------------------------------------------------------------- preview dates
def test_preview_dates_are_the_widgets(open_editor, browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    """The editor speaks English here; the seed post is Finnish: the preview dates like its readers see."""
    question = f"Päivämäärätesti {uid()}?"
    qa = submit(kysy_server, DEMO_POST, question)
    admin(kysy_server, "POST", f"/posts/{DEMO_POST}/questions/{qa}/answer", {"version": 1, "answer": "Näin."})
    pending = f"Avaa minut {uid()}?"
    submit(kysy_server, DEMO_POST, pending)
    page = open_editor()
    filtered(page, DEMO_POST)
    page.locator(".qi", has_text=pending).click()
    page.wait_for_selector("#f-answer")
    page.click(f"#detail button[aria-label='Edit: {question}']")
    page.wait_for_function(f"() => document.getElementById('detail-h').textContent === {json.dumps(question)}")
    preview_meta = page.locator("#preview p.m").last.inner_text()

    reader = browser.new_context(locale="en-US").new_page()
    reader.goto(kysy_server.base_url + "/demo")
    reader.wait_for_selector("kysy-qa >> section")
    reader.locator(f"kysy-qa >> summary:has-text('{question}')").click()
    widget_meta = reader.locator(f"kysy-qa >> li:has(summary:has-text('{question}')) .a > p.m").inner_text()
    reader.context.close()
    assert preview_meta == widget_meta
    assert re.search(r"\d+\. \w+ \d{4}", preview_meta), preview_meta  # Finnish: "29. marraskuuta 2026"


# ---------------------------------------------------------------- keyboard only
def test_keyboard_only_select_reject_undo_and_views(open_editor, kysy_server) -> None:  # type: ignore[no-untyped-def]
    post = "post-" + uid()
    ids = [submit(kysy_server, post, f"Näppäinkysymys {n} {uid()}?") for n in range(3)]
    page = open_editor()
    filtered(page, post)
    page.locator(".qi").first.focus()
    page.keyboard.press("x")  # select the highlighted one
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("#sel-count").inner_text() == "Selected: 2"
    page.locator("#bulk-reject").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "bulk-confirm-h"
    page.keyboard.press("Escape")  # changed my mind
    assert page.locator("#bulk-confirm").count() == 0
    page.keyboard.press("Enter")  # focus went back to the button
    while page.evaluate("document.activeElement.id") != "bulk-go":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_status(page, "Questions rejected: 2.")
    assert statuses(kysy_server, post, ids) == ["rejected", "rejected", "pending"]
    assert page.evaluate("document.activeElement.id") == "undo-btn"
    page.keyboard.press("Enter")
    wait_status(page, "Back in the queue: 2.")
    assert statuses(kysy_server, post, ids) == ["pending"] * 3

    # The views are buttons in the tab order; each moves focus to its heading.
    page.locator("#views button[data-view=gaps]").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "gaps-h"
    for _ in range(10):  # back through the views to "Rejected"
        if page.evaluate("document.activeElement.dataset.view") == "rejected":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "rejected-h"
    assert page.errors == []


# ---------------------------------------------------------------- axe, dark, phone
@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)])
def test_axe_clean_on_every_view(open_editor, kysy_server, scheme, width) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci in widget/)")
    post = "post-" + uid()
    submit(kysy_server, post, f"PAINAVA TARJOUS {uid().upper()}!!! http://a.example http://b.example")
    submit(kysy_server, post, f"Tavallinen kysymys {uid()}?", email=f"a{uid()}@example.com", notify=True)
    httpx.get(f"{kysy_server.base_url}/v1/search", params={"q": "olematon " + letters(), "post_id": post}, timeout=10)
    page = open_editor(width=width, color_scheme=scheme, bypass_csp=True)
    filtered(page, post)
    page.locator(".qpick").first.check()
    page.click("#bulk-reject")
    assert run_axe(page) == [], "queue with flags and a bulk confirmation"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"queue-flags-bulk-{scheme}-{width}")
    page.click("#bulk-go")
    page.wait_for_selector("#undo-btn:visible")
    assert run_axe(page) == [], "undo banner"
    for name in ("rejected", "gaps", "posts", "privacy"):
        view(page, name)
        if name == "posts":
            page.locator("#posts li button:has-text('Settings')").first.click()
        if name == "privacy":
            page.fill("#forget-email", "nobody@example.com")
            page.click("#forget-find")
        if name == "gaps":
            page.select_option("#gaps-post", post)
            page.wait_for_selector("#gaps li")
        assert run_axe(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        shot(page, f"{name}-{scheme}-{width}")
    assert page.errors == []
