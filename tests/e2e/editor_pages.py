"""What the editor view's browser tests share: questions and records through the APIs, a signed-in
page (the ``open_editor`` fixture lives in conftest), screenshots and axe-core."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx

from tests.e2e.browser import ARTIFACTS, AXE

XSS = "<img src=x onerror=alert(1)>"


def uid() -> str:
    return uuid.uuid4().hex[:8]


def letters(n: int = 8) -> str:
    """A letters-only tag (search gaps store runs of digits as [number])."""
    return "".join(chr(ord("a") + d % 26) for d in uuid.uuid4().bytes[:n])


def reader_ip() -> str:
    """An address of a reader of its own: `kysy dev` (uvicorn) trusts X-Forwarded-For from loopback, so
    questions sent with it carry their own client hash, apart from every other test's."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def submit(server: Any, post_id: str, question: str, *, ip: str | None = None, **extra: Any) -> str:
    response = httpx.post(
        f"{server.base_url}/v1/posts/{post_id}/questions",
        json={"question": question, "name": "Testi", **extra},
        headers={"Idempotency-Key": uuid.uuid4().hex, **({"X-Forwarded-For": ip} if ip else {})},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def admin(server: Any, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    return server.admin(method, path, body, token=token)


def record(server: Any, post_id: str, qa_id: str) -> dict[str, Any]:
    return admin(server, "GET", f"/posts/{post_id}/questions/{qa_id}")  # type: ignore[no-any-return]


def open_question(page: Any, question: str) -> None:
    try:
        page.locator(".qi", has_text=question).click(timeout=10_000)
    except Exception:
        shot(page, "open-question-failed")
        raise
    page.wait_for_selector("#f-answer")
    assert page.locator("#detail-h").inner_text() == question


def wait_status(page: Any, text: str) -> None:
    """Wait until the polite status line says ``text``."""
    page.wait_for_function("t => document.getElementById('status').textContent.includes(t)", arg=text)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=True)


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(result)
