"""The shared rendering vectors (tests/vectors/rich_text.json) against what Chromium shows: the widget's
answer DOM and JSON-LD, and the editor preview's DOM (render.js in /editor/). The Python renderer and the
JS parser are checked in tests/unit/test_rich_text.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kysy.service.render import render_rich_text

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "rich_text.json").read_text(encoding="utf-8"))["vectors"]

# DOM -> the vectors' structure: <p>/<ul>/<ol start>/<li>, Text and <a href rel>; anything else fails.
STRUCTURE = """
(nodes) => {
  const inline = (el) => {
    const out = [];
    for (const n of el.childNodes) {
      if (n.nodeType === 3) {
        if (typeof out[out.length - 1] === 'string') out[out.length - 1] += n.data; else out.push(n.data);
      } else if (n.tagName === 'A' && n.rel === 'nofollow noopener ugc' && n.children.length === 0) {
        out.push({a: n.getAttribute('href'), t: n.textContent});
      } else throw new Error('unexpected ' + n.outerHTML);
    }
    return out;
  };
  return nodes.map((b) => {
    if (b.tagName === 'P') return {p: inline(b)};
    const kind = b.tagName.toLowerCase();
    if (kind !== 'ul' && kind !== 'ol') throw new Error('unexpected block ' + b.tagName);
    const block = {[kind]: [...b.children].map((li) => inline(li))};
    if (b.hasAttribute('start')) block.start = Number(b.getAttribute('start'));
    return block;
  });
}
"""


def test_widget_dom_and_json_ld_follow_the_vectors(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    items = [
        {
            "id": f"v{n}",
            "question": v["name"],
            "answer": v["in"],
            "asker_name": None,
            "asked_at": "2024-01-02T10:00:00Z",
            "answered_at": "2024-01-03T10:00:00Z",
        }
        for n, v in enumerate(VECTORS)
    ]
    body = {"post": {"id": "p", "title": "t", "url": "", "lang": "fi", "open": True, "order": "newest"}}
    ctx = browser.new_context()
    page = ctx.new_page()
    page.route(
        "**/v1/posts/**",
        lambda r: r.fulfill(
            status=200, content_type="application/json", body=json.dumps({**body, "items": items, "next_cursor": None})
        ),
    )
    page.goto(kysy_server.base_url + "/demo")
    page.wait_for_selector("kysy-qa >> button[aria-controls=l]")
    page.locator("kysy-qa >> button[aria-controls=l]").click()  # show all
    got = page.evaluate(
        f"""() => [...document.querySelector('kysy-qa').shadowRoot.querySelectorAll('#l > li')].map(li =>
             ({STRUCTURE})([...li.querySelector('details > div').children].slice(0, -1)))"""  # last: the meta line
    )
    ld = page.eval_on_selector('head script[type="application/ld+json"]', "s => JSON.parse(s.textContent)")
    for n, vector in enumerate(VECTORS):
        assert got[n] == vector["out"], vector["name"]
        assert ld["mainEntity"][n]["acceptedAnswer"]["text"] == render_rich_text(vector["in"]), vector["name"]
    ctx.close()


def test_editor_preview_dom_and_dates_follow_the_widget(browser, kysy_server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(bypass_csp=True, locale="fi-FI")
    page = ctx.new_page()
    page.goto(kysy_server.base_url + "/editor/")
    result: dict[str, Any] = page.evaluate(
        f"""async (vectors) => {{
          const r = await import('./render.js');
          const structure = {STRUCTURE};
          return {{
            blocks: vectors.map((v) => structure(r.answerBody(v.in))),
            dates: ['fi', 'en', 'sv'].map((l) => r.readerDate('2024-01-03T10:00:00Z', l)),
          }};
        }}""",
        VECTORS,
    )
    for got, vector in zip(result["blocks"], VECTORS, strict=True):
        assert got == vector["out"], vector["name"]

    # The widget on a Finnish page shows the same date text as the preview's Finnish date.
    widget = ctx.new_page()
    item = {
        "id": "d1",
        "question": "Milloin?",
        "answer": "Nyt.",
        "asker_name": None,
        "asked_at": "2024-01-02T10:00:00Z",
        "answered_at": "2024-01-03T10:00:00Z",
    }
    post = {"id": "p", "title": "t", "url": "", "lang": "fi", "open": True, "order": "newest"}
    widget.route(
        "**/v1/posts/**",
        lambda r: r.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"post": post, "items": [item], "next_cursor": None}),
        ),
    )
    widget.goto(kysy_server.base_url + "/demo")
    widget.locator("kysy-qa >> summary").first.click()
    shown = widget.locator("kysy-qa >> details .m").first.inner_text()
    assert shown == result["dates"][0]
    assert len(set(result["dates"])) == 3  # each language formats it its own way
    ctx.close()
