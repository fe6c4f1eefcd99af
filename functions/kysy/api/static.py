"""Static files shipped inside the package (widget bundle, editor view), served by the Lambdas.

Files go out gzip -9 compressed when the client accepts it (API Gateway does not compress).
Names with a content hash (``kysy.3f9a1c.js``) are cached for a year as immutable; the stable
names a blog embeds (``kysy.js``) for five minutes, so a new release reaches readers quickly.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kysy.errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.")
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@lru_cache(maxsize=64)
def _load(path: Path) -> tuple[bytes, bytes]:
    """The file and its gzip -9 form, read once per execution environment."""
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


def static_response(folder: str, name: str, *, accept_encoding: str = "", cache_seconds: int = 300) -> Response:
    path = STATIC / folder / name
    if not _SAFE_NAME.fullmatch(name) or path.suffix not in _TYPES or not path.is_file():
        raise NotFound("There is no such file.", code="file_not_found")
    cache = "public, max-age=31536000, immutable" if _HASHED.search(name) else f"public, max-age={cache_seconds}"
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    raw, compressed = _load(path)
    if "gzip" in accept_encoding.lower():
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, media_type=_TYPES[path.suffix], headers=headers)
    return Response(raw, media_type=_TYPES[path.suffix], headers=headers)


def static_router(folder: str, prefix: str, *, index: str | None = None) -> APIRouter:
    router = APIRouter(prefix=prefix, include_in_schema=False)

    @router.get("/{name}")
    def file(name: str, request: Request) -> Response:
        return static_response(folder, name, accept_encoding=request.headers.get("accept-encoding", ""))

    if index is not None:

        @router.get("/")
        def index_page(request: Request) -> Response:
            encoding = request.headers.get("accept-encoding", "")
            return static_response(folder, index, accept_encoding=encoding, cache_seconds=60)

    return router
