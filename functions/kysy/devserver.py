"""``kysy dev``: the whole stack on one local port, with no AWS account and no Docker.

Starts moto's DynamoDB server (unless ``KYSY_DYNAMODB_ENDPOINT`` points elsewhere), creates the
table from template.yaml, puts back the data of the last run (``.kysy/dynamodb-<table>.json``,
see kysy.repository.snapshot) or, into an empty table, imports the seed post, signs a local editor
token and serves the reader API, the editor API, the editor view, the widget and a demo blog post
with uvicorn. While it runs, the table is written to that file after every burst of writes (from
any client: the apps, `kysy import`, a script), and once more on Ctrl-C; ``--fresh`` starts over.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kysy.localauth import LocalSigner

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kysy.repository.snapshot import TableSnapshot

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("KYSY_STATE_DIR") or REPO / ".kysy")
SEED_DIR = REPO / "seed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WRITE_OPERATIONS = frozenset(
    f"DynamoDB_20120810.{name}".encode()
    for name in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement")
)


class WriteWatch:
    """WSGI middleware in front of moto: notes that the table may have changed after a write request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.changed = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").encode() in WRITE_OPERATIONS:
            self.changed.set()
        return self.app(environ, start_response)


class LocalMoto:
    """moto's server (DynamoDB and its stream, S3, SES, SNS, SQS) on a loopback port: what moto's
    ThreadedMotoServer does, with kysy.moto_patch installed and a write watch for kysy dev's snapshots."""

    def __init__(self, port: int) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from kysy import moto_patch

        moto_patch.install()  # transactions that do not copy the whole table (see kysy.moto_patch)

        self.watch = WriteWatch(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", port, self.watch, threaded=True, request_handler=MotoRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="moto", daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def start_local_moto() -> LocalMoto:
    """The one way this project runs moto (kysy dev, the tests, the benches): on a free loopback
    port, patched, started, quiet; stop it with ``stop()``. Sets placeholder AWS credentials if none
    are set (moto accepts any)."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request access log
    server = LocalMoto(free_port())
    server.start()
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(name, value)
    return server


@contextmanager
def _moto_server() -> Iterator[LocalMoto]:
    server = start_local_moto()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def dynamodb_endpoint() -> Iterator[tuple[str, WriteWatch | None]]:
    """The configured endpoint, or a moto server on a free loopback port for as long as needed.

    moto's server answers S3 as well (the search index snapshots). With another DynamoDB and no
    ``KYSY_S3_ENDPOINT``, a moto server is started for S3 alone.
    """
    configured = os.environ.get("KYSY_DYNAMODB_ENDPOINT")
    if not configured:
        with _moto_server() as server:
            yield server.url, server.watch
    elif os.environ.get("KYSY_S3_ENDPOINT"):
        yield configured, None
    else:
        with _moto_server() as s3:
            os.environ["KYSY_S3_ENDPOINT"] = s3.url
            yield configured, None


class Persistence:
    """Keeps the local table in ``.kysy/``: restored at start, saved after writes settle and at exit."""

    QUIET_SECONDS = 0.5  # save once writes pause this long ...
    MAX_DELAY_SECONDS = 5.0  # ... or at the latest this long after the first unsaved write

    def __init__(self, snapshot: TableSnapshot, watch: WriteWatch) -> None:
        self.snapshot = snapshot
        self.watch = watch
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kysy-snapshot", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        changed = self.watch.changed
        while not self._stop.is_set():
            if not changed.wait(timeout=0.5):
                continue
            deadline = time.monotonic() + self.MAX_DELAY_SECONDS
            changed.clear()
            while time.monotonic() < deadline and not self._stop.is_set():
                if not changed.wait(timeout=self.QUIET_SECONDS):
                    break
                changed.clear()
            self._save()

    def _save(self) -> None:
        from kysy.errors import KysyError

        try:
            self.snapshot.save()
        except (KysyError, OSError) as error:  # keep serving; the previous snapshot stays whole
            print(f"kysy dev: could not save the local data: {error}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        """Stop watching and write the final state (call before the DynamoDB server stops)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._save()


@dataclass(frozen=True)
class LocalStack:
    base_url: str
    signer: LocalSigner
    demo_file: Path
    data: str = ""  # where the data lives, for the banner
    persistence: Persistence | None = None


def configure(
    base_url: str,
    endpoint: str,
    *,
    table: str = "kysy-local",
    key_file: Path | None = None,
    keep: WriteWatch | None = None,
    fresh: bool = False,
) -> LocalStack:
    """Set the environment the apps read at import (as Lambda would), create the table, load data.

    With ``keep`` (our own moto server), the table is restored from its snapshot unless ``fresh``
    and kept there from now on; the seed is imported only into an empty table.
    """
    signer = (
        LocalSigner.load_or_create(key_file, issuer=f"{base_url}/local-idp")
        if key_file
        else LocalSigner.ephemeral(issuer=f"{base_url}/local-idp")
    )
    os.environ.update(
        {
            "KYSY_DYNAMODB_ENDPOINT": endpoint,
            # moto's server answers S3 too: the search index snapshots (kysy.repository.search_index).
            "KYSY_S3_ENDPOINT": os.environ.get("KYSY_S3_ENDPOINT", endpoint),
            "KYSY_TABLE_NAME": os.environ.get("KYSY_TABLE_NAME", table),
            "KYSY_JWKS_JSON": json.dumps(signer.jwks()),
            "KYSY_JWT_ISSUER": signer.issuer,
            "KYSY_JWT_AUDIENCE": signer.audience,
            "KYSY_PUBLIC_BASE_URL": base_url,
            "POWERTOOLS_METRICS_NAMESPACE": "KysyLocal",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
    # The banner stays readable: warnings and errors only, no metric lines (set either to see them).
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("KYSY_DYNAMODB_TIMEOUT_SECONDS", "30")  # moto is much slower than DynamoDB
    from kysy.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.repository.snapshot import TableSnapshot, is_empty
    from kysy.repository.table import create_table

    client = make_client(settings)
    create_table(client, settings.table_name)
    from kysy.repository.search_index import SearchIndexStore, create_bucket

    create_bucket(SearchIndexStore.from_settings(client, settings))
    snapshot_file = STATE / f"dynamodb-{settings.table_name}.json"
    data = f"DynamoDB endpoint {endpoint} keeps the data (not kysy dev)"
    persistence: Persistence | None = None
    if keep is not None:
        snapshot = TableSnapshot(client, settings.table_name, snapshot_file)
        if fresh:
            snapshot_file.unlink(missing_ok=True)
        if snapshot_file.exists():
            count = snapshot.load()
            data = f"restored {count} items from {snapshot_file} (kysy dev --fresh starts over)"
        else:
            data = f"fresh start; kept in {snapshot_file} across restarts"
        persistence = Persistence(snapshot, keep)
    demo_file = STATE / "demo.json"
    seeded = is_empty(client, settings.table_name)
    load_seed(Store(client, settings.table_name) if seeded else None, demo_file)
    if seeded:
        data += "; seed post imported"
    if persistence is not None:
        persistence.snapshot.save()
        persistence.start()
    return LocalStack(base_url=base_url, signer=signer, demo_file=demo_file, data=data, persistence=persistence)


def load_seed(store: object | None, demo_file: Path) -> None:
    """The demo page's post from seed/; imported through the importer a customer uses (unsure pairs
    become drafts) when ``store`` is given."""
    from kysy.importer import parse_post, read_source
    from kysy.repository import Store
    from kysy.repository.imports import ImportStore
    from kysy.service.imports import ImportOptions, import_post

    for meta_file in sorted(SEED_DIR.glob("*.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        text, fmt = read_source(SEED_DIR / meta["source"])
        parsed = parse_post(text, fmt=meta.get("format", fmt), lang=meta.get("lang"))
        if store is not None:
            assert isinstance(store, Store)
            options = ImportOptions(title=meta.get("title"), url=meta.get("url"), lang=meta.get("lang"))
            import_post(ImportStore(store), meta["id"], parsed, options)
        demo_file.parent.mkdir(parents=True, exist_ok=True)
        demo_file.write_text(
            json.dumps(
                {
                    "post_id": meta["id"],
                    "title": parsed.title or meta["id"],
                    "intro": parsed.intro,
                    "lang": parsed.lang,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )


def serve(port: int, host: str = "127.0.0.1", *, fresh: bool = False) -> None:
    import uvicorn

    base_url = f"http://{host}:{port}"
    with dynamodb_endpoint() as (endpoint, watch):
        stack = configure(base_url, endpoint, key_file=STATE / "editor-key.pem", keep=watch, fresh=fresh)
        from kysy.notify.local import start_local_notifier

        notifier = start_local_notifier(STATE)  # stream poller -> notifier handler -> outbox folder
        from kysy.indexer.local import start_local_indexer

        indexer = start_local_indexer(STATE)  # stream poller -> indexer handler -> search index
        from kysy.api.local import build_local_app

        app = build_local_app(stack.demo_file)
        token = stack.signer.token(email="editor@example.com")
        STATE.mkdir(exist_ok=True)
        (STATE / "editor-token.txt").write_text(token + "\n", encoding="utf-8")
        print(
            "\n".join(
                [
                    "",
                    "Kysy is running locally:",
                    f"  Demo blog post with the widget  {base_url}/demo",
                    f"  Editor view                     {base_url}/editor/",
                    f"  Reader API docs (OpenAPI)       {base_url}/v1/docs",
                    f"  Editor API docs                 {base_url}/v1/admin/docs",
                    f"  DynamoDB endpoint               {endpoint}",
                    f"  Data                            {stack.data}",
                    f"  Outbox (emails as .eml files)   {notifier.mail_dir}",
                    "",
                    f"Editor token (valid 8 h; also in {STATE / 'editor-token.txt'}):",
                    f"  {token}",
                    "",
                    "Press Ctrl-C to stop.",
                    "",
                ]
            ),
            flush=True,
        )
        from kysy import localstack
        from kysy.settings import get_settings

        settings = get_settings()
        found = localstack.write(
            localstack.LocalStack(endpoint, settings.table_name, settings.region, base_url, os.getpid())
        )
        print(f"`kysy import` and `kysy export` use this stack by themselves (see {found}).\n", flush=True)
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off")
        finally:
            localstack.remove(os.getpid())
            notifier.stop()
            if indexer is not None:
                indexer.stop()
            if stack.persistence is not None:
                stack.persistence.stop()
                print(f"Local data saved to {stack.persistence.snapshot.path}", flush=True)
