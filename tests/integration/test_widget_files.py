"""After a release a browser may hold the previous kysy.js (cached five minutes) that asks for the previous
release's hashed chunks: the reader function redirects an unknown hash of a known chunk family to the
family's current file, briefly cacheable, and still refuses everything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lambda_events import http_event, invoke

WIDGET = Path(__file__).resolve().parents[2] / "functions" / "kysy" / "static" / "widget"
MANIFEST = json.loads((WIDGET / "manifest.json").read_text(encoding="utf-8"))


def current(lang: str, part: str) -> str:
    names = MANIFEST["languages"][lang]["first_view" if part == "strings" else "second_chunk"]
    return str(names[-1])


@pytest.mark.parametrize("lang", sorted(MANIFEST["languages"]))
@pytest.mark.parametrize(("part", "family"), [("strings", "kysy"), ("more", "kysy-more")])
def test_an_outdated_chunk_hash_redirects_to_the_current_file(reader, lang, part, family):
    now = current(lang, part)
    assert now.startswith(f"{family}.{lang}.")
    old = f"{family}.{lang}.0123456789.js"
    assert not (WIDGET / old).exists()
    response = invoke(reader.handler, http_event("GET", f"/widget/{old}"))
    assert response.status == 307
    assert response.headers["location"] == now  # relative: right behind any path prefix
    assert response.headers["cache-control"] == "public, max-age=60"  # never the immutable year
    served = invoke(reader.handler, http_event("GET", f"/widget/{now}"))
    assert served.status == 200
    assert "immutable" in served.headers["cache-control"]


@pytest.mark.parametrize(
    "name",
    [
        "kysy.xx.0123456789.js",  # no such language
        "kysy-less.fi.0123456789.js",  # no such family
        "kysy-more.fi.zzzz.js",  # not a hash
        "kysy-more.fi.0123456789.css",
        "manifest.0123456789.json",
        "..%2Fkysy.js",
    ],
)
def test_other_unknown_names_stay_404(reader, name):
    response = invoke(reader.handler, http_event("GET", f"/widget/{name}"))
    assert response.status == 404
    assert response.json()["error"]["code"] in {"file_not_found", "not_found"}
