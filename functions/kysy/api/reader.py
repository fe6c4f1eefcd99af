"""Public reader API: the widget's data, question submission and search. No authentication.

Lambda entry point: ``kysy.api.reader.handler``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field

from kysy.api import compression
from kysy.api.http import create_app
from kysy.api.lean import without_optional_modules
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.errors import ValidationFailed
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service.questions import Client, QuestionService, Submission
from kysy.service.render import render_fragment
from kysy.service.search import SearchService, snapshot_backend
from kysy.settings import Settings, get_settings


class PostOut(BaseModel):
    id: str
    title: str
    url: str
    lang: str
    open: bool
    order: Literal["newest", "oldest"]


class QAOut(BaseModel):
    id: str
    question: str
    answer: str
    asker_name: str | None
    asked_at: str
    answered_at: str | None


class PublishedPage(BaseModel):
    post: PostOut
    items: list[QAOut]
    next_cursor: str | None


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(max_length=20_000, description="3-2,000 characters after trimming")
    name: str | None = Field(default=None, max_length=1_000)
    email: str | None = Field(default=None, max_length=1_000)
    notify: bool | None = Field(default=None, description="Email me when answered (default: when an email is given)")
    website: str | None = Field(default=None, max_length=1_000, description="Leave empty (bot trap)")


class Accepted(BaseModel):
    id: str
    status: str
    notify: bool = Field(description="Whether the asker will get one email when answered (consent + address)")


class Highlight(BaseModel):
    field: str
    start: int
    end: int


class SearchItem(BaseModel):
    id: str
    post_id: str
    post_title: str = Field(description="Title of the record's post (empty when the post has none)")
    post_url: str = Field(description="Address of the record's post (empty when unknown)")
    question: str
    answer: str
    snippet: str
    score: float
    highlights: list[Highlight]


class SearchResults(BaseModel):
    items: list[SearchItem]


def _etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _cache_control(shared_seconds: int) -> str:
    """Browsers revalidate every time (``max-age=0``: an unchanged list costs a 304, a publish shows on the
    next view); shared caches (a CDN in front) may keep the list ``s-maxage`` seconds and serve it stale
    while they fetch a fresh one. README "Caching" explains both cases."""
    if shared_seconds <= 0:
        return "no-cache"
    return f"public, max-age=0, s-maxage={shared_seconds}, stale-while-revalidate={shared_seconds * 5}"


def _cached(request: Request, payload: Any, settings: Settings, media_type: str = "application/json") -> Response:
    """A cacheable response with an ETag; a matching If-None-Match gets an empty 304."""
    body = (
        payload
        if isinstance(payload, bytes)
        else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    )
    etag = _etag(body)
    headers = {
        "ETag": etag,
        "Cache-Control": _cache_control(settings.cache_max_age_seconds),
        "Vary": "Accept-Encoding",
    }
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if len(body) >= compression.MIN_BYTES and compression.accepts_gzip(request.headers.get("accept-encoding", "")):
        # Compressed once per content (the ETag names it); GZipMiddleware passes it through.
        headers["Content-Encoding"] = "gzip"
        return Response(compression.gzipped(etag, body), media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def build_router(questions: QuestionService, settings: Settings, search: SearchService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["reader"])

    # The GET routes are ``async def`` on purpose: FastAPI runs a plain ``def`` route in a worker
    # thread, and under Mangum each invocation's event loop run ends its worker threads, so every
    # request paid a thread start. Inside Lambda one request runs at a time per environment, so a
    # blocking DynamoDB call in a coroutine holds nobody up.
    @router.get("/posts/{post_id}/questions", response_model=PublishedPage)
    async def list_published(
        request: Request,
        post_id: str,
        limit: Annotated[int | None, Query(ge=1, le=100)] = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        order: Annotated[
            Literal["newest", "oldest"] | None, Query(description="Override the post's order setting")
        ] = None,
    ) -> Response:
        page = questions.published(post_id, limit=limit, cursor=cursor, order=order)
        return _cached(request, page, settings)

    @router.get("/posts/{post_id}/questions.html", response_class=HTMLResponse)
    async def fragment(request: Request, post_id: str) -> Response:
        """Server-rendered Q&A for no-JS readers and crawlers (a static site can inline it)."""
        page = questions.published(post_id, limit=100, cursor=None)
        return _cached(request, render_fragment(page).encode(), settings, media_type="text/html; charset=utf-8")

    @router.post("/posts/{post_id}/questions", status_code=202, response_model=Accepted)
    def submit(
        request: Request,
        post_id: str,
        body: QuestionIn,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> JSONResponse:
        client = Client(ip=request.client.host if request.client else "unknown", origin=request.headers.get("origin"))
        result = questions.submit(
            post_id,
            Submission(
                question=body.question, name=body.name, email=body.email, website=body.website, notify=body.notify
            ),
            client=client,
            idempotency_key=idempotency_key,
            lambda_context=request.scope.get("aws.context"),  # Mangum passes Lambda's context here
        )
        metrics.add_metric(name="QuestionsSubmitted", unit=MetricUnit.Count, value=1)
        logger.info("question submitted", extra={"post_id": post_id, "qa_id": result["id"]})
        return JSONResponse(result, status_code=202)

    def _search(q: str, post_id: str | None, limit: int | None, prefix: bool) -> SearchResults:
        if not q.strip():
            raise ValidationFailed("Write something to search for.", code="query_required")
        return SearchResults.model_validate(
            {"items": search.search(q, post_id=post_id, limit=limit, prefix_last=prefix)}
        )

    @router.get("/search", response_model=SearchResults)
    async def search_published(
        q: Annotated[str, Query(max_length=2000)],
        post_id: str | None = None,
        limit: Annotated[int | None, Query(ge=1, le=50)] = None,
    ) -> SearchResults:
        return _search(q, post_id, limit, prefix=True)

    @router.get("/similar", response_model=SearchResults)
    async def similar(
        q: Annotated[str, Query(max_length=2000)],
        post_id: str | None = None,
        limit: Annotated[int | None, Query(ge=1, le=20)] = None,
    ) -> SearchResults:
        """Already-answered questions that look like the one being typed."""
        return _search(q, post_id, limit or 3, prefix=False)

    return router


def build_app(settings: Settings, store: Store) -> FastAPI:
    with without_optional_modules():  # see kysy.api.lean
        app = create_app("Kysy reader API", settings, public=True)
        search = SearchService(snapshot_backend(store, settings))
        app.include_router(build_router(QuestionService(store, settings), settings, search))
        app.include_router(static_router("widget", "/widget"))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
