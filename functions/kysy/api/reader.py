"""Public reader API: the widget's data, question submission and search. No authentication.

Lambda entry point: ``kysy.api.reader.handler``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.config import JsonDict

from kysy import errors
from kysy.api import compression
from kysy.api.contract import (
    EMAIL_SCHEMA,
    IDEMPOTENCY_KEY_SCHEMA,
    NAME_SCHEMA,
    QUERY_SCHEMA,
    QUESTION_SCHEMA,
    RECORD_ID_SCHEMA,
    CursorQuery,
    PostIdPath,
    PostIdQuery,
    SearchResults,
    error_responses,
    page_limit,
)
from kysy.api.http import create_app
from kysy.api.lean import without_optional_modules
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service import validation
from kysy.service.gaps import GapService
from kysy.service.questions import Client, QuestionService, Submission
from kysy.service.render import render_fragment
from kysy.service.search import SearchService, snapshot_backend
from kysy.settings import Settings, get_settings


# ------------------------------------------------------------------------ schemas (reader API)
class PostOut(BaseModel):
    id: str
    title: str
    url: str
    lang: str
    open: bool = Field(description="Whether the post takes new questions.")
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
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


EMAIL_OR_NULL: JsonDict = {"anyOf": [*EMAIL_SCHEMA["anyOf"], {"type": "null"}]}  # type: ignore[misc]


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)  # strict: JSON types as documented (no "1" for 1)

    question: str = Field(
        description=f"{validation.QUESTION_MIN}-{validation.QUESTION_MAX} characters; at least "
        f"{validation.QUESTION_MIN} of them visible (not spaces or control characters).",
        json_schema_extra=QUESTION_SCHEMA,
    )
    name: str | None = Field(default=None, description="Shown with the answer.", json_schema_extra=NAME_SCHEMA)
    email: str | None = Field(
        default=None,
        description="Only to tell the asker about the answer; never shown or published.",
        json_schema_extra=EMAIL_OR_NULL,
    )
    notify: bool | None = Field(
        default=None,
        description="Email me when answered: the consent the address needs. Without `true` the address is not kept.",
    )
    website: str | None = Field(default=None, max_length=1_000, description="Leave empty (bot trap)")


class Accepted(BaseModel):
    id: str = Field(json_schema_extra=RECORD_ID_SCHEMA)
    status: Literal["pending"]
    notify: bool = Field(description="Whether the asker will get one email when answered (consent + address)")


class GapReportIn(BaseModel):
    """A search the reader made on this post that ended without an answer being opened."""

    model_config = ConfigDict(extra="forbid", strict=True)

    q: str = Field(description="What the reader typed.", json_schema_extra=QUERY_SCHEMA)
    kind: Literal["no_results", "not_opened"] = Field(
        description="`no_results`: the search showed nothing; `not_opened`: results were shown, none opened."
    )


class GapReported(BaseModel):
    counted: bool = Field(description="False when the text held nothing worth counting (e.g. only an address).")


# The widget sends the report with fetch(keepalive) as text/plain: a CORS-safelisted type, so no
# preflight is needed while the page is closing. JSON is accepted too.
_GAP_BODY_SCHEMA = GapReportIn.model_json_schema()
_GAP_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _GAP_BODY_SCHEMA}, "text/plain": {"schema": _GAP_BODY_SCHEMA}},
    }
}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_CACHE_HEADERS = {
    "ETag": {
        "description": "Weak validator of this body; send it back as `If-None-Match`.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": "How long browsers and CDNs may reuse it.", "schema": {"type": "string"}},
}
CACHED: dict[int | str, dict[str, Any]] = {
    200: {"headers": _CACHE_HEADERS},
    304: {"description": "Not modified: `If-None-Match` names the current `ETag`.", "headers": _CACHE_HEADERS},
}
LIST_ERRORS = error_responses(
    errors.InvalidCursor,
    errors.NotFound,
    describe={404: "There is no such post (only when posts are not created by questions)."},
)
SearchText = Annotated[str, Query(description="What to look for.", json_schema_extra=QUERY_SCHEMA)]
IfNoneMatch = Annotated[
    str | None, Header(alias="If-None-Match", description="The `ETag` of a copy you have: 304 if it is current.")
]


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


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def build_router(questions: QuestionService, settings: Settings, search: SearchService, gaps: GapService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["reader"])

    @router.get(
        "/posts/{post_id}/questions",
        response_model=PublishedPage,
        responses={**LIST_ERRORS, **CACHED},
    )
    async def list_published(
        request: Request,
        post_id: PostIdPath,
        limit: Annotated[int | None, page_limit(validation.PAGE_MAX)] = None,
        cursor: CursorQuery = None,
        order: Annotated[
            Literal["newest", "oldest"] | None, Query(description="Override the post's order setting")
        ] = None,
        if_none_match: IfNoneMatch = None,
    ) -> Response:
        """The widget's view: the post and one page of its published questions and answers."""
        return _cached(request, questions.published(post_id, limit=limit, cursor=cursor, order=order), settings)

    @router.get(
        "/posts/{post_id}/questions.html",
        response_class=HTMLResponse,
        responses={**LIST_ERRORS, **CACHED},
    )
    async def fragment(request: Request, post_id: PostIdPath, if_none_match: IfNoneMatch = None) -> Response:
        """Server-rendered Q&A for no-JS readers and crawlers (a static site can inline it)."""
        page = questions.published(post_id, limit=validation.PAGE_MAX, cursor=None)
        return _cached(request, render_fragment(page).encode(), settings, media_type="text/html; charset=utf-8")

    @router.post(
        "/posts/{post_id}/questions",
        status_code=202,
        response_model=Accepted,
        responses=error_responses(
            errors.Forbidden,
            errors.NotFound,
            errors.Conflict,
            errors.RateLimited,
            describe={
                403: "The post is closed for questions (`post_closed`), or the page is not on the blog "
                "(`origin_not_allowed`).",
                404: "There is no such post (only when posts are not created by questions).",
                409: "The same `Idempotency-Key` is being saved right now (`request_in_progress`) or was used "
                "for another question (`idempotency_key_reused`).",
            },
        ),
    )
    def submit(
        request: Request,
        post_id: PostIdPath,
        body: QuestionIn,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                description="Any unique key per question: a retry with the same key stores it once.",
                json_schema_extra=IDEMPOTENCY_KEY_SCHEMA,
            ),
        ] = None,
    ) -> JSONResponse:
        """Ask a question: it waits for the editors, unpublished, until answered."""
        client = Client(ip=_ip(request), origin=request.headers.get("origin"))
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
        return SearchResults.model_validate(
            {"items": search.search(validation.search_text(q), post_id=post_id, limit=limit, prefix_last=prefix)}
        )

    @router.get("/search", response_model=SearchResults)
    async def search_published(
        request: Request,
        q: SearchText,
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(validation.SEARCH_MAX, "At most this many answers.")] = None,
        live: Annotated[
            bool,
            Query(
                description="A search-as-you-type request: when it finds nothing it is not counted as a search "
                "gap (the widget reports the search the reader settled on itself)."
            ),
        ] = False,
    ) -> SearchResults:
        """Published answers ranked for a search (the last word may be a prefix: search as you type).
        A search of one post that finds nothing is counted for the editors (text, post and week only)."""
        results = _search(q, post_id, limit, prefix=True)
        if not live:
            gaps.note_search(post_id, q, hits=len(results.items), ip=_ip(request), origin=request.headers.get("origin"))
        return results

    @router.post(
        "/posts/{post_id}/gaps",
        status_code=202,
        response_model=GapReported,
        openapi_extra=_GAP_BODY,
        responses=error_responses(
            errors.Forbidden,
            errors.NotFound,
            errors.RateLimited,
            describe={
                403: "The page is not on the blog (`origin_not_allowed`).",
                404: "There is no such post (only when posts are not created by questions).",
                429: "This client has sent many reports today; try again after `Retry-After` seconds.",
            },
        ),
    )
    def report_gap(request: Request, post_id: PostIdPath, raw: Annotated[bytes, Depends(_raw_body)]) -> GapReported:
        """Report a search of this post that found nothing, or whose results the reader did not open.
        Counted per post, ISO week and normalised text only (no IP, no client, no time); limited per
        client and day."""
        try:
            body = GapReportIn.model_validate_json(raw or b"{}")
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from error
        counted = gaps.report(post_id, body.q, kind=body.kind, ip=_ip(request), origin=request.headers.get("origin"))
        return GapReported(counted=counted)

    @router.get("/similar", response_model=SearchResults)
    async def similar(
        q: SearchText,
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(validation.SIMILAR_MAX, "At most this many answers.")] = None,
    ) -> SearchResults:
        """Already-answered questions that look like the one being typed."""
        return _search(q, post_id, limit or 3, prefix=False)

    return router


def build_app(settings: Settings, store: Store) -> FastAPI:
    with without_optional_modules():  # see kysy.api.lean
        app = create_app("Kysy reader API", settings, public=True)
        search = SearchService(snapshot_backend(store, settings))
        app.include_router(
            build_router(QuestionService(store, settings), settings, search, GapService(store, settings))
        )
        app.include_router(static_router("widget", "/widget", chunks=True))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
