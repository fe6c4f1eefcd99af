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


# Every response: no MIME sniffing, no referrer leaking the blog post or editor URLs, no framing.
# API responses (JSON, the HTML fragment) load nothing themselves: `default-src 'none'`.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)


# FastAPI's Swagger UI page: its assets come from jsDelivr and it boots with an inline script.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def editor_view_csp(settings: Settings) -> str:
    """The editor view's policy: its own files only, API calls to itself and to the Cognito domain
    (any https origin when no domain is configured, as the page's own meta policy allows)."""
    connect = f"'self' {settings.cognito_domain.rstrip('/') if settings.cognito_domain else 'https:'}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Add the security headers to every response (errors, 304s and static files included).

    ``csp`` maps a path prefix to its Content-Security-Policy (longest prefix wins); other paths get
    ``API_CSP``. The widget's script is embedded by blogs with ``<script src>``: a CSP on the script's
    own response does not restrict the page that embeds it, and no Cross-Origin-Resource-Policy is
    set, so cross-origin embedding keeps working.
    """

    def __init__(self, app: ASGIApp, csp: dict[str, str] | None = None) -> None:
        self.app = app
        self.csp = sorted((csp or {}).items(), key=lambda kv: len(kv[0]), reverse=True)

    def _policy(self, path: str) -> bytes:
        for prefix, policy in self.csp:
            if path.startswith(prefix):
                return policy.encode()
        return API_CSP.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self._policy(scope.get("path", ""))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in BASE_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", policy))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(title: str, settings: Settings, *, public: bool, csp: dict[str, str] | None = None) -> FastAPI:
    docs_url = "/v1/docs" if public else "/v1/admin/docs"
    app = FastAPI(
        title=title,
        version=__version__,
        docs_url=docs_url,
        swagger_ui_oauth2_redirect_url=None,  # no OAuth in the docs page; it would be a route API Gateway lacks
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
    # Outermost: every response gets the headers, even BodyLimit's 413.
    app.add_middleware(SecurityHeaders, csp={docs_url: DOCS_CSP, **(csp or {})})
    return app
