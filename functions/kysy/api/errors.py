"""The one place where domain errors become HTTP responses.

Every error body is ``{"error": {"code": str, "message": str}}`` (plus ``current`` for version
conflicts and ``fields`` for validation failures). Nothing a client sends can produce a stack
trace: unexpected exceptions are logged and answered with a plain 500 JSON body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kysy import errors

log = logging.getLogger("kysy")

STATUS: list[tuple[type[errors.KysyError], int]] = [
    (errors.PayloadTooLarge, 413),
    (errors.InvalidCursor, 400),
    (errors.ValidationFailed, 422),
    (errors.Unauthorized, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.RequestInProgress, 409),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
]
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def status_for(error_type: type[errors.KysyError]) -> int:
    for cls, status in STATUS:
        if issubclass(error_type, cls):
            return status
    return 400


def status_of(error: errors.KysyError) -> int:
    return status_for(type(error))


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: Any, scope: Any) -> str:
    """Every method some route accepts at this path (Starlette's own 405 names only the first route's).

    Asks each route whether it would take the request with another method (``BaseRoute.matches``),
    which works for nested routers too.
    """
    from starlette.routing import Match

    def accepted(method: str) -> bool:
        probe = {**scope, "method": method}
        return any(route.matches(probe)[0] is Match.FULL for route in app.router.routes)

    return ", ".join(method for method in _METHODS if accepted(method))


def kysy_error_response(error: errors.KysyError) -> JSONResponse:
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, errors.VersionConflict):
        extra["current"] = error.current
    if isinstance(error, errors.RetryableError):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, errors.Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="kysy-editor"'
    return JSONResponse(error_body(error.code, error.message, **extra), status_code=status_of(error), headers=headers)


def _describe(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header"))
    msg = str(err.get("msg", "is not valid"))
    return f"{where}: {msg}" if where else msg


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    problems = list(exc.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        return JSONResponse(error_body("invalid_json", "The request body is not valid JSON."), status_code=400)
    fields = [{"field": _describe(p).split(":")[0], "message": _describe(p)} for p in problems[:10]]
    message = "; ".join(f["message"] for f in fields) or "The request is not valid."
    return JSONResponse(error_body("invalid_input", message, fields=fields), status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.KysyError)
    async def _kysy(_: Request, exc: errors.KysyError) -> JSONResponse:
        return kysy_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request.app, request.scope)
            message = f"This address accepts {headers['Allow']} only."
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "Something went wrong on our side. Please try again later."),
            status_code=500,
        )
