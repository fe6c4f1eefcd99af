"""Lambda entry point of the search indexer: ``kysy.indexer.handler.handler``.

Invoked by the table's stream (only ``POST#`` items pass the event filter; ``kysy.indexer.events``
checks again) and by a schedule (an EventBridge event, no ``Records``): build the index if it is
missing or of an older format, and write a snapshot of changes not in one yet. A failure raises,
so Lambda retries the batch (appending the same change twice is harmless: it is idempotent).
"""

from __future__ import annotations

from typing import Any

from kysy.api.observability import logger, publish_metrics
from kysy.indexer.events import change_from_records
from kysy.service.search_index import IndexWriter, SnapshotIndexWriter

_writer: IndexWriter | None = None


def get_writer() -> IndexWriter:
    """Built once per process (cold start); keeps its copy of the index between invocations."""
    global _writer
    if _writer is None:
        from kysy.repository import Store
        from kysy.repository.dynamo import make_client
        from kysy.repository.search_index import SearchIndexStore
        from kysy.settings import get_settings

        settings = get_settings()
        client = make_client(settings)
        _writer = SnapshotIndexWriter(
            SearchIndexStore.from_settings(client, settings), Store(client, settings.table_name)
        )
    return _writer


def reset() -> None:
    """Forget the writer (tests and the local run change settings between uses)."""
    global _writer
    _writer = None


@logger.inject_lambda_context(clear_state=True)
@publish_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    writer = get_writer()
    records = event.get("Records")
    if records is None:
        writer.maintain()
        return {}
    change = change_from_records(records)
    version = writer.apply(change)
    logger.info(
        "Search index updated",
        extra={"records": len(records), "changed": len(change.records), "posts": len(change.posts), "version": version},
    )
    return {}
