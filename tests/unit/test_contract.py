"""The contract machinery (kysy.api.contract) holds for every route of both apps, present and future.

A route someone adds without a response model, with an error response not in the Error shape, or
with a status the code cannot produce fails here; the published documents must be regenerated
(`scripts/openapi`) whenever the contract changes (checked in a subprocess: importing the handler
modules here would build the apps with this process's settings before the integration fixtures
set theirs, as a Lambda cold start would).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from kysy.api.contract import STATUS_DOCS
from kysy.api.documents import FILES

DOCUMENTS: dict[str, dict[str, Any]] = {name: json.loads(path.read_text("utf-8")) for name, path in FILES.items()}
OPERATIONS = [
    (api, method.upper(), path, operation)
    for api, document in DOCUMENTS.items()
    for path, item in document["paths"].items()
    for method, operation in item.items()
]
SUCCESS_WITHOUT_BODY = {"204", "304"}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(
    ("api", "method", "path", "operation"), OPERATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_operation_declares_a_typed_response_and_documented_errors(api, method, path, operation):
    document = DOCUMENTS[api]
    responses = operation["responses"]
    success = [status for status in responses if status.startswith("2")]
    assert success, f"{method} {path}: no success response"
    for status, response in responses.items():
        if status in SUCCESS_WITHOUT_BODY:
            assert "content" not in response, f"{method} {path} {status} has a body"
            continue
        content = response.get("content", {})
        assert content, f"{method} {path} {status}: no content documented"
        for media_type, body in content.items():
            schema = resolve(document, body.get("schema", {}))
            if status.startswith("2"):
                generic = not schema or (schema.get("type") == "object" and not schema.get("properties"))
                if media_type == "application/json":
                    assert not generic, f"{method} {path} {status}: declare a response_model (got {schema})"
            else:
                assert int(status) in STATUS_DOCS, f"{method} {path}: {status} is not a status Kysy answers"
                assert body["schema"] == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"
    implied = {"503"} | ({"422"} if operation.get("parameters") or "requestBody" in operation else set())
    assert implied <= set(responses), f"{method} {path}: implied statuses missing"
    if path.startswith("/v1/admin"):
        assert operation.get("security"), f"{method} {path}: editor routes need the bearer scheme"
        assert {"401", "403"} <= set(responses)


def test_error_component_is_the_body_every_error_has():
    from kysy.api.errors import error_body

    for document in DOCUMENTS.values():
        error = document["components"]["schemas"]["Error"]
        assert error["required"] == ["error"]
        detail = resolve(document, error["properties"]["error"])
        assert set(detail["required"]) == {"code", "message"}
    assert set(error_body("x", "y")["error"]) == {"code", "message"}


def test_published_documents_are_current():
    result = subprocess.run(
        [sys.executable, "-m", "kysy.api.documents", "--check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "unused", "AWS_SECRET_ACCESS_KEY": "unused"},
    )
    assert result.returncode == 0, f"run scripts/openapi and commit the result:\n{result.stderr}"


def test_invisible_characters_are_every_control_format_and_space_character_of_the_bmp():
    """The length minimum counts visible characters; the class the contract publishes must match Unicode."""
    import re
    import unicodedata

    from kysy.text import INVISIBLE

    pattern = re.compile(f"[{INVISIBLE}]")
    expected = {
        chr(c)
        for c in range(0x10000)
        if unicodedata.category(chr(c)) in {"Cc", "Cf", "Zs", "Zl", "Zp"} or chr(c).isspace() or c in (0xFFFE, 0xFFFF)
    }
    covered = {chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF and pattern.fullmatch(chr(c))}
    assert covered == expected - {chr(c) for c in range(0xD800, 0xE000)}, (
        f"Unicode {unicodedata.unidata_version}: update kysy.text.INVISIBLE"
    )
