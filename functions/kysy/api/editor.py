"""Editor API: the moderation queue, answering, publishing and post settings. JWT required.

Lambda entry point: ``kysy.api.editor.handler``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field

from kysy.api.auth import TokenVerifier, bearer_token
from kysy.api.http import create_app, editor_view_csp
from kysy.api.lean import without_optional_modules
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.models import QA
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service.moderation import ModerationService, RecordRef, Selection
from kysy.service.posts import PostChanges, PostService
from kysy.service.privacy import PrivacyService
from kysy.service.questions import Editor, QuestionService
from kysy.service.search import SearchService, snapshot_backend
from kysy.settings import Settings, get_settings


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Versioned(_In):
    version: int = Field(ge=1, description="The version you read; a stale one gets 409 with the current record")


class AnswerIn(Versioned):
    answer: str = Field(max_length=20_000)
    publish: bool = True
    question: str | None = Field(default=None, max_length=20_000)


class EditIn(Versioned):
    question: str | None = Field(default=None, max_length=20_000)
    answer: str | None = Field(default=None, max_length=20_000)
    asker_name: str | None = Field(default=None, max_length=1_000)


class RejectIn(Versioned):
    reason: str = Field(default="", max_length=2_000)


class DuplicateIn(Versioned):
    duplicate_of: str = Field(max_length=64)


class PostIn(_In):
    id: str = Field(max_length=200)
    title: str = Field(default="", max_length=2_000)
    url: str = Field(default="", max_length=2_000)
    lang: str = Field(default="fi", description="A language of the registry (kysy.i18n): fi, en, sv")
    open: bool = True
    order: Literal["newest", "oldest"] = Field(default="newest", description="How the widget lists answers")


class PostPatch(_In):
    version: int = Field(ge=0, description="The version you read (0 for a post readers created by asking)")
    title: str | None = Field(default=None, max_length=2_000)
    url: str | None = Field(default=None, max_length=2_000)
    lang: str | None = None
    open: bool | None = None
    order: Literal["newest", "oldest"] | None = None


class RecordRefIn(_In):
    post_id: str = Field(max_length=200)
    id: str = Field(max_length=64)


class BulkRejectIn(_In):
    """Exactly one of ``ids``, ``client`` (a client hash from the queue) or ``post_id``."""

    ids: list[RecordRefIn] | None = Field(default=None, max_length=100)
    client: str | None = Field(default=None, max_length=64)
    post_id: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=2_000)


class ForgetIn(_In):
    email: str = Field(max_length=1_000, description="The address whose data is erased")


# ------------------------------------------------------------------------------ responses
# Records and posts allow extra keys so a field added to the domain model is never silently lost.
class AuditOut(BaseModel):
    at: str
    by: str
    action: str
    note: str


class RecordOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    post_id: str
    id: str
    question: str
    status: Literal["pending", "published", "rejected"]
    answer: str
    asker_name: str
    notify: bool
    has_email: bool = Field(description="An address is stored and the asker will be emailed once")
    created_at: str
    answered_at: str
    updated_at: str
    answered_by: str
    updated_by: str
    reject_reason: str
    duplicate_of: str
    source: str
    version: int
    audit: list[AuditOut]
    flags: list[str] = Field(description="Machine codes such as links, caps, spam_phrase")
    client: str = Field(description="Keyed hash of the client that asked (pending and rejected only)")


class SimilarOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    post_id: str
    question: str
    answer: str
    score: float


class RecordWithSimilar(RecordOut):
    similar: list[SimilarOut]


class RecordList(BaseModel):
    items: list[RecordOut]


class QueueOut(BaseModel):
    items: list[RecordOut]
    next_cursor: str | None
    counts: dict[str, int] = Field(description="Pending questions per post (posts with none left out)")
    flagged: dict[str, int] = Field(description="Flagged pending questions per post")


class PostOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    url: str
    lang: str
    open: bool
    created_at: str
    updated_at: str
    version: int


class PostRowOut(PostOut):
    pending: int
    flagged: int
    published: int
    rejected: int


class PostsOut(BaseModel):
    items: list[PostRowOut]
    next_cursor: str | None


class MeOut(BaseModel):
    id: str
    email: str
    name: str


class BulkRejectOut(BaseModel):
    batch_id: str | None = Field(description="Undo with POST /v1/admin/bulk/{batch_id}/undo")
    rejected: list[str]
    skipped: list[str] = Field(description="Not pending any more, or changed meanwhile")
    undo_until: str | None
    more: bool = Field(description="More matching questions are waiting: send the same request again")


class UndoOut(BaseModel):
    restored: list[str]
    skipped: list[str] = Field(description="Changed since the bulk action: left as they are")


class AnonymisedOut(BaseModel):
    post_id: str
    id: str


class ForgetOut(BaseModel):
    records_found: int
    email_items_deleted: int
    lookup_items_deleted: int
    questions_deleted: list[str]
    published_anonymised: list[AnonymisedOut] = Field(
        description="Published answers kept with the asker's name removed: review their wording"
    )
    already_gone: list[str]


def current_editor(request: Request) -> Editor:
    """Every admin route depends on this: a verified token of a member of the editors group."""
    verifier: TokenVerifier = request.app.state.verifier
    editor = verifier.verify(bearer_token(request))
    logger.append_keys(editor=editor.id)
    return editor


EditorDep = Annotated[Editor, Depends(current_editor)]


def build_router(
    questions: QuestionService,
    posts: PostService,
    moderation: ModerationService,
    privacy: PrivacyService,
    search: SearchService,
) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["editor"], dependencies=[Depends(current_editor)])

    def similar_for(qa: QA) -> list[dict[str, Any]]:
        pending = questions.store.queue(post_id=None, limit=100, after_id=None, newest_first=True).items
        return search.similar_pending(qa, pending)

    @router.get("/me", response_model=MeOut)
    def me(editor: EditorDep) -> dict[str, str]:
        return {"id": editor.id, "email": editor.email, "name": editor.name}

    @router.get("/queue", response_model=QueueOut)
    def queue(
        post_id: str | None = None,
        limit: Annotated[int | None, Query(ge=1, le=100)] = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        order: Literal["oldest", "newest"] = "oldest",
        flag: Annotated[str | None, Query(max_length=32, description="A flag code, or * for any flag")] = None,
        client: Annotated[str | None, Query(max_length=64, description="A client hash from a queued question")] = None,
    ) -> dict[str, Any]:
        return questions.queue(
            post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest", flag=flag, client=client
        )

    @router.get("/rejected", response_model=QueueOut)
    def rejected(
        post_id: str | None = None,
        limit: Annotated[int | None, Query(ge=1, le=100)] = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        order: Literal["oldest", "newest"] = "newest",
    ) -> dict[str, Any]:
        """Rejected and duplicate questions (restore one with POST .../restore)."""
        return questions.queue(
            post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest", rejected=True
        )

    @router.get("/posts", response_model=PostsOut)
    def list_posts(
        limit: Annotated[int | None, Query(ge=1, le=100)] = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
    ) -> dict[str, Any]:
        return posts.page(limit=limit, cursor=cursor)

    @router.post("/posts", status_code=201, response_model=PostOut)
    def create_post(body: PostIn) -> dict[str, Any]:
        post = posts.create(
            body.id, PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open, order=body.order)
        )
        return post.admin()

    @router.get("/posts/{post_id}", response_model=PostOut)
    def get_post(post_id: str) -> dict[str, Any]:
        return posts.get(post_id).admin()

    @router.patch("/posts/{post_id}", response_model=PostOut)
    def update_post(post_id: str, body: PostPatch) -> dict[str, Any]:
        changes = PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open, order=body.order)
        return posts.update(post_id, version=body.version, changes=changes).admin()

    @router.get("/posts/{post_id}/questions", response_model=RecordList)
    def post_records(post_id: str) -> dict[str, Any]:
        return {"items": [qa.admin() for qa in questions.records_of_post(post_id)]}

    @router.get("/posts/{post_id}/questions/{qa_id}", response_model=RecordWithSimilar)
    def get_record(post_id: str, qa_id: str) -> dict[str, Any]:
        qa = questions.get(post_id, qa_id)
        return {**qa.admin(), "similar": similar_for(qa)}

    @router.post("/posts/{post_id}/questions/{qa_id}/answer", response_model=RecordOut)
    def answer(post_id: str, qa_id: str, body: AnswerIn, editor: EditorDep) -> dict[str, Any]:
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

    @router.patch("/posts/{post_id}/questions/{qa_id}", response_model=RecordOut)
    def edit(post_id: str, qa_id: str, body: EditIn, editor: EditorDep) -> dict[str, Any]:
        return questions.edit(
            post_id,
            qa_id,
            version=body.version,
            editor=editor,
            question=body.question,
            answer=body.answer,
            asker_name=body.asker_name,
        ).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/unpublish", response_model=RecordOut)
    def unpublish(post_id: str, qa_id: str, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        return questions.unpublish(post_id, qa_id, version=body.version, editor=editor).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/reject", response_model=RecordOut)
    def reject(post_id: str, qa_id: str, body: RejectIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.reject(post_id, qa_id, version=body.version, reason=body.reason, editor=editor)
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/duplicate", response_model=RecordOut)
    def duplicate(post_id: str, qa_id: str, body: DuplicateIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.mark_duplicate(
            post_id, qa_id, version=body.version, duplicate_of=body.duplicate_of, editor=editor
        )
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/restore", response_model=RecordOut)
    def restore(post_id: str, qa_id: str, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        """A rejected or duplicate question back to the queue."""
        return questions.restore(post_id, qa_id, version=body.version, editor=editor).admin()

    @router.delete("/posts/{post_id}/questions/{qa_id}", status_code=204, response_class=Response)
    def delete(post_id: str, qa_id: str, version: Annotated[int, Query(ge=1)], editor: EditorDep) -> Response:
        questions.delete(post_id, qa_id, version=version, editor=editor)
        return Response(status_code=204)

    @router.post("/bulk/reject", response_model=BulkRejectOut)
    def bulk_reject(body: BulkRejectIn, editor: EditorDep) -> dict[str, Any]:
        """Reject many pending questions at once; undo within the window with the returned batch id."""
        selection = Selection(
            ids=tuple(RecordRef(post_id=r.post_id, id=r.id) for r in body.ids or ()),
            client=body.client,
            post_id=body.post_id,
        )
        result = moderation.bulk_reject(selection, reason=body.reason, editor=editor)
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=len(result["rejected"]))
        logger.info("bulk reject", extra={"batch_id": result["batch_id"], "rejected": len(result["rejected"])})
        return result

    @router.post("/bulk/{batch_id}/undo", response_model=UndoOut)
    def bulk_undo(batch_id: str, editor: EditorDep) -> dict[str, Any]:
        return moderation.undo(batch_id, editor=editor)

    @router.post("/privacy/forget", response_model=ForgetOut)
    def forget(body: ForgetIn, editor: EditorDep) -> dict[str, Any]:
        """Erase everything tied to one email address (a data-subject request) and say what was removed."""
        report = privacy.forget(body.email, by=editor.label)
        logger.info("data-subject erasure", extra={"records": report.records_found})
        return report.as_dict()

    return router


def config_router(settings: Settings) -> APIRouter:
    """How the editor view signs in: Cognito Hosted UI (code flow + PKCE) or the local token."""
    router = APIRouter(include_in_schema=False)

    class EditorConfig(BaseModel):
        mode: Literal["local", "cognito"]
        domain: str | None = None
        clientId: str | None = None  # noqa: N815 - the editor view's JSON keys
        redirectUri: str | None = None  # noqa: N815

    @router.get("/editor/config.json", response_model=EditorConfig, response_model_exclude_none=True)
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
    with without_optional_modules():  # see kysy.api.lean
        app = create_app("Kysy editor API", settings, public=False, csp={"/editor": editor_view_csp(settings)})
        app.state.verifier = TokenVerifier(settings)
        app.include_router(
            build_router(
                QuestionService(store, settings),
                PostService(store, settings),
                ModerationService(store, settings),
                PrivacyService(store, settings),
                SearchService(snapshot_backend(store, settings)),
            )
        )
        app.include_router(config_router(settings))
        app.include_router(static_router("editor", "/editor", index="index.html"))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
