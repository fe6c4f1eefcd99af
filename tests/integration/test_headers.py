"""Security headers on every response of both functions, the editor view unframeable, the widget's
script still embeddable from any blog; editor input checks that used to be missing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.lambda_events import http_event, invoke


def get(handler: Any, path: str, **kwargs: Any) -> Any:
    return invoke(handler, http_event("GET", path, **kwargs))


def assert_base_headers(response: Any) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("which", "method", "path", "status"),
    [
        ("reader", "GET", "/v1/posts/headers-post/questions", 200),
        ("reader", "GET", "/v1/posts/headers-post/questions.html", 200),
        ("reader", "GET", "/v1/posts/a%23b/questions", 422),
        ("reader", "GET", "/nothing-here", 404),
        ("reader", "GET", "/v1/docs", 200),
        ("editor", "GET", "/v1/admin/queue", 401),
        ("editor", "GET", "/editor/", 200),
        ("editor", "GET", "/editor/config.json", 200),
    ],
)
def test_every_response_has_the_security_headers(reader, editor, which, method, path, status):
    handler = reader.handler if which == "reader" else editor.handler
    response = invoke(handler, http_event(method, path))
    assert response.status == status, response.body
    assert_base_headers(response)


def test_json_and_fragments_load_nothing(reader):
    response = get(reader.handler, "/v1/posts/headers-post/questions.html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_editor_view_has_its_own_policy_and_cannot_be_framed(editor):
    page = get(editor.handler, "/editor/")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_widget_script_stays_embeddable_cross_origin(reader):
    script = get(reader.handler, "/widget/kysy.js", headers={"Origin": "https://blog.example.com"})
    assert script.status == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    # No Cross-Origin-Resource-Policy (a same-origin one would stop <script src> on a blog), and a
    # CSP on the script's own response does not apply to the page that embeds it.
    assert "cross-origin-resource-policy" not in script.headers


def test_the_413_refusal_has_the_headers_too(reader):
    raw = json.dumps({"question": "x" * 17_000}).encode()
    response = invoke(
        reader.handler,
        http_event("POST", "/v1/posts/p/questions", raw_body=raw, headers={"content-type": "application/json"}),
    )
    assert response.status == 413
    assert_base_headers(response)


def test_editor_post_records_validate_the_post_id(editor, editor_token):
    response = get(
        editor.handler, "/v1/admin/posts/a%23b/questions", headers={"Authorization": f"Bearer {editor_token}"}
    )
    assert response.status == 422
    assert response.json()["error"]["code"] == "invalid_post_id"


def test_a_string_group_claim_is_refused(editor, signer):
    token = signer.token(**{"cognito:groups": "editors"})
    response = get(editor.handler, "/v1/admin/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 403
    assert response.json()["error"]["code"] == "not_an_editor"
