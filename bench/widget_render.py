"""Time from the API response to the rendered Q&A list in Chromium, for 20 and 200 pairs.

The widget runs on a plain page served from memory; its one API request is answered by Playwright
with a canned response of N pairs, and its files (kysy.js, then the page language's strings file,
fetched beside the API request) come from functions/kysy/static/widget/. In the page, the Performance
API gives the responses' ``responseEnd`` (PerformanceResourceTiming) and a MutationObserver on the
widget's shadow root (attached from its first moment) records ``performance.now()`` when the first
view's list is in place (the first 5 pairs; the rest sit behind "show all", while the JSON-LD covers all
N, answers as HTML). "after data" counts from the later of the API response and the strings file (the
list needs both); "after start" from the navigation start. Prints medians and the max over runs.

    .venv/bin/python bench/widget_render.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.browser import CHROMIUM_ARGS  # noqa: E402  (one place for how Debian's Chromium is launched)

WIDGET = ROOT / "functions" / "kysy" / "static" / "widget"
PAGE = """<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>bench</title>
<script>
window.__rendered = null;
// Watch the widget's shadow root from the moment it is attached.
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (options) {
  const root = attach.call(this, options);
  new MutationObserver(() => {
    if (window.__rendered === null && root.querySelectorAll("li details").length >= window.__expect) {
      window.__rendered = performance.now();
    }
  }).observe(root, {childList: true, subtree: true});
  return root;
};
</script></head><body><article><p>Bench.</p></article><div data-kysy></div>
<script src="/widget/kysy.js" data-api="http://bench.local" data-post="bench" async></script></body></html>"""


def payload(pairs: int) -> str:
    items = [
        {
            "id": f"01J{n:023d}",
            "question": f"Kysymys numero {n}: miten vaikuttajamarkkinointi toimii somekanavissa?",
            "answer": (
                "Ensimmäinen kappale vastauksesta, ks. https://example.com/a.\n\nToinen kappale, jossa "
                "[linkki](https://example.com).\n\n- kohta yksi\n- kohta kaksi"
            ),
            "asker_name": None,
            "asked_at": "2026-01-01T00:00:00Z",
            "answered_at": "2026-01-02T00:00:00Z",
        }
        for n in range(pairs)
    ]
    post = {"id": "bench", "title": "Bench", "url": "", "lang": "fi", "open": True}
    return json.dumps({"post": post, "items": items, "next_cursor": None})


def measure(pairs: int, runs: int) -> list[tuple[float, float]]:
    body = payload(pairs)
    results: list[tuple[float, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page()
            page.route(
                "http://bench.local/v1/**",
                lambda r: r.fulfill(
                    status=200,
                    body=body,
                    headers={"content-type": "application/json", "access-control-allow-origin": "*"},
                ),
            )
            page.route(
                "http://page.local/widget/*",
                lambda r: r.fulfill(
                    status=200,
                    body=(WIDGET / r.request.url.rsplit("/", 1)[1]).read_bytes(),
                    headers={"content-type": "text/javascript"},
                ),
            )
            page.route(
                "http://page.local/", lambda r: r.fulfill(status=200, body=PAGE, headers={"content-type": "text/html"})
            )
            page.add_init_script(f"window.__expect = {min(pairs, 5)};")  # the first view shows 5, "show all" the rest
            page.goto("http://page.local/")
            page.wait_for_function("window.__rendered !== null", timeout=10_000)
            after_data, after_start = page.evaluate(
                """() => {
                  const end = (s) => performance.getEntriesByType("resource").find(e => e.name.includes(s)).responseEnd;
                  return [window.__rendered - Math.max(end("/v1/posts/"), end("/widget/kysy.fi.")), window.__rendered];
                }"""
            )
            results.append((float(after_data), float(after_start)))
            page.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'pairs':>6} {'runs':>5} {'after data: median ms':>22} {'max ms':>8} {'after start: median ms':>23}")
    for pairs in (20, 200):
        times = measure(pairs, args.runs)
        data = statistics.median(t[0] for t in times), max(t[0] for t in times)
        start = statistics.median(t[1] for t in times)
        print(f"{pairs:>6} {len(times):>5} {data[0]:>22.1f} {data[1]:>8.1f} {start:>23.1f}")


if __name__ == "__main__":
    main()
