"""Editor API: the moderation queue, answering, publishing and post settings. JWT required.

Lambda entry point: ``kysy.api.editor.handler``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.security import HTTPBearer
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from kysy import errors
from kysy.api.auth import TokenVerifier, bearer_token
from kysy.api.contract import (
    ANSWER_SCHEMA,
    NAME_SCHEMA,
    POST_ID_SCHEMA,
    QUESTION_SCHEMA,
    REASON_SCHEMA,
    RECORD_ID_SCHEMA,
    TITLE_SCHEMA,
    URL_SCHEMA,
    CursorQuery,
    JsonInt,
    PostIdPath,
    PostIdQuery,
    RecordIdPath,
    SearchItem,
    error_responses,
    page_limit,
)
from kysy.api.http import create_app
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.models import QA, Status
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service import validation
from kysy.service.posts import LANGS, PostChanges, PostService
from kysy.service.questions import Editor, QuestionService
from kysy.service.search import SearchService
from kysy.settings import Settings, get_settings


# ------------------------------------------------------------------------ schemas (editor API)
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # strict: JSON types as documented (no 0 for false)


class Versioned(_In):
    version: JsonInt = Field(ge=1, description="The version you read; a stale one gets 409 with the current record")


_VISIBLE_ANSWER: JsonDict = {"properties": {"answer": {"pattern": validation.VISIBLE_PATTERN}}}


class AnswerIn(Versioned):
    # Publishing needs an answer with something in it; a draft may be empty.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"publish": {"const": False}}, "required": ["publish"]},
            "else": _VISIBLE_ANSWER,
        }
    )

    answer: str = Field(json_schema_extra=ANSWER_SCHEMA)
    publish: bool = Field(default=True, description="Publish now (true) or save a draft that stays pending.")
    question: str | None = Field(
        default=None, description="Corrected question text.", json_schema_extra=QUESTION_SCHEMA
    )


class EditIn(Versioned):
    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": [name]} for name in ("question", "answer", "asker_name")]}
    )

    question: str | None = Field(default=None, json_schema_extra=QUESTION_SCHEMA)
    answer: str | None = Field(
        default=None,
        description="An empty answer is refused (409) while the question is published.",
        json_schema_extra=ANSWER_SCHEMA,
    )
    asker_name: str | None = Field(default=None, json_schema_extra=NAME_SCHEMA)


class RejectIn(Versioned):
    reason: str = Field(
        default="", description="Kept for editors; never shown to the asker.", json_schema_extra=REASON_SCHEMA
    )


class DuplicateIn(Versioned):
    duplicate_of: str = Field(
        description="Id of a published answer in the same post.", json_schema_extra=RECORD_ID_SCHEMA
    )


_LANG: JsonDict = {"enum": list(LANGS)}


class PostIn(_In):
    id: str = Field(json_schema_extra=POST_ID_SCHEMA)
    title: str = Field(default="", json_schema_extra=TITLE_SCHEMA)
    url: str = Field(default="", description="The post's address (empty, or http/https).", json_schema_extra=URL_SCHEMA)
    lang: str = Field(default="fi", json_schema_extra=_LANG)
    open: bool = True


class PostPatch(_In):
    version: JsonInt = Field(ge=0, description="The version you read (0 for a post readers created by asking)")
    title: str | None = Field(default=None, json_schema_extra=TITLE_SCHEMA)
    url: str | None = Field(default=None, json_schema_extra=URL_SCHEMA)
    lang: str | None = Field(default=None, json_schema_extra=_LANG)
    open: bool | None = None


class AuditOut(BaseModel):
    at: str
    by: str
    action: str
    note: str


class QAAdmin(BaseModel):
    """A question as editors see it (the asker's address masked)."""

    post_id: str
    id: str
    question: str
    status: Status
    answer: str
    asker_name: str
    asker_email: str = Field(description="Masked (`m***@example.com`), or empty.")
    has_email: bool
    notify: bool
    created_at: str
    answered_at: str
    updated_at: str
    answered_by: str
    updated_by: str
    reject_reason: str
    duplicate_of: str
    source: str
    import_key: str
    version: int
    audit: list[AuditOut]


class QAWithSimilar(QAAdmin):
    similar: list[SearchItem] = Field(description="Published answers and pending questions that look alike.")


class QueuePage(BaseModel):
    items: list[QAAdmin]
    next_cursor: str | None
    counts: dict[str, int] = Field(description="Pending questions per post id.")


class QAList(BaseModel):
    items: list[QAAdmin]


class PostAdmin(BaseModel):
    id: str
    title: str
    url: str
    lang: str
    open: bool
    created_at: str
    updated_at: str
    version: int = Field(description="0 for a post readers created by asking that no editor has saved yet.")


class PostWithCount(PostAdmin):
    pending: int


class PostList(BaseModel):
    items: list[PostWithCount]


class Me(BaseModel):
    id: str
    email: str
    name: str


# What the record routes may answer besides the implied statuses (see kysy.api.contract).
RECORD_ERRORS = error_responses(errors.NotFound, errors.Conflict)
CHANGE_ERRORS = error_responses(
    errors.NotFound,
    errors.Conflict,
    describe={409: "Stale `version` (`version_conflict`, with `error.current`), or not allowed in the current status."},
)
bearer = HTTPBearer(auto_error=False, description="A Cognito (or local) JWT of a member of the editors group.")


def current_editor(request: Request) -> Editor:
    """Every admin route depends on this: a verified token of a member of the editors group."""
    verifier: TokenVerifier = request.app.state.verifier
    editor = verifier.verify(bearer_token(request))
    logger.append_keys(editor=editor.id)
    return editor


EditorDep = Annotated[Editor, Depends(current_editor)]


def build_router(questions: QuestionService, posts: PostService) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["editor"], dependencies=[Depends(bearer), Depends(current_editor)])

    search = SearchService(questions.store)

    def similar_for(qa: QA) -> list[dict[str, Any]]:
        pending = questions.store.queue(post_id=None, limit=100, after_id=None, newest_first=True).items
        return search.similar_pending(qa, pending)

    @router.get("/me", response_model=Me)
    def me(editor: EditorDep) -> dict[str, str]:
        return {"id": editor.id, "email": editor.email, "name": editor.name}

    @router.get("/queue", response_model=QueuePage, responses=error_responses(errors.InvalidCursor))
    def queue(
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(validation.PAGE_MAX)] = None,
        cursor: CursorQuery = None,
        order: Literal["oldest", "newest"] = "oldest",
    ) -> dict[str, Any]:
        return questions.queue(post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest")

    @router.get("/posts", response_model=PostList)
    def list_posts() -> dict[str, Any]:
        counts = questions.store.queue_counts()
        return {"items": [{**p.admin(), "pending": counts.get(p.id, 0)} for p in posts.list(also=list(counts))]}

    @router.post(
        "/posts",
        status_code=201,
        response_model=PostAdmin,
        responses=error_responses(errors.Conflict, describe={409: "A post with this id exists (`post_exists`)."}),
    )
    def create_post(body: PostIn) -> dict[str, Any]:
        post = posts.create(body.id, PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open))
        return post.admin()

    @router.get("/posts/{post_id}", response_model=PostAdmin, responses=error_responses(errors.NotFound))
    def get_post(post_id: PostIdPath) -> dict[str, Any]:
        return posts.get(post_id).admin()

    @router.patch("/posts/{post_id}", response_model=PostAdmin, responses=CHANGE_ERRORS)
    def update_post(post_id: PostIdPath, body: PostPatch) -> dict[str, Any]:
        changes = PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open)
        return posts.update(post_id, version=body.version, changes=changes).admin()

    @router.get("/posts/{post_id}/questions", response_model=QAList)
    def post_records(post_id: PostIdPath) -> dict[str, Any]:
        validation.post_id(post_id)
        return {"items": [qa.admin() for qa in questions.store.records_of_post(post_id)]}

    @router.get(
        "/posts/{post_id}/questions/{qa_id}", response_model=QAWithSimilar, responses=error_responses(errors.NotFound)
    )
    def get_record(post_id: PostIdPath, qa_id: RecordIdPath) -> dict[str, Any]:
        qa = questions.get(post_id, qa_id)
        return {**qa.admin(), "similar": similar_for(qa)}

    @router.post("/posts/{post_id}/questions/{qa_id}/answer", response_model=QAAdmin, responses=CHANGE_ERRORS)
    def answer(post_id: PostIdPath, qa_id: RecordIdPath, body: AnswerIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.answer(
            post_id,
            qa_id,
            version=body.version,
            answer=body.answer,
            publish=body.publish,
            editor=editor,
            question=body.question,
        )
        if body.publish:
            metrics.add_metric(name="QuestionsAnswered", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.patch("/posts/{post_id}/questions/{qa_id}", response_model=QAAdmin, responses=CHANGE_ERRORS)
    def edit(post_id: PostIdPath, qa_id: RecordIdPath, body: EditIn, editor: EditorDep) -> dict[str, Any]:
        return questions.edit(
            post_id,
            qa_id,
            version=body.version,
            editor=editor,
            question=body.question,
            answer=body.answer,
            asker_name=body.asker_name,
        ).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/unpublish", response_model=QAAdmin, responses=CHANGE_ERRORS)
    def unpublish(post_id: PostIdPath, qa_id: RecordIdPath, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        return questions.unpublish(post_id, qa_id, version=body.version, editor=editor).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/reject", response_model=QAAdmin, responses=CHANGE_ERRORS)
    def reject(post_id: PostIdPath, qa_id: RecordIdPath, body: RejectIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.reject(post_id, qa_id, version=body.version, reason=body.reason, editor=editor)
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/duplicate", response_model=QAAdmin, responses=CHANGE_ERRORS)
    def duplicate(post_id: PostIdPath, qa_id: RecordIdPath, body: DuplicateIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.mark_duplicate(
            post_id, qa_id, version=body.version, duplicate_of=body.duplicate_of, editor=editor
        )
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.delete(
        "/posts/{post_id}/questions/{qa_id}",
        status_code=204,
        response_class=Response,
        responses={204: {"description": "Deleted."}, **CHANGE_ERRORS},
    )
    def delete(
        post_id: PostIdPath,
        qa_id: RecordIdPath,
        version: Annotated[int, Query(ge=1, description="The version you read.")],
        editor: EditorDep,
    ) -> Response:
        questions.delete(post_id, qa_id, version=version, editor=editor)
        return Response(status_code=204)

    return router


def config_router(settings: Settings) -> APIRouter:
    """How the editor view signs in: Cognito Hosted UI (code flow + PKCE) or the local token."""
    router = APIRouter(include_in_schema=False)

    @router.get("/editor/config.json")
    def editor_config() -> dict[str, Any]:
        if settings.jwks_json or not settings.cognito_domain:
            return {"mode": "local"}
        return {
            "mode": "cognito",
            "domain": settings.cognito_domain,
            "clientId": settings.jwt_audience,
            "redirectUri": f"{settings.public_base_url}/editor/",
        }

    return router


def build_app(settings: Settings, store: Store) -> FastAPI:
    app = create_app("Kysy editor API", settings, public=False)
    app.state.verifier = TokenVerifier(settings)
    app.include_router(build_router(QuestionService(store, settings), PostService(store)))
    app.include_router(config_router(settings))
    app.include_router(static_router("editor", "/editor", index="index.html"))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
