"""The search indexer: published-content changes from the table's stream into the search index.

Lambda entry point: ``kysy.indexer.handler.handler`` (stream batches, and a schedule that builds a
missing index and writes pending snapshots). Locally ``kysy.indexer.local`` runs the same handler
from the stream poller of ``kysy dev``. See ``kysy.service.search_index`` for the design.
"""
