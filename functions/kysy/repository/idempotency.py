"""Powertools idempotency records, kept in the same table under their own partition.

Only hashes are stored: the idempotency key's and the payload's (plus the small result,
``{"id", "status", ...}``); records expire after the configured TTL. The Lambda context is
registered on every call, so a record whose request died mid-save (Lambda timeout) stops blocking
retries when that invocation's time is up instead of after the whole TTL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kysy.errors import Conflict, RequestInProgress, Unavailable
from kysy.repository.base import StoreBase

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

IDEMPOTENCY_PK = "IDEMPOTENCY#submit"

Runner = Callable[[dict[str, Any], Any], dict[str, Any]]


class IdempotencyMixin(StoreBase):
    def idempotent(self, function: Callable[[dict[str, Any]], dict[str, Any]], *, ttl_seconds: int) -> Runner:
        """Wrap ``function(request)`` so that one ``request["key"]`` runs it once.

        ``request["payload"]`` must be the same on every retry (else ``idempotency_key_reused``);
        anything else in ``request`` (e.g. the client's hash, which may change with the network)
        is passed to ``function`` but is not part of the check. Powertools is imported on first use
        (only submissions with a key need it). The runner takes ``(request, lambda_context)``.
        """
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        config: IdempotencyConfig = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="payload",
            expires_after_seconds=ttl_seconds,
            raise_on_no_idempotency_key=True,
        )
        layer = DynamoDBPersistenceLayer(
            table_name=self.table,
            key_attr="PK",
            sort_key_attr="SK",
            static_pk_value=IDEMPOTENCY_PK,
            expiry_attr="ttl",
            boto3_client=self.client,
        )
        once = idempotent_function(data_keyword_argument="request", config=config, persistence_store=layer)(function)

        def run(request: dict[str, Any], lambda_context: Any) -> dict[str, Any]:
            if lambda_context is not None:
                config.register_lambda_context(lambda_context)
            try:
                result: dict[str, Any] = once(request=request)
                return result
            except IdempotencyAlreadyInProgressError as error:
                raise RequestInProgress(
                    "This question is being saved already. Please wait a second.", retry_after=1
                ) from error
            except IdempotencyValidationError as error:
                # A valid request that conflicts with what the key already stands for: 409, not 422.
                raise Conflict(
                    "This Idempotency-Key was already used for a different question.", code="idempotency_key_reused"
                ) from error
            except IdempotencyPersistenceLayerError as error:
                raise Unavailable("The question store is not reachable right now.", retry_after=5) from error

        return run
