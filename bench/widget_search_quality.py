"""Search quality as readers meet it: judged queries TYPED INTO THE WIDGET in Chromium, next to the server.

The posts and judged queries are our own (bench/widget_search_data: Finnish inflection, compounds, typos,
English), not the engine's bench/search_data. The script runs the local stack in-process (moto's DynamoDB,
the reader app on a free port), publishes the posts, then for each query opens the widget on the query's
post, types the query key by key (``--delay`` ms apart, as a reader would) and waits until the widget's
answer is final (not pending). It reads the questions the widget shows, in order, and scores them:

* widget         the widget as shipped: instant local matches, replaced by the server's ranking
* server API     ``GET /v1/search?post_id=…&limit=5`` for the same query (what the engine returns)
* widget, local  the widget with /v1/search failing: its local matcher alone (the fallback; before this
                 change, the widget searched the loaded list this way)

MRR@5 uses the first result with grade ≥ 1; "nothing shown" counts queries whose final view listed no result.

    .venv/bin/python bench/widget_search_quality.py [-v] [--delay 40]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.browser import CHROMIUM_ARGS  # noqa: E402  (one place for how Debian's Chromium is launched)

DATA = ROOT / "bench" / "widget_search_data"
K = 5
SETTLED = """() => { const r = document.querySelector('kysy-qa')?.shadowRoot;
  return r && r.querySelector('form') && !r.querySelector('#l[aria-busy]') && !r.querySelector('p.busy') }"""


def page_html(base: str, post: dict[str, Any]) -> str:
    return (
        f'<!doctype html><html lang="{post["lang"]}"><head><meta charset="utf-8"><title>{escape(post["title"])}'
        f"</title></head><body><main><h1>{escape(post['title'])}</h1><div data-kysy></div>"
        f'<script src="/widget/kysy.js" data-api="{base}" data-post="{post["post_id"]}" async></script>'
        "</main></body></html>"
    )


def serve(html: str) -> Any:
    """A route handler for one page (Playwright passes (route, request) to handlers with two parameters)."""
    return lambda route: route.fulfill(content_type="text/html", body=html)


def reciprocal_rank(ranked: list[str], rel: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:K]) if rel.get(d, 0) > 0), 0.0)


def start_stack(posts: list[dict[str, Any]]) -> tuple[str, dict[str, str], Any]:
    """Local stack in this process: moto's DynamoDB, the bench posts published, the apps on a free port."""
    os.environ["KYSY_STATE_DIR"] = tempfile.mkdtemp(prefix="kysy-bench-")
    os.environ["KYSY_TABLE_NAME"] = f"kysy-bench-{uuid.uuid4().hex[:8]}"
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "functions"))
    from kysy.devserver import configure, dynamodb_endpoint, free_port

    endpoint_cm = dynamodb_endpoint()
    endpoint, _ = endpoint_cm.__enter__()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack = configure(base, endpoint)

    import uvicorn

    from kysy.api.local import build_local_app
    from kysy.ids import new_id
    from kysy.models import QA, Post, Status
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import get_settings

    settings = get_settings()
    store = Store(make_client(settings), settings.table_name)
    question_ids: dict[str, str] = {}  # question text -> judged id
    for post in posts:
        meta = Post(id=post["post_id"], title=post["title"], lang=post["lang"])
        store.save_post(meta, expected_version=None)
        records = []
        for n, qa in enumerate(post["qa"]):
            records.append(
                QA(
                    post_id=post["post_id"],
                    id=new_id(),
                    question=qa["question"],
                    answer=qa["answer"],
                    status=Status.PUBLISHED,
                    answered_at=f"2026-01-01T00:{n:02d}:00Z",
                )
            )
            question_ids[qa["question"]] = qa["id"]
        store.write_import(meta, records, [])
    from kysy.indexer.local import start_local_indexer

    # The server's search reads the index the indexer builds (as deployed); it then follows the stream.
    start_local_indexer(Path(os.environ["KYSY_STATE_DIR"]))
    server = uvicorn.Server(
        uvicorn.Config(build_local_app(stack.demo_file), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        endpoint_cm.__exit__(None, None, None)

    return base, question_ids, stop


def widget_run(
    browser: Any, base: str, posts: dict[str, dict[str, Any]], queries: list[dict[str, Any]], *, local: bool, delay: int
) -> list[list[str]]:
    """Type every query into the widget on its post; the questions shown at the end, per query."""
    shown: list[list[str]] = []
    pages: dict[str, Any] = {}
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    if local:
        ctx.route("**/v1/search**", lambda r: r.fulfill(status=503, content_type="application/json", body="{}"))
    for post_id, post in posts.items():
        ctx.route(f"{base}/bench/{post_id}", serve(page_html(base, post)))
    for item in queries:
        page = pages.get(item["post_id"])
        if page is None:
            page = pages[item["post_id"]] = ctx.new_page()
            page.goto(f"{base}/bench/{item['post_id']}")
            page.wait_for_selector("kysy-qa >> ul#l > li")
            page.locator("kysy-qa >> input#q").focus()
            page.wait_for_function(SETTLED)
        box = page.locator("kysy-qa >> input#q")
        box.fill("")
        box.press_sequentially(item["q"], delay=delay)
        page.wait_for_function(SETTLED)
        page.wait_for_timeout(50)
        page.wait_for_function(SETTLED)
        shown.append(page.locator("kysy-qa >> ul#l > li summary").all_inner_texts())
    ctx.close()
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="list queries the widget ranks below 1")
    parser.add_argument("--delay", type=int, default=40, help="ms between typed keys (default 40)")
    args = parser.parse_args()
    posts = json.loads((DATA / "posts.json").read_text(encoding="utf-8"))["posts"]
    queries = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))["queries"]
    base, question_ids, stop = start_stack(posts)
    try:
        import httpx
        from playwright.sync_api import sync_playwright

        by_post = {p["post_id"]: p for p in posts}
        with httpx.Client(timeout=30) as client:
            server = [
                [
                    question_ids[h["question"]]
                    for h in client.get(f"{base}/v1/search?limit={K}&post_id={q['post_id']}&q={quote(q['q'])}").json()[
                        "items"
                    ]
                ]
                for q in queries
            ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            typed = widget_run(browser, base, by_post, queries, local=False, delay=args.delay)
            local = widget_run(browser, base, by_post, queries, local=True, delay=args.delay)
            browser.close()
    finally:
        stop()

    systems = {
        "widget": [[question_ids[t] for t in shown] for shown in typed],
        "server API": server,
        "widget, local": [[question_ids[t] for t in shown] for shown in local],
    }
    kinds = sorted({q["kind"] for q in queries})
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    empty: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, results in systems.items():
        for q, ranked in zip(queries, results, strict=True):
            for group in (q["kind"], "all"):
                rows[group][name].append(reciprocal_rank(ranked, q["rel"]))
                empty[group][name] += not ranked
    print(f"{len(posts)} posts, {sum(len(p['qa']) for p in posts)} Q&A, {len(queries)} typed queries")
    header = f"{'queries':<12}{'n':>4}" + "".join(f"{n + ' MRR@5':>22}" for n in systems)
    print(header + f"{'nothing shown: widget':>24}{'local':>7}")
    for group in [*kinds, "all"]:
        line = f"{group:<12}{len(rows[group]['widget']):>4}"
        line += "".join(f"{sum(v) / len(v):>22.3f}" for v in rows[group].values())
        print(line + f"{empty[group]['widget']:>24}{empty[group]['widget, local']:>7}")
    if args.verbose:
        for q, ranked, api in zip(queries, systems["widget"], server, strict=True):
            if reciprocal_rank(ranked, q["rel"]) < 1.0:
                print(f"  {q['kind']:<11} {q['q']!r}: widget {ranked[:K]}, server {api}, want {q['rel']}")


if __name__ == "__main__":
    main()
