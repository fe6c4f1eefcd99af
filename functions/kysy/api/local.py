"""The local stack as one ASGI app: the same reader and editor apps as in Lambda, at the same
paths, plus the demo blog post (``/demo``) and an index page. Used by ``kysy dev`` (uvicorn).

Import this module only after the environment (table, endpoint, local JWKS) is set: the reader
and editor modules read their settings when imported, exactly as they do at a Lambda cold start.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse, RedirectResponse

from kysy.api import editor, reader

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

REPO = Path(__file__).resolve().parents[3]
DEMO_TEMPLATE = REPO / "widget" / "demo.html"


def _render_demo(post_id: str, title: str, intro: list[str], lang: str, api: str) -> str:
    template = DEMO_TEMPLATE.read_text(encoding="utf-8")
    article = "".join(f"<p>{escape(p)}</p>" for p in intro)
    return (
        template.replace("{{API}}", escape(api, quote=True))
        .replace("{{POST_ID}}", escape(post_id, quote=True))
        .replace("{{TITLE}}", escape(title))
        .replace("{{ARTICLE_HTML}}", article)
        .replace("{{LANG}}", escape(lang, quote=True))
    )


class LocalApp:
    """Route by path like API Gateway does: /v1/admin and /editor to the editor function."""

    def __init__(self, demo: dict[str, object]) -> None:
        self.demo = demo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(("/v1/admin", "/editor")):
            await editor.app(scope, receive, send)
        elif path.startswith(("/v1/", "/widget/")):
            await reader.app(scope, receive, send)
        elif path in ("/demo", "/demo/"):
            await self._demo(scope, receive, send)
        elif path == "/":
            await RedirectResponse("/demo")(scope, receive, send)
        elif scope["type"] == "lifespan":
            await reader.app(scope, receive, send)
        else:
            await reader.app(scope, receive, send)

    async def _demo(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        request = Request(scope)
        api = f"{request.url.scheme}://{request.url.netloc}"
        demo = self.demo
        page = _render_demo(
            str(demo["post_id"]),
            str(demo["title"]),
            list(demo["intro"]),  # type: ignore[call-overload]
            str(demo["lang"]),
            api,
        )
        await HTMLResponse(page, headers={"Cache-Control": "no-store"})(scope, receive, send)


def build_local_app(demo_file: Path) -> LocalApp:
    demo = json.loads(demo_file.read_text(encoding="utf-8")) if demo_file.exists() else {}
    demo.setdefault("post_id", "sosiaalinen-media-2021")
    demo.setdefault("title", "Kysy demo")
    demo.setdefault("intro", [])
    demo.setdefault("lang", "fi")
    return LocalApp(demo)
