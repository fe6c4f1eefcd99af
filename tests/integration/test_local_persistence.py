"""`kysy dev` keeps its data: a question asked before Ctrl-C is in the queue after a restart, a
crash (SIGKILL) keeps the last snapshot, and `--fresh` starts over with the seed.

Each server here runs its own moto (no KYSY_DYNAMODB_ENDPOINT), exactly like a developer's run,
with its state folder in a temporary directory.
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path

import httpx

from tests.conftest import KysyServer, start_kysy_server, stop_kysy_server

SEED_POST = "sosiaalinen-media-2021"


def queue_of(server: KysyServer, post_id: str) -> list[str]:
    response = httpx.get(
        f"{server.base_url}/v1/admin/queue",
        params={"post_id": post_id},
        headers={"Authorization": f"Bearer {server.editor_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [item["question"] for item in response.json()["items"]]


def banner(state: Path) -> str:
    return (state / "server.log").read_text(encoding="utf-8")


def snapshot_file(state: Path) -> Path:
    return state / "dynamodb-kysy-local.json"


def test_question_asked_before_ctrl_c_is_in_the_queue_after_restart(tmp_path: Path):
    post_id = f"persist-{uuid.uuid4().hex[:8]}"
    question = "Säilyykö kysymys, kun palvelin käynnistetään uudelleen?"
    first = start_kysy_server(tmp_path, dynamodb_endpoint=None)
    try:
        assert "fresh start" in banner(tmp_path)
        first.submit(post_id, question)
    finally:
        assert stop_kysy_server(first.process, signal.SIGINT) == 0  # Ctrl-C
    assert "Local data saved" in banner(tmp_path)

    second = start_kysy_server(tmp_path, dynamodb_endpoint=None)
    try:
        log = banner(tmp_path).split("Kysy is running locally")[-1]
        assert "restored" in log
        assert "seed post imported" not in log  # the seed goes only into an empty store
        assert queue_of(second, post_id) == [question]
        seed = httpx.get(f"{second.base_url}/v1/posts/{SEED_POST}/questions", timeout=10).json()
        assert seed["items"], "the seed post survives the restart too"
    finally:
        stop_kysy_server(second.process, signal.SIGINT)

    third = start_kysy_server(tmp_path, dynamodb_endpoint=None, args=("--fresh",))
    try:
        log = banner(tmp_path).split("Kysy is running locally")[-1]
        assert "fresh start" in log
        assert "seed post imported" in log
        assert queue_of(third, post_id) == []
    finally:
        stop_kysy_server(third.process, signal.SIGINT)


def test_a_crash_keeps_the_snapshot_written_after_the_last_change(tmp_path: Path):
    post_id = f"crash-{uuid.uuid4().hex[:8]}"
    server = start_kysy_server(tmp_path, dynamodb_endpoint=None)
    try:
        asked = server.submit(post_id, "Kestääkö tallennus kaatumisen?")
        for _ in range(200):  # written once the writes settle (well under a second); bounded wait
            if asked["id"] in snapshot_file(tmp_path).read_text(encoding="utf-8"):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the snapshot was not written after the change")
    finally:
        stop_kysy_server(server.process, signal.SIGKILL)  # no chance to save at exit
    json.loads(snapshot_file(tmp_path).read_text(encoding="utf-8"))  # whole, valid JSON
    assert not list(tmp_path.glob(".dynamodb-*.tmp"))

    again = start_kysy_server(tmp_path, dynamodb_endpoint=None)
    try:
        assert queue_of(again, post_id) == ["Kestääkö tallennus kaatumisen?"]
    finally:
        stop_kysy_server(again.process, signal.SIGINT)
