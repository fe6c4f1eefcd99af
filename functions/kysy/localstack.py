"""Where a running ``kysy dev`` can be found: it writes ``.kysy/local.json`` (endpoint and table),
and ``kysy import`` / ``kysy export`` read it when no table is named, so importing into the local
stack needs no credentials, endpoint or table name.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    return Path(os.environ.get("KYSY_STATE_DIR") or REPO / ".kysy")


def info_file() -> Path:
    return state_dir() / "local.json"


@dataclass(frozen=True)
class LocalStack:
    endpoint: str
    table: str
    region: str
    base_url: str
    pid: int


def write(stack: LocalStack) -> Path:
    path = info_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stack.__dict__, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def remove(pid: int) -> None:
    """Forget the stack when the ``kysy dev`` that wrote the file stops."""
    found = read()
    if found is not None and found.pid == pid:
        info_file().unlink(missing_ok=True)


def read() -> LocalStack | None:
    try:
        data = json.loads(info_file().read_text(encoding="utf-8"))
        return LocalStack(
            endpoint=str(data["endpoint"]),
            table=str(data["table"]),
            region=str(data.get("region") or "eu-north-1"),
            base_url=str(data.get("base_url") or ""),
            pid=int(data.get("pid") or 0),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running() -> LocalStack | None:
    """The local stack if its DynamoDB endpoint still answers (a stale file from a stopped run is ignored)."""
    stack = read()
    if stack is None:
        return None
    parts = urlsplit(stack.endpoint)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=1):
            return stack
    except OSError:
        return None
