"""`kysy import` / `kysy export` against DynamoDB over HTTP: idempotent, all-or-nothing, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kysy.cli import main
from kysy.devserver import SEED_DIR
from kysy.importer import parse_post, read_source

POSTS = Path(__file__).parents[1] / "fixtures" / "posts"


@pytest.fixture
def table_args(env: dict[str, str]) -> list[str]:
    return ["--table", env["KYSY_TABLE_NAME"], "--endpoint", env["KYSY_DYNAMODB_ENDPOINT"], "--region", "eu-north-1"]


def expected_pairs(path: Path) -> list[tuple[str, str]]:
    text, fmt = read_source(path)
    return [(p.question, p.answer) for p in parse_post(text, fmt=fmt).pairs]


def published(store, post_id: str) -> list[tuple[str, str]]:
    return [(qa.question, qa.answer) for qa in store.records_of_post(post_id) if qa.status == "published"]


@pytest.mark.parametrize("name", sorted(p.name for p in POSTS.iterdir()))
def test_import_each_fixture_then_reimport_is_idempotent(name, table_args, store, post_id, capsys):
    path = POSTS / name
    assert main(["import", str(path), "--post", post_id, *table_args]) == 0
    assert published(store, post_id) == expected_pairs(path)
    capsys.readouterr()
    assert main(["import", str(path), "--post", post_id, "--json", *table_args]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["created"], again["unchanged"]) == (0, len(expected_pairs(path)))
    assert published(store, post_id) == expected_pairs(path)


def test_reimport_reports_unchanged_and_never_duplicates(table_args, store, post_id, capsys):
    seed = SEED_DIR / "sosiaalinen-media-2021.fi.txt"
    assert main(["import", str(seed), "--post", post_id, "--json", *table_args]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["import", str(seed), "--post", post_id, "--json", *table_args]) == 0
    second = json.loads(capsys.readouterr().out)
    pairs = expected_pairs(seed)
    assert first["created"] == len(pairs)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, len(pairs))
    assert len(store.records_of_post(post_id)) == len(pairs)
    assert [r["reason"] for r in first["report"]] == [u.reason for u in parse_post(read_source(seed)[0]).report]


def test_dry_run_writes_nothing(table_args, store, post_id, capsys):
    path = POSTS / sorted(p.name for p in POSTS.iterdir())[0]
    assert main(["import", str(path), "--post", post_id, "--dry-run", *table_args]) == 0
    assert "Q: " in capsys.readouterr().out
    assert store.records_of_post(post_id) == []


def test_replace_removes_imported_records_no_longer_in_the_source(table_args, store, post_id, tmp_path):
    full = tmp_path / "full.md"
    full.write_text(
        "# UKK\n\n## Ensimmäinen kysymys?\n\nVastaus yksi.\n\n## Toinen kysymys?\n\nVastaus kaksi.\n", encoding="utf-8"
    )
    short = tmp_path / "short.md"
    short.write_text("# UKK\n\n## Ensimmäinen kysymys?\n\nVastaus yksi, korjattu.\n", encoding="utf-8")
    assert main(["import", str(full), "--post", post_id, *table_args]) == 0
    assert main(["import", str(short), "--post", post_id, *table_args]) == 0
    assert len(published(store, post_id)) == 2  # without --replace nothing is removed
    assert main(["import", str(short), "--post", post_id, "--replace", *table_args]) == 0
    assert published(store, post_id) == [("Ensimmäinen kysymys?", "Vastaus yksi, korjattu.")]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02\x03" * 100, "binary"), (b"\xff\xfe\xfa" + "ä".encode("latin-1") * 50, "")],
)
def test_bad_files_exit_non_zero_and_write_nothing(content, message, table_args, store, post_id, tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["import", str(path), "--post", post_id, *table_args]) == 1
    assert message in capsys.readouterr().err.lower()
    assert store.records_of_post(post_id) == []


def test_huge_file_is_refused_without_reading_it(table_args, store, post_id, tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert main(["import", str(path), "--post", post_id, *table_args]) == 1
    assert "mb" in capsys.readouterr().err.lower()
    assert store.records_of_post(post_id) == []


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_export_then_import_gives_the_same_records(fmt, table_args, store, post_id, tmp_path):
    seed = SEED_DIR / "sosiaalinen-media-2021.fi.txt"
    assert main(["import", str(seed), "--post", post_id, *table_args]) == 0
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--post", post_id, "--format", fmt, "--out", str(out), *table_args]) == 0
    copy_id = f"{post_id}-copy"
    assert main(["import", str(out), "--post", copy_id, *table_args]) == 0
    assert published(store, copy_id) == published(store, post_id)
    assert len(published(store, copy_id)) == len(expected_pairs(seed))


def test_export_unknown_post_fails(table_args, post_id, capsys):
    assert main(["export", "--post", post_id, *table_args]) == 1
    assert "no post" in capsys.readouterr().err
