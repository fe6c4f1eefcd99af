"""``kysy dev``: the whole stack on one local port, with no AWS account and no Docker.

Starts moto's DynamoDB server (unless ``KYSY_DYNAMODB_ENDPOINT`` points elsewhere), creates the
table from template.yaml, imports the seed post, signs a local editor token and serves the
reader API, the editor API, the editor view, the widget and a demo blog post with uvicorn.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kysy.localauth import LocalSigner

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("KYSY_STATE_DIR") or REPO / ".kysy")
SEED_DIR = REPO / "seed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _moto_server() -> Iterator[str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request access log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(name, value)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def dynamodb_endpoint() -> Iterator[str]:
    """The configured endpoint, or a moto server on a free loopback port for as long as needed.

    moto's server answers S3 as well (the search index snapshots). With another DynamoDB and no
    ``KYSY_S3_ENDPOINT``, a moto server is started for S3 alone.
    """
    configured = os.environ.get("KYSY_DYNAMODB_ENDPOINT")
    if not configured:
        with _moto_server() as endpoint:
            yield endpoint
    elif os.environ.get("KYSY_S3_ENDPOINT"):
        yield configured
    else:
        with _moto_server() as s3:
            os.environ["KYSY_S3_ENDPOINT"] = s3
            yield configured


@dataclass(frozen=True)
class LocalStack:
    base_url: str
    signer: LocalSigner
    demo_file: Path


def configure(base_url: str, endpoint: str, *, table: str = "kysy-local", key_file: Path | None = None) -> LocalStack:
    """Set the environment the apps read at import (as Lambda would), create the table, load the seed."""
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
    os.environ.setdefault("KYSY_DYNAMODB_TIMEOUT_SECONDS", "30")  # moto is much slower than DynamoDB
    from kysy.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.repository.table import create_table

    client = make_client(settings)
    create_table(client, settings.table_name)
    from kysy.repository.search_index import SearchIndexStore, create_bucket

    create_bucket(SearchIndexStore.from_settings(client, settings))
    demo_file = STATE / "demo.json"
    load_seed(Store(client, settings.table_name), demo_file)
    return LocalStack(base_url=base_url, signer=signer, demo_file=demo_file)


def load_seed(store: object, demo_file: Path) -> None:
    """Import every post in seed/ through the same importer a customer uses (unsure pairs become drafts)."""
    from kysy.importer import parse_post, read_source
    from kysy.repository import Store
    from kysy.repository.imports import ImportStore
    from kysy.service.imports import ImportOptions, import_post

    assert isinstance(store, Store)
    for meta_file in sorted(SEED_DIR.glob("*.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        text, fmt = read_source(SEED_DIR / meta["source"])
        parsed = parse_post(text, fmt=meta.get("format", fmt), lang=meta.get("lang"))
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


def serve(port: int, host: str = "127.0.0.1") -> None:
    import uvicorn

    base_url = f"http://{host}:{port}"
    with dynamodb_endpoint() as endpoint:
        stack = configure(base_url, endpoint, key_file=STATE / "editor-key.pem")
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
