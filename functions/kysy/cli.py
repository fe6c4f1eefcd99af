"""The ``kysy`` command: run locally, import and export posts, sign local editor tokens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _dev(args: argparse.Namespace) -> int:
    from kysy.devserver import serve

    serve(args.port, args.host)
    return 0


def _token(args: argparse.Namespace) -> int:
    from kysy.devserver import STATE
    from kysy.localauth import LocalSigner

    signer = LocalSigner.load_or_create(STATE / "editor-key.pem", issuer=f"http://127.0.0.1:{args.port}/local-idp")
    print(signer.token(email=args.email))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kysy", description="Kysy: a serverless Q&A widget for company blogs.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the whole stack locally (moto DynamoDB, APIs, demo, editor view)")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--host", default="127.0.0.1")
    dev.set_defaults(run=_dev)

    token = sub.add_parser("token", help="print a local editor token (for a running `kysy dev`)")
    token.add_argument("--port", type=int, default=8000)
    token.add_argument("--email", default="editor@example.com")
    token.set_defaults(run=_token)

    try:
        from kysy.importer.cli import add_commands
    except ImportError:  # pragma: no cover - the importer is part of the package
        pass
    else:
        add_commands(sub)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
