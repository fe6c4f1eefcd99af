"""Shared fixtures: a DynamoDB endpoint over HTTP (moto's server, or KYSY_TEST_DYNAMODB_ENDPOINT),
a fresh table created from template.yaml, a local JWT signer, and the Lambda handlers.

The environment is set before the handler modules are imported, exactly as Lambda sets it
before a cold start.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kysy.localauth import LocalSigner
from tests import aws_calls, iam
from tests.lambda_events import as_function

ISSUER = "http://127.0.0.1/local-idp"
SENDER = "kysy@example.com"
# The suite asks thousands of questions from one address to ever new posts: the per-client and
# new-post limits are lifted for it (tests of the limits build handlers with the real defaults).
UNLIMITED = {
    "KYSY_DYNAMODB_TIMEOUT_SECONDS": "30",  # moto copies the whole table for every transaction
    "KYSY_RATE_LIMIT_MAX": "1000",
    "KYSY_DAILY_QUESTION_LIMIT": "1000000",
    "KYSY_NEW_POSTS_PER_CLIENT_PER_DAY": "1000000",
    "KYSY_NEW_POSTS_PER_DAY": "1000000",
}

# Before any boto3 client exists: every client the functions create carries the recorder's hook.
aws_calls.install()
_TEMPLATE_FUNCTIONS = iam.functions()


def declare_handler(module: Any, attribute: str = "handler") -> Any:
    """Declare a module's handler as the template.yaml function whose ``Handler`` names it."""
    dotted = f"{module.__name__}.{attribute}"
    [name] = [f.name for f in _TEMPLATE_FUNCTIONS.values() if f.handler == dotted]
    return as_function(name, getattr(module, attribute))


@pytest.fixture(autouse=True)
def _no_call_denied_by_iam() -> Iterator[None]:
    """Fail the test whose Lambda code made an AWS call its function's IAM policy would deny."""
    before = len(aws_calls.RECORDER.denied)
    yield
    new = aws_calls.RECORDER.denied[before:]
    if new:
        pytest.fail("AWS calls template.yaml would deny:\n" + "\n".join(c.describe() for c in new), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = aws_calls.RECORDER.summary()
    if lines:
        terminalreporter.section("IAM: Lambda code's AWS calls checked against template.yaml")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """Any DynamoDB over HTTP: set KYSY_TEST_DYNAMODB_ENDPOINT to use DynamoDB Local or AWS itself."""
    configured = os.environ.get("KYSY_TEST_DYNAMODB_ENDPOINT")
    if configured:
        yield configured
        return
    from kysy.devserver import start_local_moto

    server = start_local_moto()  # patched transactions (kysy.moto_patch), as kysy dev runs it
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def s3_endpoint(dynamodb_endpoint: str) -> Iterator[str]:
    """S3 for the search index snapshots: the same moto server, or its own next to another DynamoDB."""
    if not os.environ.get("KYSY_TEST_DYNAMODB_ENDPOINT"):
        yield dynamodb_endpoint
        return
    from kysy.devserver import start_local_moto

    server = start_local_moto()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def signer() -> LocalSigner:
    return LocalSigner.ephemeral(issuer=ISSUER)


@pytest.fixture(scope="session")
def env(dynamodb_endpoint: str, s3_endpoint: str, signer: LocalSigner) -> dict[str, str]:
    """Process environment for the handlers; one table (and snapshot bucket) per test session."""
    session = uuid.uuid4().hex[:8]
    values = {
        "KYSY_DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "KYSY_TABLE_NAME": f"kysy-test-{session}",
        "KYSY_S3_ENDPOINT": s3_endpoint,
        "KYSY_SEARCH_BUCKET": f"kysy-test-search-{session}",
        "KYSY_SEARCH_REFRESH_SECONDS": "0",  # every search looks for index changes (tests sync the indexer)
        "KYSY_JWKS_JSON": json.dumps(signer.jwks()),
        "KYSY_JWT_ISSUER": signer.issuer,
        "KYSY_JWT_AUDIENCE": signer.audience,
        "KYSY_SECRET": "test-secret-" + uuid.uuid4().hex,
        "KYSY_SENDER_EMAIL": SENDER,
        **UNLIMITED,
        "AWS_DEFAULT_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "KysyTest",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(values)
    from kysy.settings import get_settings

    get_settings.cache_clear()
    from kysy.repository.dynamo import make_client
    from kysy.repository.search_index import SearchIndexStore, create_bucket
    from kysy.repository.table import create_table

    settings = get_settings()
    client = make_client(settings)
    create_table(client, settings.table_name)
    create_bucket(SearchIndexStore.from_settings(client, settings))
    return values


@pytest.fixture(scope="session")
def search_indexer(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Callable[[], int]:
    """The search indexer fed by the table's stream, as its event source mapping does in AWS.

    Searches see published changes once the indexer has run: call the fixture after writing and
    before searching. It delivers every stream record not delivered yet (from the session's
    first write) to ``kysy.indexer.handler.handler`` and returns how many there were.
    """
    from kysy.indexer import handler as indexer_handler
    from kysy.notify.local import StreamPoller
    from kysy.settings import get_settings
    from tests.lambda_events import invoked

    indexer_handler.reset()
    dead_letters = tmp_path_factory.mktemp("indexer-dead-letters")
    poller = StreamPoller.from_settings(
        get_settings(),
        # As Lambda runs it: every AWS call it makes is checked against IndexerFunction's policy.
        handler=invoked(declare_handler(indexer_handler)),
        dead_letter_dir=dead_letters,
        start_at="TRIM_HORIZON",
        max_retries=0,
    )

    def sync() -> int:
        total = 0
        while delivered := poller.poll_once():
            total += delivered
        failed = [p.read_text() for p in dead_letters.glob("*.json")]
        assert not failed, f"the indexer failed on stream records: {failed}"
        return total

    return sync


@pytest.fixture(scope="session")
def reader(env: dict[str, str]) -> Any:
    from kysy.api import reader as module

    declare_handler(module)
    return module


@pytest.fixture(scope="session")
def editor(env: dict[str, str]) -> Any:
    from kysy.api import editor as module

    declare_handler(module)
    return module


@pytest.fixture(scope="session")
def notifier_handler(env: dict[str, str]) -> Any:
    """The notifier function's Lambda handler (settings are read when it first runs)."""
    from kysy.notify import handler as module

    return declare_handler(module)


@pytest.fixture
def store(env: dict[str, str]) -> Any:
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import get_settings

    settings = get_settings()
    return Store(make_client(settings), settings.table_name)


@pytest.fixture
def fresh_table(env: dict[str, str]) -> str:
    """A table of its own (for tests of table-wide counters such as the daily new-post cap)."""
    from kysy.repository.dynamo import make_client
    from kysy.repository.table import create_table
    from kysy.settings import get_settings

    name = f"kysy-own-{uuid.uuid4().hex[:8]}"
    create_table(make_client(get_settings()), name)
    return name


@pytest.fixture
def post_id() -> str:
    """A fresh post per test, so tests never see each other's records."""
    return f"post-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def editor_token(signer: LocalSigner) -> str:
    return signer.token(email="editor@example.com")


@dataclass
class KysyServer:
    """The local stack (`kysy dev`) running in a child process, on its own table."""

    base_url: str
    editor_token: str
    signer: LocalSigner
    state_dir: Path
    process: subprocess.Popen[bytes]

    def wait_searchable(self, q: str, qa_id: str, attempts: int = 200) -> None:
        """Wait until the server's search finds ``qa_id`` for ``q``: a publish reaches the search index
        through the stream (kysy dev's indexer polls it about once a second), not at once."""
        for _ in range(attempts):
            found = httpx.get(f"{self.base_url}/v1/search", params={"q": q}, timeout=10).json().get("items", [])
            if any(item["id"] == qa_id for item in found):
                return
            time.sleep(0.1)
        raise AssertionError(f"{qa_id} did not become searchable for {q!r}")

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
        """Call the editor API (``/v1/admin`` + path) as the local editor, or with ``token``; must succeed."""
        response = httpx.request(
            method,
            f"{self.base_url}/v1/admin{path}",
            json=body,
            headers={"Authorization": f"Bearer {token or self.editor_token}"},
            timeout=10,
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def submit(self, post_id: str, question: str, **extra: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base_url}/v1/posts/{post_id}/questions",
            json={"question": question, **extra},
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        )
        assert response.status_code == 202, response.text
        result: dict[str, Any] = response.json()
        return result


def start_kysy_server(
    state: Path, *, dynamodb_endpoint: str | None, table: str | None = None, args: tuple[str, ...] = ()
) -> KysyServer:
    """Start `kysy dev` in a child process and wait until it serves; stop it with ``stop_kysy_server``.

    With ``dynamodb_endpoint`` the server uses that DynamoDB (and ``table``); without, it starts its
    own moto server and keeps its state under ``state`` like a developer's run.
    """
    from kysy.devserver import free_port

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    child_env = {
        **os.environ,
        "KYSY_STATE_DIR": str(state),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        **UNLIMITED,
    }
    private = ("KYSY_JWKS_JSON", "KYSY_JWT_ISSUER", "KYSY_JWT_AUDIENCE", "KYSY_DYNAMODB_ENDPOINT", "KYSY_TABLE_NAME")
    for name in (*private, "KYSY_S3_ENDPOINT", "KYSY_SEARCH_BUCKET"):  # never the session's search index
        child_env.pop(name, None)
    if dynamodb_endpoint:
        child_env["KYSY_DYNAMODB_ENDPOINT"] = dynamodb_endpoint
        child_env["KYSY_TABLE_NAME"] = table or f"kysy-e2e-{uuid.uuid4().hex[:8]}"
        if os.environ.get("KYSY_S3_ENDPOINT"):  # the session's S3 (else kysy dev starts its own)
            child_env["KYSY_S3_ENDPOINT"] = os.environ["KYSY_S3_ENDPOINT"]
        child_env["KYSY_SEARCH_BUCKET"] = f"kysy-e2e-search-{uuid.uuid4().hex[:8]}"
    log_path = state / "server.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "kysy.cli", "dev", "--port", str(port), *args],
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    token_file = state / "editor-token.txt"
    token_file.unlink(missing_ok=True)
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"kysy dev exited: {log_path.read_text()}")
            if token_file.exists():
                try:
                    if httpx.get(f"{base_url}/v1/openapi.json", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"kysy dev did not start: {log_path.read_text()}")
    except BaseException:
        stop_kysy_server(process)
        raise
    signer = LocalSigner.load_or_create(state / "editor-key.pem", issuer=f"{base_url}/local-idp")
    return KysyServer(base_url, token_file.read_text().strip(), signer, state, process)


def stop_kysy_server(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Stop the child (SIGINT is Ctrl-C); returns its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return int(process.returncode)


@contextmanager
def running_kysy_server(state: Path, **options: Any) -> Iterator[KysyServer]:
    server = start_kysy_server(state, **options)
    try:
        yield server
    finally:
        stop_kysy_server(server.process)


@pytest.fixture(scope="session")
def kysy_server(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KysyServer]:
    with running_kysy_server(tmp_path_factory.mktemp("kysy-state"), dynamodb_endpoint=dynamodb_endpoint) as server:
        yield server


def _handler_factory(module_name: str, function: str) -> Any:
    """Build that app's Lambda handler with other settings (same table unless overridden)."""
    import importlib

    from mangum import Mangum

    from kysy.api.observability import lambda_entry
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import Settings

    build_app = importlib.import_module(module_name).build_app

    def build(**overrides: Any) -> Any:
        settings = Settings(**overrides)
        app = build_app(settings, Store(make_client(settings), settings.table_name))
        return as_function(function, lambda_entry(Mangum(app, lifespan="off")))

    return build


@pytest.fixture
def make_reader(env: dict[str, str]) -> Any:
    """A reader handler built with different settings (e.g. a closed origin list)."""
    return _handler_factory("kysy.api.reader", "ReaderFunction")


@pytest.fixture
def make_editor(env: dict[str, str]) -> Any:
    """An editor handler built with different settings (e.g. no sender)."""
    return _handler_factory("kysy.api.editor", "EditorFunction")


@pytest.fixture
def publish(store: Any) -> Any:
    """Given published records: written through the repository the importer uses."""
    from kysy.ids import new_id
    from kysy.models import QA, Post, Status

    published = itertools.count()

    def create(post_id: str, question: str, answer: str = "Vastaus.", **extra: Any) -> Any:
        # Answered one second apart, in the order the test publishes them (the widget sorts by this).
        when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(published))
        extra.setdefault("answered_at", when.isoformat().replace("+00:00", "Z"))
        qa = QA(post_id=post_id, id=new_id(), question=question, answer=answer, status=Status.PUBLISHED, **extra)
        store.write_import(store.get_post(post_id) or Post(id=post_id), [qa], [])
        return qa

    return create
