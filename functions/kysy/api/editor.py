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
from kysy.api.http import create_app
from kysy.api.lean import without_optional_modules
from kysy.api.observability import lambda_entry, logger, metrics
from kysy.api.static import static_router
from kysy.models import QA
from kysy.repository import Store
from kysy.repository.dynamo import make_client
from kysy.service.posts import PostChanges, PostService
from kysy.service.questions import Editor, QuestionService
from kysy.service.search import SearchService
from kysy.service.search_index import search_backend
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
    lang: str = "fi"
    open: bool = True


class PostPatch(_In):
    version: int = Field(ge=0, description="The version you read (0 for a post readers created by asking)")
    title: str | None = Field(default=None, max_length=2_000)
    url: str | None = Field(default=None, max_length=2_000)
    lang: str | None = None
    open: bool | None = None


def current_editor(request: Request) -> Editor:
    """Every admin route depends on this: a verified token of a member of the editors group."""
    verifier: TokenVerifier = request.app.state.verifier
    editor = verifier.verify(bearer_token(request))
    logger.append_keys(editor=editor.id)
    return editor


EditorDep = Annotated[Editor, Depends(current_editor)]


def build_router(questions: QuestionService, posts: PostService, search: SearchService) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["editor"], dependencies=[Depends(current_editor)])

    def similar_for(qa: QA) -> list[dict[str, Any]]:
        pending = questions.store.queue(post_id=None, limit=100, after_id=None, newest_first=True).items
        return search.similar_pending(qa, pending)

    @router.get("/me")
    def me(editor: EditorDep) -> dict[str, str]:
        return {"id": editor.id, "email": editor.email, "name": editor.name}

    @router.get("/queue")
    def queue(
        post_id: str | None = None,
        limit: Annotated[int | None, Query(ge=1, le=100)] = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        order: Literal["oldest", "newest"] = "oldest",
    ) -> dict[str, Any]:
        return questions.queue(post_id=post_id, limit=limit, cursor=cursor, newest_first=order == "newest")

    @router.get("/posts")
    def list_posts() -> dict[str, Any]:
        counts = questions.store.queue_counts()
        return {"items": [{**p.admin(), "pending": counts.get(p.id, 0)} for p in posts.list(also=list(counts))]}

    @router.post("/posts", status_code=201)
    def create_post(body: PostIn) -> dict[str, Any]:
        post = posts.create(body.id, PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open))
        return post.admin()

    @router.get("/posts/{post_id}")
    def get_post(post_id: str) -> dict[str, Any]:
        return posts.get(post_id).admin()

    @router.patch("/posts/{post_id}")
    def update_post(post_id: str, body: PostPatch) -> dict[str, Any]:
        changes = PostChanges(title=body.title, url=body.url, lang=body.lang, open=body.open)
        return posts.update(post_id, version=body.version, changes=changes).admin()

    @router.get("/posts/{post_id}/questions")
    def post_records(post_id: str) -> dict[str, Any]:
        return {"items": [qa.admin() for qa in questions.store.records_of_post(post_id)]}

    @router.get("/posts/{post_id}/questions/{qa_id}")
    def get_record(post_id: str, qa_id: str) -> dict[str, Any]:
        qa = questions.get(post_id, qa_id)
        return {**qa.admin(), "similar": similar_for(qa)}

    @router.post("/posts/{post_id}/questions/{qa_id}/answer")
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

    @router.patch("/posts/{post_id}/questions/{qa_id}")
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

    @router.post("/posts/{post_id}/questions/{qa_id}/unpublish")
    def unpublish(post_id: str, qa_id: str, body: Versioned, editor: EditorDep) -> dict[str, Any]:
        return questions.unpublish(post_id, qa_id, version=body.version, editor=editor).admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/reject")
    def reject(post_id: str, qa_id: str, body: RejectIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.reject(post_id, qa_id, version=body.version, reason=body.reason, editor=editor)
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.post("/posts/{post_id}/questions/{qa_id}/duplicate")
    def duplicate(post_id: str, qa_id: str, body: DuplicateIn, editor: EditorDep) -> dict[str, Any]:
        qa = questions.mark_duplicate(
            post_id, qa_id, version=body.version, duplicate_of=body.duplicate_of, editor=editor
        )
        metrics.add_metric(name="QuestionsRejected", unit=MetricUnit.Count, value=1)
        return qa.admin()

    @router.delete("/posts/{post_id}/questions/{qa_id}", status_code=204)
    def delete(post_id: str, qa_id: str, version: Annotated[int, Query(ge=1)], editor: EditorDep) -> Response:
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
    with without_optional_modules():  # see kysy.api.lean
        app = create_app("Kysy editor API", settings, public=False)
        app.state.verifier = TokenVerifier(settings)
        search = SearchService(search_backend(store, settings))
        app.include_router(build_router(QuestionService(store, settings), PostService(store), search))
        app.include_router(config_router(settings))
        app.include_router(static_router("editor", "/editor", index="index.html"))
    return app


settings = get_settings()
store = Store(make_client(settings), settings.table_name)
app = build_app(settings, store)
handler = lambda_entry(Mangum(app, lifespan="off"))
