"""The published OpenAPI documents (``docs/openapi-reader.json``, ``docs/openapi-editor.json``).

    scripts/openapi            # write both files from the apps
    scripts/openapi --check    # exit 1 if a file differs from what the apps serve

The documents come from the same apps the Lambdas run (built here with placeholder settings: the
contract does not depend on them), so a change to the contract shows up in review as a diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[3] / "docs"
FILES = {"reader": DOCS / "openapi-reader.json", "editor": DOCS / "openapi-editor.json"}


def documents() -> dict[str, dict[str, Any]]:
    from kysy.api import editor, reader
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import Settings

    settings = Settings(dynamodb_endpoint="http://127.0.0.1:9", table_name="kysy")  # never contacted
    store = Store(make_client(settings), settings.table_name)
    return {
        "reader": reader.build_app(settings, store).openapi(),
        "editor": editor.build_app(settings, store).openapi(),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, document in documents().items():
        text = render(document)
        path = FILES[name]
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path.relative_to(DOCS.parent)} {'is out of date' if args.check else 'written'}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
