"""Static files shipped inside the package (widget bundle, editor view), served by the Lambdas.

Files go out gzip -9 compressed when the client accepts it (API Gateway does not compress).
Names with a content hash (``kysy.3f9a1c.js``) are cached for a year as immutable; the stable
names a blog embeds (``kysy.js``) for five minutes, so a new release reaches readers quickly.

After a release, a browser may still hold the previous ``kysy.js`` for those five minutes, and it asks
for the previous release's hashed chunks, which are gone. The widget folder therefore answers an
unknown hash of a known chunk family (``kysy-more.fi.<hash>.js``: family ``kysy-more``, language
``fi``) with a short-lived redirect to the family's current file; the chunks keep a stable interface
(widget/README.md, "Chunks") so an older first view works with newer chunks.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kysy.errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "static"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.")
# <family>.<lang>.<hash>.js, e.g. kysy.fi.959e1538f7.js (strings) or kysy-more.fi.04748c8b21.js (search, form)
_CHUNK = re.compile(r"^(?P<family>[a-z][a-z0-9-]{0,30})\.(?P<lang>[a-z]{2,3})\.[0-9a-f]{8,64}\.js$")
REDIRECT_SECONDS = 60
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


@lru_cache(maxsize=256)
def current_chunk(folder: str, name: str) -> str | None:
    """The file that replaced ``name`` (another hash of the same family and language), if exactly one."""
    wanted = _CHUNK.fullmatch(name)
    if wanted is None:
        return None
    family, lang = wanted["family"], wanted["lang"]
    found = [
        p.name
        for p in (STATIC / folder).glob(f"{family}.{lang}.*.js")
        if (m := _CHUNK.fullmatch(p.name)) and (m["family"], m["lang"]) == (family, lang)
    ]
    return found[0] if len(found) == 1 else None


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


def static_router(folder: str, prefix: str, *, index: str | None = None, chunks: bool = False) -> APIRouter:
    """Serve ``folder`` under ``prefix``; with ``chunks``, an outdated hashed chunk name is redirected
    to its family's current file (see the module docstring)."""
    router = APIRouter(prefix=prefix, include_in_schema=False)

    @router.get("/{name}")
    def file(name: str, request: Request) -> Response:
        try:
            return static_response(folder, name, accept_encoding=request.headers.get("accept-encoding", ""))
        except NotFound:
            current = current_chunk(folder, name) if chunks else None
            if current is None:
                raise
            # Relative to the requested URL: right behind any path prefix (a stage, a CDN path).
            return RedirectResponse(
                current, status_code=307, headers={"Cache-Control": f"public, max-age={REDIRECT_SECONDS}"}
            )

    if index is not None:

        @router.get("/")
        def index_page(request: Request) -> Response:
            encoding = request.headers.get("accept-encoding", "")
            return static_response(folder, index, accept_encoding=encoding, cache_seconds=60)

    return router
