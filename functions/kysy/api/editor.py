"""Editor API: the moderation queue, answering, publishing and post settings. JWT required.

Lambda entry point: ``kysy.api.editor.handler``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.security import HTTPBearer
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from kysy import errors
from kysy.api.auth import TokenVerifier, bearer_token
from kysy.api.contract import (
    ANSWER_SCHEMA,
    EMAIL_ADDRESS_SCHEMA,
    NAME_SCHEMA,
    POST_ID_SCHEMA,
    QUERY_SCHEMA,
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
from kysy.api.http import create_app, editor_view_csp
from kysy.api.lean import without_optional_modules
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.models import QA
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service import validation
from kysy.service.gaps import PAGE_MAX as GAPS_PAGE_MAX
from kysy.service.gaps import GapService
from kysy.service.moderation import MAX_IDS, ModerationService, RecordRef, Selection
from kysy.service.posts import POSTS_PAGE_MAX, PostChanges, PostService
from kysy.service.privacy import PrivacyService
from kysy.service.questions import Editor, QuestionService
from kysy.service.search import SearchService, snapshot_backend
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
        json_schema_extra={
            # At least one of them, as a string (a field sent as null changes nothing).
            "anyOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in ("question", "answer", "asker_name")
            ]
        }
    )

    question: str | None = Field(default=None, json_schema_extra=QUESTION_SCHEMA)
    answer: str | None = Field(
        default=None,
        description="An empty answer is refused (409) while the question is published.",
        json_schema_extra=ANSWER_SCHEMA,
    )
    asker_name: str | None = Field(default=None, json_schema_extra=NAME_SCHEMA)


class RejectIn(Versioned):
    reason: str = Field(default="", description="Kept for editors, never shown.", json_schema_extra=REASON_SCHEMA)


class DuplicateIn(Versioned):
    duplicate_of: str = Field(description="A published answer of the same post.", json_schema_extra=RECORD_ID_SCHEMA)


def _lang(schema: JsonDict) -> None:
    """The registry's languages, read when the document is generated (not at a cold start)."""
    from kysy import i18n

    schema["enum"] = list(i18n.codes())


class PostIn(_In):
    id: str = Field(json_schema_extra=POST_ID_SCHEMA)
    title: str = Field(default="", json_schema_extra=TITLE_SCHEMA)
    url: str = Field(default="", description="The post's address (empty, or http/https).", json_schema_extra=URL_SCHEMA)
    lang: str = Field(default="fi", description="A language of the registry (kysy.i18n)", json_schema_extra=_lang)
    open: bool = True
    order: Literal["newest", "oldest"] = Field(default="newest", description="How the widget lists answers")


class PostPatch(_In):
    version: JsonInt = Field(ge=0, description="The version you read (0 for a post readers created by asking)")
    title: str | None = Field(default=None, json_schema_extra=TITLE_SCHEMA)
    url: str | None = Field(default=None, json_schema_extra=URL_SCHEMA)
    lang: str | None = Field(default=None, json_schema_extra=_lang)
    open: bool | None = None
    order: Literal["newest", "oldest"] | None = None


class RecordRefIn(_In):
    post_id: str = Field(json_schema_extra=POST_ID_SCHEMA)
    id: str = Field(json_schema_extra=RECORD_ID_SCHEMA)


_CLIENT: JsonDict = {"pattern": validation.CLIENT_PATTERN}


class BulkRejectIn(_In):
    """Exactly one of ``ids``, ``client`` (a client hash from the queue) or ``post_id``."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["ids"], "properties": {"ids": {"type": "array", "minItems": 1}}},
                {"required": ["client"], "properties": {"client": {"type": "string"}}},
                {"required": ["post_id"], "properties": {"post_id": {"type": "string"}}},
            ]
        }
    )

    ids: list[RecordRefIn] | None = Field(default=None, max_length=MAX_IDS)
    client: str | None = Field(default=None, json_schema_extra=_CLIENT)
    post_id: str | None = Field(default=None, json_schema_extra=POST_ID_SCHEMA)
    reason: str = Field(default="", json_schema_extra=REASON_SCHEMA)


class NewQuestionIn(_In):
    question: str = Field(json_schema_extra=QUESTION_SCHEMA)
    note: str = Field(
        default="", description="Why it was written (kept in the audit trail).", json_schema_extra=REASON_SCHEMA
    )


class GapDismissIn(_In):
    post_id: str = Field(json_schema_extra=POST_ID_SCHEMA)
    query: str = Field(description="The gap's text as listed.", json_schema_extra=QUERY_SCHEMA)


class ForgetIn(_In):
    email: str = Field(description="The address whose data is erased", json_schema_extra=EMAIL_ADDRESS_SCHEMA)


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
    import_key: str
    import_hash: str = Field(description="What the importer wrote; differs once an editor changed the record")
    email_expires: int = Field(description="When the stored address expires (epoch seconds; 0 = none stored)")
    version: int
    audit: list[AuditOut]
    flags: list[str] = Field(description="Machine codes such as links, caps, spam_phrase")
    client: str = Field(description="Keyed hash of the client that asked (pending and rejected only)")


class RecordWithSimilar(RecordOut):
    similar: list[SearchItem] = Field(description="Published answers and pending questions that look alike.")


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
    order: Literal["newest", "oldest"] = Field(description="How the widget lists the answers")
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


class GapWeekOut(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W19.")
    count: int


class GapOut(BaseModel):
    post_id: str
    query: str = Field(description="Normalised search text (lower case; addresses and numbers replaced).")
    count: int = Field(description="`no_results` + `not_opened` over the weeks kept (90 days).")
    no_results: int = Field(description="Searches that found nothing.")
    not_opened: int = Field(description="Searches whose results the reader did not open.")
    last_week: str
    weeks: list[GapWeekOut]


class GapsOut(BaseModel):
    items: list[GapOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    truncated: bool = Field(description="More gaps are stored than one listing reads: the counts are partial.")


class GapDismissOut(BaseModel):
    dismissed: int = Field(description="Week items deleted (0: already gone).")


# What the record routes may answer besides the implied statuses (see kysy.api.contract).
CHANGE_ERRORS = error_responses(
    errors.NotFound,
    errors.Conflict,
    describe={409: "Stale `version` (`version_conflict`, with `error.current`), or not allowed in the current status."},
)
LIST_ERRORS = error_responses(errors.InvalidCursor)
bearer = HTTPBearer(auto_error=False, description="A Cognito (or local) JWT of a member of the editors group.")
BatchIdPath = Annotated[str, Path(description="`batch_id` of the bulk action.", json_schema_extra=RECORD_ID_SCHEMA)]
FlagQuery = Annotated[
    str | None,
    Query(description="A flag code, or * for any flag.", json_schema_extra={"pattern": validation.FLAG_PATTERN}),
]
ClientQuery = Annotated[
    str | None, Query(description="A client hash from a queued question.", json_schema_extra=_CLIENT)
]


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
    gaps: GapService,
) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["editor"], dependencies=[Depends(bearer), Depends(current_editor)])

    def similar_for(qa: QA) -> list[dict[str, Any]]:
        return search.similar_pending(qa, questions.recent_pending())

    @router.get("/me", response_model=MeOut)
    def me(editor: EditorDep) -> dict[str, str]:
        return {"id": editor.id, "email": editor.email, "name": editor.name}

    @router.get("/queue", response_model=QueueOut, responses=LIST_ERRORS)
    def queue(
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(validation.PAGE_MAX)] = None,
        cursor: CursorQuery = None,
        order: Literal["oldest", "newest"] = "oldest",
        flag: FlagQuery = None,
        client: ClientQuery = None,
    ) -> dict[str, Any]:
        return questions.queue(
            post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest", flag=flag, client=client
        )

    @router.get("/rejected", response_model=QueueOut, responses=LIST_ERRORS)
    def rejected(
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(validation.PAGE_MAX)] = None,
        cursor: CursorQuery = None,
        order: Literal["oldest", "newest"] = "newest",
    ) -> dict[str, Any]:
        """Rejected and duplicate questions (restore one with POST .../restore)."""
        return questions.queue(
            post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest", rejected=True
        )

    @router.get("/posts", response_model=PostsOut, responses=LIST_ERRORS)
    def list_posts(
        limit: Annotated[int | None, page_limit(POSTS_PAGE_MAX)] = None,
        cursor: CursorQuery = None,
    ) -> dict[str, Any]:
        return posts.page(limit=limit, cursor=cursor)

    @router.post(
        "/posts",
        status_code=201,
        response_model=PostOut,
        responses=error_responses(errors.Conflict, describe={409: "A post with this id exists (`post_exists`)."}),
    )
    def create_post(body: PostIn) -> dict[str, Any]:
        post = posts.create(
            body.id, PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open, order=body.order)
        )
        return post.admin()

    @router.get("/posts/{post_id}", response_model=PostOut, responses=error_responses(errors.NotFound))
    def get_post(post_id: PostIdPath) -> dict[str, Any]:
        return posts.get(post_id).admin()

    @router.patch("/posts/{post_id}", response_model=PostOut, responses=CHANGE_ERRORS)
    def update_post(post_id: PostIdPath, body: PostPatch) -> dict[str, Any]:
        changes = PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open, order=body.order)
        return posts.update(post_id, version=body.version, changes=changes).admin()

    @router.get("/posts/{post_id}/questions", response_model=RecordList)
    def post_records(post_id: PostIdPath) -> dict[str, Any]:
        return {"items": [qa.admin() for qa in questions.records_of_post(post_id)]}

    @router.post("/posts/{post_id}/questions", status_code=201, response_model=RecordOut)
    def create_question(post_id: PostIdPath, body: NewQuestionIn, editor: EditorDep) -> dict[str, Any]:
        """A question written by an editor (e.g. from a search gap): pending, `source` "editor"."""
        return questions.create(post_id, question=body.question, editor=editor, note=body.note).admin()

    @router.get(
        "/posts/{post_id}/questions/{qa_id}",
        response_model=RecordWithSimilar,
        responses=error_responses(errors.NotFound),
    )
    def get_record(post_id: PostIdPath, qa_id: RecordIdPath) -> dict[str, Any]:
        qa = questions.get(post_id, qa_id)
        return {**qa.admin(), "similar": similar_for(qa)}

    @router.post("/posts/{post_id}/questions/{qa_id}/answer", response_model=RecordOut, responses=CHANGE_ERRORS)
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

    @router.patch("/posts/{post_id}/questions/{qa_id}", response_model=RecordOut, responses=CHANGE_ERRORS)
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

    @router.post("/posts/{post_id}/questions/{qa_id}/unpublish", response_model=RecordOut, responses=CHANGE_ERRORS)
    def unpublish(post_id: PostIdPath, qa_id: RecordIdPath, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        return questions.unpublish(post_id, qa_id, version=body.version, editor=editor).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/reject", response_model=RecordOut, responses=CHANGE_ERRORS)
    def reject(post_id: PostIdPath, qa_id: RecordIdPath, body: RejectIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.reject(post_id, qa_id, version=body.version, reason=body.reason, editor=editor)
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/duplicate", response_model=RecordOut, responses=CHANGE_ERRORS)
    def duplicate(post_id: PostIdPath, qa_id: RecordIdPath, body: DuplicateIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.mark_duplicate(
            post_id, qa_id, version=body.version, duplicate_of=body.duplicate_of, editor=editor
        )
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/restore", response_model=RecordOut, responses=CHANGE_ERRORS)
    def restore(post_id: PostIdPath, qa_id: RecordIdPath, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        """A rejected or duplicate question back to the queue."""
        return questions.restore(post_id, qa_id, version=body.version, editor=editor).admin()

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

    @router.post(
        "/bulk/{batch_id}/undo",
        response_model=UndoOut,
        responses=error_responses(errors.NotFound, describe={404: "No such bulk action, or its undo window passed."}),
    )
    def bulk_undo(batch_id: BatchIdPath, editor: EditorDep) -> dict[str, Any]:
        return moderation.undo(batch_id, editor=editor)

    @router.post("/privacy/forget", response_model=ForgetOut)
    def forget(body: ForgetIn, editor: EditorDep) -> dict[str, Any]:
        """Erase everything tied to one email address (a data-subject request) and say what was removed."""
        report = privacy.forget(body.email, by=editor.label)
        logger.info("data-subject erasure", extra={"records": report.records_found})
        return report.as_dict()

    @router.get("/gaps", response_model=GapsOut, responses=LIST_ERRORS)
    def list_gaps(
        post_id: PostIdQuery = None,
        limit: Annotated[int | None, page_limit(GAPS_PAGE_MAX)] = None,
        cursor: CursorQuery = None,
    ) -> dict[str, Any]:
        """What readers searched for and did not find (or found and opened nothing of), most searched first."""
        return gaps.page(post_id=post_id, limit=limit, cursor=cursor)

    @router.post("/gaps/dismiss", response_model=GapDismissOut)
    def dismiss_gap(body: GapDismissIn) -> dict[str, int]:
        """Remove one gap from the list (readers who search for it again count again)."""
        return {"dismissed": gaps.dismiss(body.post_id, body.query)}

    return router


def config_router(settings: Settings) -> APIRouter:
    """How the editor view signs in: Cognito Hosted UI (code flow + PKCE) or the local token."""
    router = APIRouter(include_in_schema=False)

    class EditorConfig(BaseModel):
        mode: Literal["local", "cognito"]
        domain: str | None = None
        clientId: str | None = None  # noqa: N815 - the editor view's JSON keys
        redirectUri: str | None = None  # noqa: N815
        # How long a CDN in front may keep a post's public list (s-maxage): what "readers see it" means.
        sharedCacheSeconds: int  # noqa: N815

    @router.get("/editor/config.json", response_model=EditorConfig, response_model_exclude_none=True)
    def editor_config() -> dict[str, Any]:
        cache = {"sharedCacheSeconds": settings.cache_max_age_seconds}
        if settings.jwks_json or not settings.cognito_domain:
            return {"mode": "local", **cache}
        return {
            "mode": "cognito",
            "domain": settings.cognito_domain,
            "clientId": settings.jwt_audience,
            "redirectUri": f"{settings.public_base_url}/editor/",
            **cache,
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
                GapService(store, settings),
            )
        )
        app.include_router(config_router(settings))
        app.include_router(static_router("editor", "/editor", index="index.html"))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
