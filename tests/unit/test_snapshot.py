"""The local snapshot file: canonical, lossless, and replaced atomically (never half-written)."""

from __future__ import annotations

import os

import pytest

from kysy.repository import snapshot

ITEMS = [
    {"PK": {"S": "POST#b"}, "SK": {"S": "META"}, "n": {"N": "2"}},
    {"PK": {"S": "POST#a"}, "SK": {"S": "QA#1"}, "blob": {"B": b"\x00\xffdata"}, "tags": {"SS": ["x", "y"]}},
]


def test_encoding_is_canonical_and_round_trips(tmp_path):
    data = snapshot.encode("t", ITEMS)
    assert data == snapshot.encode("t", list(reversed(ITEMS)))  # order does not matter
    path = tmp_path / "snap.json"
    snapshot.write_atomically(path, data)
    restored = snapshot.read(path)
    assert restored.table == "t"
    assert sorted(restored.items, key=str) == sorted(ITEMS, key=str)


def test_a_failed_write_leaves_the_previous_snapshot_whole(tmp_path, monkeypatch):
    path = tmp_path / "snap.json"
    snapshot.write_atomically(path, snapshot.encode("t", ITEMS))
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        snapshot.write_atomically(path, snapshot.encode("t", ITEMS[:1]))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]  # no temp file left behind
