"""The API contract: what the reader and editor OpenAPI documents promise, stated once.

* **Errors.** Every error body is the ``Error`` component (``{"error": {"code", "message", ...}}``,
  built by :func:`kysy.api.errors.error_body`). A route lists the domain errors it can raise with
  ``responses=error_responses(NotFound, VersionConflict, ...)``; the status of each comes from the one
  error -> HTTP map in :mod:`kysy.api.errors`.
* **Implied statuses.** What follows from a route's shape is added to its documentation when the
  document is generated (:func:`install_contract`), so no route can forget it: 503 everywhere
  (storage or sign-in service unavailable), 422 where there is any input, 400 and 413 where there
  is a body, 401 and 403 where a bearer token is required. Headers clients act on are documented
  with them (``Retry-After``, ``WWW-Authenticate``).
* **Constraints.** Parameters and fields document the domain rules of
  :mod:`kysy.service.validation` (same constants, same patterns) through the helpers below; the
  domain functions enforce them, with their own error codes.

Nothing here runs at import beyond building small dicts: the document is generated on the first
request for ``/openapi.json`` (cold starts stay cheap).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from kysy import errors as domain
from kysy.api.errors import status_for
from kysy.ids import RECORD_ID_PATTERN
from kysy.service import validation
from kysy.service.cursor import CURSOR_MAX

ERROR_REF = {"$ref": "#/components/schemas/Error"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
# What each status means in this API; a route may narrow the description with ``errors(..., describe=)``.
STATUS_DOCS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The body is not valid JSON, or the page cursor is not valid for this list.", {}),
    401: (
        "No valid editor sign-in (missing, expired or foreign token).",
        {
            "WWW-Authenticate": {
                "description": 'Always `Bearer realm="kysy-editor"`.',
                "required": True,
                "schema": {"type": "string"},
            }
        },
    ),
    403: ("Not allowed: not an editor, a closed post, or an origin that is not the blog's.", {}),
    404: ("There is no such post or question.", {}),
    409: ("Conflicts with the stored state: a stale version (see `error.current`), or a duplicate.", {}),
    413: ("The request body is larger than the limit.", {}),
    422: ("The input breaks a documented rule; `error.code` says which (`error.fields` lists fields).", {}),
    429: ("Too many questions from this client; try again after `Retry-After` seconds.", _RETRY_AFTER),
    503: ("Storage (or the sign-in service) is busy or unreachable; try again after `Retry-After`.", _RETRY_AFTER),
}


# ---------------------------------------------------------------------------------- error body
class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field (empty for the whole body).")
    message: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(pattern="^[a-z][a-z0-9_]*$", description="Stable, machine-readable error code.")
    message: str = Field(description="A sentence for people; shown as is in the widget and the editor view.")
    fields: list[FieldProblem] | None = Field(default=None, description="Only with `invalid_input`.")
    current: dict[str, Any] | None = Field(
        default=None, description="Only with `version_conflict`: the record as stored now (null if deleted)."
    )


class Error(BaseModel):
    """Every error response: 4xx or 503, never a stack trace."""

    error: ErrorDetail


def error_response(status: int, description: str | None = None) -> dict[str, Any]:
    text, headers = STATUS_DOCS[status]
    response: dict[str, Any] = {
        "description": description or text,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if headers:
        response["headers"] = headers
    return response


def error_responses(
    *causes: type[domain.KysyError] | int, describe: dict[int, str] | None = None
) -> dict[int | str, Any]:
    """``responses=`` for a route: the domain errors it may raise (or bare statuses) -> documented statuses."""
    statuses = sorted({cause if isinstance(cause, int) else status_for(cause) for cause in causes})
    return {status: error_response(status, (describe or {}).get(status)) for status in statuses}


# ------------------------------------------------------------------------ implied by the shape
def implied_statuses(operation: dict[str, Any]) -> set[int]:
    implied = {503}
    if operation.get("parameters") or "requestBody" in operation:
        implied.add(422)
    if "requestBody" in operation:
        implied |= {400, 413}
    if operation.get("security"):
        implied |= {401, 403}
    return implied


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the implied error statuses and the Error component; drop FastAPI's own 422 shape. Idempotent."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in implied_statuses(operation):
                current = responses.get(str(status))
                if current is None or "HTTPValidationError" in str(current):
                    responses[str(status)] = error_response(status)
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["Error"] = error_schema
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def install_contract(app: FastAPI) -> None:
    """Serve the completed document at the app's ``openapi_url`` (generated on first request)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return complete(generate())

    app.openapi = openapi  # type: ignore[method-assign]


# ------------------------------------------------------------------ documented domain constraints
def _text(max_length: int, min_visible: int = 0) -> JsonDict:
    schema: JsonDict = {"maxLength": max_length}
    if min_visible:
        schema["pattern"] = validation.min_visible_pattern(min_visible)
    return schema


POST_ID_SCHEMA: JsonDict = {"pattern": validation.POST_ID_PATTERN, "maxLength": validation.POST_ID_MAX}
RECORD_ID_SCHEMA: JsonDict = {"pattern": RECORD_ID_PATTERN}
QUESTION_SCHEMA = _text(validation.QUESTION_MAX, validation.QUESTION_MIN)
ANSWER_SCHEMA = _text(validation.ANSWER_MAX)
NAME_SCHEMA = _text(validation.NAME_MAX)
TITLE_SCHEMA = _text(validation.TITLE_MAX)
REASON_SCHEMA = _text(validation.REASON_MAX)
URL_SCHEMA: JsonDict = {"pattern": validation.URL_PATTERN, "maxLength": validation.URL_MAX}
QUERY_SCHEMA = _text(validation.QUERY_MAX, 1)
EMAIL_ADDRESS_SCHEMA: JsonDict = {
    "type": "string",
    "format": "email",
    "pattern": validation.EMAIL_PATTERN,
    "maxLength": validation.EMAIL_MAX,
}
EMAIL_SCHEMA: JsonDict = {"anyOf": [EMAIL_ADDRESS_SCHEMA, {"const": ""}]}  # an address, or none
IDEMPOTENCY_KEY_SCHEMA: JsonDict = {"pattern": validation.IDEMPOTENCY_KEY_PATTERN}

PostIdPath = Annotated[
    str,
    Path(
        description="The post's id: its slug (letters, digits, `-`, `_`, `.`, `~`).", json_schema_extra=POST_ID_SCHEMA
    ),
]
RecordIdPath = Annotated[str, Path(description="The question's id (a ULID).", json_schema_extra=RECORD_ID_SCHEMA)]
PostIdQuery = Annotated[str | None, Query(description="Only this post.", json_schema_extra=POST_ID_SCHEMA)]
CursorQuery = Annotated[
    str | None, Query(max_length=CURSOR_MAX, description="`next_cursor` of the previous page (omit for the first).")
]


def _json_integer(value: Any) -> Any:
    """A JSON integer: ``3`` or ``3.0`` (the same number in JSON), never ``"3"`` or ``true``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be an integer")
    return value


# For strict body models (``ConfigDict(strict=True)``: no "1" for 1, no 0 for false) whose integers
# must still accept the integral floats JSON Schema counts as integers.
JsonInt = Annotated[int, Field(strict=False), BeforeValidator(_json_integer)]


def page_limit(maximum: int, description: str = "Page size.") -> Any:
    """A ``limit`` query parameter between 1 and ``maximum`` (a domain constant)."""
    return Query(ge=1, le=maximum, description=description)


# -------------------------------------------------------------- shared response models (search)
class Highlight(BaseModel):
    field: str = Field(description="`question` or `answer`.")
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class SearchItem(BaseModel):
    # Extra keys pass (a field added to search hits is never silently dropped); tests/integration/
    # test_contract.py fails until it is documented here.
    model_config = ConfigDict(extra="allow")

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
