"""The flood from issue 9, replayed against the local stack with the default settings.

Starts ``kysy dev`` on a random free port (its own moto DynamoDB, a throw-away state folder, every
KYSY_* limit left at its default), then one client (this machine, one source address) sends 200
questions to 200 invented post ids. Prints how many were accepted and refused (by error code), how
many posts the flood created in the editors' post list, and how many questions reached the queue.

    .venv/bin/python bench/flood.py [--questions 200]
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(state: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYSY_")}  # the defaults, nothing else
    env |= {"KYSY_STATE_DIR": str(state), "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    log = (state / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "kysy.cli", "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(base: str, state: Path, process: subprocess.Popen[bytes]) -> str:
    token_file = state / "editor-token.txt"
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"kysy dev exited:\n{(state / 'server.log').read_text()}")
        if token_file.exists():
            try:
                if httpx.get(f"{base}/v1/openapi.json", timeout=1).status_code == 200:
                    return token_file.read_text().strip()
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    raise SystemExit("kysy dev did not start")


def editor_posts(client: httpx.Client, base: str, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{base}/v1/admin/posts", params=params, headers={"Authorization": f"Bearer {token}"})
        page.raise_for_status()
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="kysy-flood-") as tmp:
        state = Path(tmp)
        process = start(state, port)
        try:
            token = wait_ready(base, state, process)
            run = uuid.uuid4().hex[:6]
            statuses: collections.Counter[str] = collections.Counter()
            with httpx.Client(timeout=10) as client:
                before = {p["id"] for p in editor_posts(client, base, token)}
                for n in range(args.questions):
                    response = client.post(
                        f"{base}/v1/posts/flood-{run}-{n}/questions",
                        json={"question": f"Flood question number {n}, is this spam?"},
                    )
                    code = "accepted" if response.status_code == 202 else response.json()["error"]["code"]
                    statuses[f"{response.status_code} {code}"] += 1
                after = editor_posts(client, base, token)
                created = [p for p in after if p["id"] not in before]
                queue = client.get(
                    f"{base}/v1/admin/queue", params={"limit": "1"}, headers={"Authorization": f"Bearer {token}"}
                ).json()
        finally:
            process.terminate()
            process.wait(timeout=20)
    queued = sum(n for post, n in queue["counts"].items() if post.startswith(f"flood-{run}-"))
    print(f"Flood: one client, {args.questions} questions to {args.questions} invented post ids (kysy dev, defaults)")
    for status, count in sorted(statuses.items()):
        print(f"  {status:<28} {count:>4}")
    print(f"  posts created (editor list)  {len(created):>4}")
    print(f"  questions in the queue       {queued:>4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
