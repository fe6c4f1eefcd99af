"""Shared fixtures: a DynamoDB endpoint over HTTP (moto's server, or KYSY_TEST_DYNAMODB_ENDPOINT),
a fresh table created from template.yaml, a local JWT signer, and the Lambda handlers.

The environment is set before the handler modules are imported, exactly as Lambda sets it
before a cold start.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kysy.localauth import LocalSigner

ISSUER = "http://127.0.0.1/local-idp"


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """Any DynamoDB over HTTP: set KYSY_TEST_DYNAMODB_ENDPOINT to use DynamoDB Local or AWS itself."""
    configured = os.environ.get("KYSY_TEST_DYNAMODB_ENDPOINT")
    if configured:
        yield configured
        return
    from moto.server import ThreadedMotoServer

    from kysy.devserver import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def signer() -> LocalSigner:
    return LocalSigner.ephemeral(issuer=ISSUER)


@pytest.fixture(scope="session")
def env(dynamodb_endpoint: str, signer: LocalSigner) -> dict[str, str]:
    """Process environment for the handlers; one table per test session."""
    values = {
        "KYSY_DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "KYSY_TABLE_NAME": f"kysy-test-{uuid.uuid4().hex[:8]}",
        "KYSY_JWKS_JSON": json.dumps(signer.jwks()),
        "KYSY_JWT_ISSUER": signer.issuer,
        "KYSY_JWT_AUDIENCE": signer.audience,
        "KYSY_SECRET": "test-secret-" + uuid.uuid4().hex,
        "KYSY_RATE_LIMIT_MAX": "1000",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "KysyTest",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(values)
    from kysy.settings import get_settings

    get_settings.cache_clear()
    from kysy.repository.dynamo import make_client
    from kysy.repository.table import create_table

    settings = get_settings()
    create_table(make_client(settings), settings.table_name)
    return values


@pytest.fixture(scope="session")
def reader(env: dict[str, str]) -> Any:
    from kysy.api import reader as module

    return module


@pytest.fixture(scope="session")
def editor(env: dict[str, str]) -> Any:
    from kysy.api import editor as module

    return module


@pytest.fixture
def store(env: dict[str, str]) -> Any:
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import get_settings

    settings = get_settings()
    return Store(make_client(settings), settings.table_name)


@pytest.fixture
def post_id() -> str:
    """A fresh post per test, so tests never see each other's records."""
    return f"post-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def editor_token(signer: LocalSigner) -> str:
    return signer.token(email="editor@example.com")
