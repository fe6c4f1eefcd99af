"""The search indexer in ``kysy dev``: the same handler as in Lambda, fed by the local stream poller.

At start it builds the index if there is none (the seed was imported before the poller ran) and
then follows the stream, about once a second, like the event source mapping does in AWS.
"""

from __future__ import annotations

from pathlib import Path

from kysy.api.observability import logger
from kysy.notify.local import LocalContext, StreamPoller

FUNCTION = "kysy-indexer-local"


def start_local_indexer(state_dir: Path) -> StreamPoller | None:
    """Call after the environment is configured (table, bucket, endpoints)."""
    from kysy.indexer import handler as indexer_handler
    from kysy.settings import get_settings

    indexer_handler.reset()
    settings = get_settings()
    try:
        poller: StreamPoller | None = StreamPoller.from_settings(
            settings,
            handler=indexer_handler.handler,
            dead_letter_dir=state_dir / "dead-letter-indexer",
            function_name=FUNCTION,
        )
    except Exception as error:  # no stream support: search keeps the index built at start
        logger.warning("Local search indexing is off: cannot read the table's stream", extra={"error": str(error)})
        poller = None
    # The poller reads from now on; build (or catch up) the index only after it holds its place.
    indexer_handler.handler({}, LocalContext(function_name=FUNCTION, invoked_function_arn=f"local:{FUNCTION}"))
    if poller is not None:
        poller.start()
    return poller
