"""The DynamoDB client and the translation of its failures into domain errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from kysy.errors import Unavailable, ValidationFailed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from kysy.settings import Settings

_THROTTLED = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "TransactionInProgressException",
}
_MISSING = {"ResourceNotFoundException", "UnrecognizedClientException", "AccessDeniedException"}

# Short timeouts and one retry: a reader's request must fail fast with 503, not hang. The worst
# case (both attempts timing out, plus back-off) stays below the functions' 10 s Lambda timeout, so
# Kysy answers 503 itself instead of Lambda killing the request; a test checks the arithmetic
# against template.yaml. Local emulators are far slower than DynamoDB (moto copies a whole table
# for every transaction), so tests and `kysy dev` raise the read timeout (KYSY_DYNAMODB_TIMEOUT_SECONDS).
CONNECT_TIMEOUT_SECONDS = 1
TOTAL_ATTEMPTS = 2


def client_config(read_timeout: float) -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
    )


def make_client(settings: Settings) -> DynamoDBClient:
    """A botocore client: the same client boto3 would build, without importing boto3 (s3transfer,
    resources, ...), which nothing in the request path uses; a cold start saves ~20-40 ms."""
    config = client_config(settings.dynamodb_timeout_seconds)
    client: DynamoDBClient = aws_client(
        "dynamodb", region=settings.region, endpoint=settings.dynamodb_endpoint, config=config
    )
    return client


_CREATE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def botocore_session() -> botocore.session.Session:
    """One botocore session per process: clients made from it share its loaded service data (and
    hooks registered on it, e.g. the tests' IAM recorder, see every client Kysy makes)."""
    return botocore.session.get_session()


def aws_client(service: str, *, region: str, endpoint: str | None = None, config: Config) -> Any:
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    with _CREATE_LOCK:  # creating clients from one session is not thread-safe; using them is
        return botocore_session().create_client(service, **kwargs)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_codes(error: ClientError) -> list[str]:
    """Per transaction item, why a TransactWriteItems was cancelled (``None`` for items that were fine)."""
    if error_code(error) != "TransactionCanceledException":
        return []
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
    return [str(r.get("Code") or "None") for r in reasons]


def is_conditional_failure(error: ClientError) -> bool:
    """A failed ConditionExpression, alone or inside a cancelled transaction."""
    if error_code(error) == "ConditionalCheckFailedException":
        return True
    return "ConditionalCheckFailed" in cancellation_codes(error)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn storage failures a client may meet into 503s with a Retry-After; never a 500.

    Failed conditions pass through unchanged: the caller knows what they mean (a version
    conflict, a full rate-limit window, an existing record).
    """
    try:
        yield
    except ClientError as error:
        if is_conditional_failure(error):
            raise
        code = error_code(error)
        if code in _THROTTLED or {"TransactionConflict", "ThrottlingError"} & set(cancellation_codes(error)):
            raise Unavailable("We are busy right now. Please try again in a moment.", retry_after=2) from error
        if code in _MISSING:
            raise Unavailable("The question store is not reachable right now.", retry_after=30) from error
        if code == "ValidationException":
            raise ValidationFailed("The request could not be stored as sent.") from error
        raise Unavailable("The question store failed to answer. Please try again.", retry_after=5) from error
    except (ConnectionError, ReadTimeoutError) as error:
        raise Unavailable("The question store is not reachable right now.", retry_after=10) from error
    except BotoCoreError as error:
        raise Unavailable("The question store failed to answer. Please try again.", retry_after=10) from error
