"""Building blocks shared by the reader and editor apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from kysy import __version__
from kysy.api.contract import install_contract
from kysy.api.errors import error_body, install_error_handlers

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from kysy.settings import Settings

MAX_BODY_BYTES = 16 * 1024


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 before anything parses them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.limit:
                await self._refuse(send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        import json

        payload = json.dumps(
            error_body("payload_too_large", f"The request body is larger than {self.limit // 1024} KB.")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def create_app(title: str, settings: Settings, *, public: bool) -> FastAPI:
    app = FastAPI(
        title=title,
        version=__version__,
        docs_url="/v1/docs" if public else "/v1/admin/docs",
        openapi_url="/v1/openapi.json" if public else "/v1/admin/openapi.json",
        redoc_url=None,
    )
    install_error_handlers(app)
    install_contract(app)
    origins = settings.origins or ["*"]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"] if not public else ["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Idempotency-Key", "If-None-Match", "Authorization"],
        expose_headers=["ETag", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(BodyLimit)
    # Readers are on phones and slow networks; API Gateway does not compress responses.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    return app
