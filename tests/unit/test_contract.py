"""The contract machinery (kysy.api.contract) holds for every route of both apps, present and future.

A route someone adds without a response model, with an error response not in the Error shape, or
with a status the code cannot produce fails here; the published documents must be regenerated
(`scripts/openapi`) whenever the contract changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kysy.api.contract import STATUS_DOCS
from kysy.api.documents import FILES, documents, render
from kysy.models import QA, AuditEntry, Post

DOCUMENTS = documents()
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
    for name, document in DOCUMENTS.items():
        assert FILES[name].read_text(encoding="utf-8") == render(document), (
            f"{FILES[name].name} is out of date: run scripts/openapi and commit the result"
        )


def test_response_models_state_exactly_what_the_domain_returns():
    """A field added to QA/Post must be added to the API schemas too (FastAPI would drop it)."""
    from kysy.api import editor, reader

    qa = QA(post_id="p", id="01J0000000000000000000000A", question="q", audit=(AuditEntry("t", "e", "edit"),))
    post = Post(id="p")
    assert set(reader.QAOut.model_fields) == set(qa.public())
    assert set(reader.PostOut.model_fields) == set(post.public())
    assert set(editor.QAAdmin.model_fields) == set(qa.admin())
    assert set(editor.AuditOut.model_fields) == set(qa.admin()["audit"][0])
    assert set(editor.PostAdmin.model_fields) == set(post.admin())
    editor.QAAdmin.model_validate(qa.admin())
    editor.PostAdmin.model_validate(post.admin())


@pytest.mark.parametrize(
    ("api", "path", "method", "allow"),
    [
        ("reader", "/v1/posts/p/questions", "PUT", "GET, POST"),
        ("reader", "/v1/search", "POST", "GET"),
        ("editor", "/v1/admin/posts", "DELETE", "GET, POST"),
        ("editor", "/v1/admin/posts/p", "PUT", "GET, PATCH"),
        ("editor", "/v1/admin/posts/p/questions/01J0000000000000000000000A", "POST", "GET, PATCH, DELETE"),
        ("editor", "/v1/admin/posts/p/questions/01J0000000000000000000000A", "OPTIONS", "GET, PATCH, DELETE"),
    ],
)
def test_405_names_every_method_the_path_accepts(api, path, method, allow):
    from kysy.api import editor, reader
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import Settings

    settings = Settings(dynamodb_endpoint="http://127.0.0.1:9")
    module = reader if api == "reader" else editor
    app = module.build_app(settings, Store(make_client(settings), settings.table_name))
    response = TestClient(app).request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


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
