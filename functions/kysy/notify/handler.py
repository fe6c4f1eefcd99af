"""Lambda entry point of the notifier: ``kysy.notify.handler.handler``.

Triggered by the table's DynamoDB stream (event source mapping with ReportBatchItemFailures).
"""

from __future__ import annotations

from typing import Any

from kysy.api.observability import logger, metrics
from kysy.notify.notifier import Notifier, build_notifier

_notifier: Notifier | None = None


def get_notifier() -> Notifier:
    """Built once per process (cold start) from the environment, like the API apps."""
    global _notifier
    if _notifier is None:
        from kysy.repository import Store
        from kysy.repository.dynamo import make_client
        from kysy.settings import get_settings

        settings = get_settings()
        _notifier = build_notifier(settings, Store(make_client(settings), settings.table_name))
    return _notifier


def reset() -> None:
    """Forget the notifier (tests and the local run change settings between uses)."""
    global _notifier
    _notifier = None


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return get_notifier().handle(event, context)
