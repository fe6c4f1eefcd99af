"""The API contract, checked from outside: schemathesis against the local stack, and the published
OpenAPI documents against what the apps serve.

schemathesis (every check: server errors, status codes, content types, headers, response schemas,
negative data refused, positive data accepted, missing required headers, unsupported methods and
their ``Allow``, auth enforced, stateful use-after-delete / availability-after-create) runs its
coverage, fuzzing and stateful phases against its own `kysy dev` (own table: it creates and edits
posts), with a fixed seed and a bounded number of examples, over real HTTP. Settings that are not
flags live in tests/integration/schemathesis.toml, each with its reason.

    .venv/bin/pytest tests/integration/test_contract.py -s     # prints schemathesis' summary per API
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import KysyServer, running_kysy_server

HERE = Path(__file__).parent
CONFIG = HERE / "schemathesis.toml"
SEED = 20261129
MAX_EXAMPLES = 20  # per operation and phase: every constraint is reached; both APIs well under 2 min on 2 cores
TIMEOUT = 600


@pytest.fixture(scope="module")
def contract_server(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KysyServer]:
    with running_kysy_server(tmp_path_factory.mktemp("contract"), dynamodb_endpoint=dynamodb_endpoint) as server:
        yield server


def schemathesis(server: KysyServer, schema_path: str, workdir: Path, *extra: str) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{server.base_url}{schema_path}",
        "--checks",
        "all",
        "--mode",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-database",
        "none",
        "--request-timeout",
        "20",
        *extra,
    ]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return result.returncode, result.stdout + result.stderr


def figures(output: str) -> dict[str, int]:
    """Operations tested and cases generated, from schemathesis' summary."""
    tested = re.search(r"Tested:\s+(\d+)", output)
    generated = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) unique failures", output)
    return {
        "operations": int(tested.group(1)) if tested else -1,
        "cases": int(generated.group(1)) if generated else -1,
        "failures": int(failures.group(1)) if failures else 0,
    }


def summary(output: str) -> str:
    return output[output.find("=== SUMMARY") - 30 :] if "=== SUMMARY" in output else output[-3000:]


def openapi(server: KysyServer, path: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{server.base_url}{path}", timeout=10).json()
    return document


@pytest.mark.parametrize(("api", "schema_path"), [("reader", "/v1/openapi.json"), ("editor", "/v1/admin/openapi.json")])
def test_schemathesis_finds_no_mismatch(contract_server: KysyServer, tmp_path: Path, api: str, schema_path: str):
    auth: tuple[str, ...] = ()
    if api == "editor":
        auth = ("--header", f"Authorization: Bearer {contract_server.editor_token}")
        for question in ("Miten tämä toimii?", "Entä hinta?", "Voiko tätä käyttää englanniksi?"):
            contract_server.submit("contract-post", question)  # real records for the stateful phase
    code, output = schemathesis(contract_server, schema_path, tmp_path, *auth)
    found = figures(output)
    operations = sum(len(item) for item in openapi(contract_server, schema_path)["paths"].values())
    print(f"\nschemathesis {api} API: {found} (seed {SEED}, --max-examples {MAX_EXAMPLES})\n{summary(output)}")
    assert code == 0, f"schemathesis found contract mismatches in the {api} API:\n{output[-20000:]}"
    assert found["operations"] == operations, summary(output)  # every documented operation was exercised
    assert found["cases"] > operations * 10, summary(output)


def test_published_documents_are_what_the_apps_serve(contract_server: KysyServer):
    from kysy.api.documents import FILES

    for name, path in (("reader", "/v1/openapi.json"), ("editor", "/v1/admin/openapi.json")):
        published = json.loads(FILES[name].read_text(encoding="utf-8"))
        assert openapi(contract_server, path) == published, (
            f"{FILES[name].name} is out of date: run scripts/openapi and commit the result"
        )


def test_response_models_state_exactly_what_the_domain_returns(reader, editor, store, publish, post_id, search_indexer):
    """A field added to a record, a post or a search hit must be documented in the API models too."""
    from kysy.models import QA, AuditEntry, Post
    from kysy.service.search import SearchService, snapshot_backend
    from kysy.settings import get_settings

    qa = QA(post_id="p", id="01J0000000000000000000000A", question="q", audit=(AuditEntry("t", "e", "edit"),))
    post = Post(id="p")
    assert set(reader.QAOut.model_fields) == set(qa.public())
    assert set(reader.PostOut.model_fields) == set(post.public())
    assert set(editor.RecordOut.model_fields) == set(qa.admin())
    assert set(editor.AuditOut.model_fields) == set(qa.admin()["audit"][0])
    assert set(editor.PostOut.model_fields) == set(post.admin())
    publish(post_id, "Mikä on dokumentoitu kenttä?", "Jokainen.")
    search_indexer()
    [hit] = SearchService(snapshot_backend(store, get_settings())).search("dokumentoitu", post_id=post_id, limit=1)
    from kysy.api.contract import SearchItem

    assert set(SearchItem.model_fields) == set(hit)


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
def test_405_names_every_method_the_path_accepts(reader, editor, api, path, method, allow):
    from tests.lambda_events import http_event, invoke

    handler = (reader if api == "reader" else editor).handler
    response = invoke(handler, http_event(method, path))
    assert response.status == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"
