"""`kysy import` / `kysy export` against DynamoDB over HTTP: drafts for unsure pairs, stable ids,
editors' work kept, round trips that keep statuses, local-stack discovery, dry runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kysy.cli import main
from kysy.devserver import SEED_DIR
from kysy.importer import parse_post, read_source
from kysy.models import Status

POSTS = Path(__file__).parents[1] / "fixtures" / "posts"
SEED = SEED_DIR / "sosiaalinen-media-2021.fi.txt"


@pytest.fixture
def table_args(env: dict[str, str]) -> list[str]:
    return ["--table", env["KYSY_TABLE_NAME"], "--endpoint", env["KYSY_DYNAMODB_ENDPOINT"], "--region", "eu-north-1"]


def parsed_pairs(path: Path) -> list[Any]:
    text, fmt = read_source(path)
    return parse_post(text, fmt=fmt).pairs


def records(store: Any, post_id: str, status: Status | None = None) -> list[Any]:
    found = store.records_of_post(post_id)
    return [qa for qa in found if status is None or qa.status is status]


def run_json(capsys: Any, *argv: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def editor_service(store: Any) -> Any:
    from kysy.service.questions import Editor, QuestionService
    from kysy.settings import get_settings

    return QuestionService(store, get_settings()), Editor(id="e1", email="editor@example.com")


@pytest.mark.parametrize("name", sorted(p.name for p in POSTS.iterdir()))
def test_fixture_imports_sure_pairs_published_unsure_as_flagged_drafts_and_reimport_changes_nothing(
    name, table_args, store, post_id, capsys
):
    pairs = parsed_pairs(POSTS / name)
    first = run_json(capsys, "import", str(POSTS / name), "--post", post_id, *table_args)
    published = {(qa.question, qa.answer) for qa in records(store, post_id, Status.PUBLISHED)}
    drafts = records(store, post_id, Status.PENDING)
    assert published == {(p.question, p.answer) for p in pairs if not p.needs_check}
    assert {(qa.question, qa.answer) for qa in drafts} == {(p.question, p.answer) for p in pairs if p.needs_check}
    assert all(qa.flags == ("import_check",) and qa.audit[-1].note for qa in drafts)
    assert first["summary"]["create"] == len(pairs)
    again = run_json(capsys, "import", str(POSTS / name), "--post", post_id, *table_args)
    assert (again["summary"]["create"], again["summary"]["update"], again["summary"]["unchanged"]) == (0, 0, len(pairs))
    assert [p["id"] for p in again["pairs"]] == [p["id"] for p in first["pairs"]]


def test_seed_imports_14_pairs_and_reports_the_orphan_answer(table_args, store, post_id, capsys):
    result = run_json(capsys, "import", str(SEED), "--post", post_id, *table_args)
    assert len(result["pairs"]) == 14 == len(records(store, post_id))
    text, fmt = read_source(SEED)
    assert [(p["question"], p["answer"]) for p in result["pairs"]] == [
        (p.question, p.answer) for p in parse_post(text, fmt=fmt).pairs
    ]
    assert [r["reason"] for r in result["report"]] == ["answer_without_question"]
    assert result["report"][0]["text"].startswith("Kuluttajat ovat mielestämme")
    assert result["summary"]["published"] + result["summary"]["drafts"] == 14


def test_reimport_after_inserting_a_pair_at_the_top_changes_no_id(table_args, store, post_id, tmp_path, capsys):
    text = SEED.read_text(encoding="utf-8")
    before = run_json(capsys, "import", str(SEED), "--post", post_id, *table_args)
    marker = "Sosiaalinen media vuonna 2021 -webinaarin kysymykset ja vastaukset:\n\n"
    inserted = text.replace(
        marker,
        marker + "Kuluttajat ovat mielestämme erittäin medialukutaitoisia, joten mitä siitä seuraa?\n\n",
        1,
    )
    assert inserted != text
    changed = tmp_path / "seed-with-a-new-first-question.fi.txt"
    changed.write_text(inserted, encoding="utf-8")
    after = run_json(capsys, "import", str(changed), "--post", post_id, *table_args)
    ids_before = {p["question"]: p["id"] for p in before["pairs"]}
    ids_after = {p["question"]: p["id"] for p in after["pairs"]}
    assert len(ids_after) == len(ids_before) + 1  # the orphan answer found its question
    assert sum(1 for q, qa_id in ids_before.items() if ids_after[q] != qa_id) == 0
    assert after["summary"]["create"] == 1
    assert len(records(store, post_id)) == 15


def test_imported_drafts_reach_the_editors_queue_flagged(editor, editor_token, table_args, store, post_id, capsys):
    from tests.lambda_events import http_event, invoke

    result = run_json(capsys, "import", str(SEED), "--post", post_id, *table_args)
    drafts = {p["id"] for p in result["pairs"] if p["status"] == "draft"}
    assert drafts
    auth = {"Authorization": f"Bearer {editor_token}"}
    queue = invoke(editor.handler, http_event("GET", "/v1/admin/queue", headers=auth, query={"post_id": post_id}))
    assert queue.status == 200
    flagged = {i["id"]: i for i in queue.json()["items"] if "import_check" in i["flags"]}
    assert set(flagged) == drafts
    assert all(i["answer"] and i["audit"][-1]["note"] for i in flagged.values())  # proposed answer + why
    posts = invoke(editor.handler, http_event("GET", "/v1/admin/posts", headers=auth)).json()
    row = next(p for p in posts["items"] if p["id"] == post_id)
    assert row["pending"] == row["flagged"] == len(drafts)


def test_an_editors_edit_survives_a_reimport_and_force_overwrites_it(table_args, store, post_id, capsys):
    path = POSTS / "qa-labels.en.txt"
    run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    questions, editor = editor_service(store)
    target = records(store, post_id, Status.PUBLISHED)[0]
    edited = questions.edit(
        post_id, target.id, version=target.version, editor=editor, question=None, answer="Corrected.", asker_name=None
    )
    again = run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    assert again["summary"]["kept"] == 1
    assert store.get_qa(post_id, target.id).answer == "Corrected." == edited.answer
    assert any(r["reason"] == "record_kept" for r in again["report"])
    forced = run_json(capsys, "import", str(path), "--post", post_id, "--force", *table_args)
    assert forced["summary"]["update"] == 1
    assert store.get_qa(post_id, target.id).answer == target.answer


def test_a_record_an_editor_deleted_stays_deleted(editor, editor_token, table_args, store, post_id, capsys):
    from tests.lambda_events import http_event, invoke

    path = POSTS / "qa-labels.en.txt"
    run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    target = records(store, post_id, Status.PUBLISHED)[1]
    event = http_event(
        "DELETE",
        f"/v1/admin/posts/{post_id}/questions/{target.id}",
        headers={"Authorization": f"Bearer {editor_token}"},
        query={"version": str(target.version)},
    )
    assert invoke(editor.handler, event).status == 204  # through the editor function (its IAM policy checked)
    again = run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    assert again["summary"]["skipped"] == 1
    assert store.get_qa(post_id, target.id) is None
    forced = run_json(capsys, "import", str(path), "--post", post_id, "--force", *table_args)
    assert forced["summary"]["create"] == 1
    assert store.get_qa(post_id, target.id) is not None
    after = run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    assert after["summary"]["skipped"] == 0  # --force also removed the tombstone


def test_a_concurrent_editor_save_is_never_overwritten(env, store, post_id):
    from kysy.importer import parse_post
    from kysy.repository.imports import ImportConflict, ImportStore
    from kysy.service.imports import ImportOptions, apply_plan, import_post, plan_import

    imports = ImportStore(store)
    text, fmt = read_source(POSTS / "qa-labels.en.txt")
    parsed = parse_post(text, fmt=fmt)
    import_post(imports, post_id, parsed, ImportOptions(title="Old title"))
    plan = plan_import(imports, post_id, parsed, ImportOptions(title="New title"))  # read ...
    questions, editor = editor_service(store)
    target = records(store, post_id, Status.PUBLISHED)[0]
    questions.edit(
        post_id, target.id, version=target.version, editor=editor, question=None, answer="Mine.", asker_name=None
    )
    plan.records[0].action = "update"  # make the import want to write the record the editor just saved
    plan.records[0].old = target
    with pytest.raises(ImportConflict):
        apply_plan(imports, plan)  # ... write: the condition on the version read fails
    assert store.get_qa(post_id, target.id).answer == "Mine."
    assert store.get_post(post_id).title == "Old title"  # the failed transaction wrote nothing at all


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_export_then_import_keeps_statuses_ids_and_never_publishes_drafts_or_rejected(
    fmt, table_args, store, post_id, tmp_path, capsys
):
    run_json(capsys, "import", str(SEED), "--post", post_id, *table_args)
    questions, editor = editor_service(store)
    published = records(store, post_id, Status.PUBLISHED)
    rejected = questions.reject(
        post_id, published[0].id, version=published[0].version, reason="off topic", editor=editor
    )
    unpublished = questions.unpublish(post_id, published[1].id, version=published[1].version, editor=editor)
    asked = questions.submit(
        post_id,
        _submission("Onko tämä vielä auki?", "Lukija", "reader@example.com"),
        client=_client(),
        idempotency_key=None,
    )
    before = {qa.id: qa for qa in records(store, post_id)}
    assert before[rejected.id].status is Status.REJECTED
    assert before[unpublished.id].status is Status.PENDING
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--post", post_id, "--format", fmt, "--out", str(out), *table_args]) == 0
    exported = out.read_text(encoding="utf-8")
    assert "reader@example.com" not in exported
    assert "Lukija" in exported
    copy_id = f"{post_id}-copy"
    result = run_json(capsys, "import", str(out), "--post", copy_id, *table_args)
    copied = records(store, copy_id)
    assert len(copied) == len(before)
    by_question = {qa.question: qa for qa in copied}
    for qa in before.values():
        twin = by_question[qa.question]
        assert (twin.status, twin.answer, twin.asker_name, twin.flags) == (
            qa.status,
            qa.answer,
            qa.asker_name,
            qa.flags,
        )
    not_published = {qa.question for qa in before.values() if qa.status is not Status.PUBLISHED}
    published_copies = {qa.question for qa in records(store, copy_id, Status.PUBLISHED)}
    assert len(not_published) >= 4
    assert not_published & published_copies == set()  # 0 drafts or rejected questions published
    assert by_question[rejected.question].reject_reason == "off topic"
    assert result["summary"]["rejected"] == 1
    # Into the same post (e.g. after a restore): the same ids, nothing new.
    same = run_json(capsys, "import", str(out), "--post", post_id, *table_args)
    assert {p["id"] for p in same["pairs"]} == set(before)
    assert same["summary"]["create"] == 0
    assert {qa.id: qa.status for qa in records(store, post_id)} == {i: qa.status for i, qa in before.items()}
    assert asked["id"] in before


def _submission(question: str, name: str, email: str) -> Any:
    from kysy.service.questions import Submission

    return Submission(question=question, name=name, email=email, notify=True)


def _client() -> Any:
    from kysy.service.questions import Client

    return Client(ip="192.0.2.1", origin=None)


def test_dry_run_json_prints_the_plan_and_writes_nothing(table_args, store, post_id, capsys):
    result = run_json(capsys, "import", str(SEED), "--post", post_id, "--dry-run", *table_args)
    assert result["dry_run"] is True
    assert {p["status"] for p in result["pairs"]} == {"published", "draft"}
    assert all(set(p) >= {"question", "answer", "asker", "confidence", "status"} for p in result["pairs"])
    assert {"title", "date", "language", "intro", "outro", "report"} <= set(result)
    assert records(store, post_id) == []
    capsys.readouterr()
    assert main(["import", str(SEED), "--post", post_id, "--dry-run", *table_args]) == 0
    printed = capsys.readouterr()
    assert "PUBLISH" in printed.out
    assert "DRAFT" in printed.out
    assert "dry run: nothing written" in printed.out
    assert "an answer whose question is missing" in printed.err
    assert records(store, post_id) == []


def test_replace_removes_imported_records_no_longer_in_the_source(table_args, store, post_id, tmp_path):
    full = tmp_path / "full.md"
    full.write_text("# UKK\n\n## Ensimmäinen kysymys?\n\nVastaus yksi.\n\n## Toinen kysymys?\n\nVastaus kaksi.\n")
    short = tmp_path / "short.md"
    short.write_text("# UKK\n\n## Ensimmäinen kysymys?\n\nVastaus yksi, korjattu.\n")
    assert main(["import", str(full), "--post", post_id, *table_args]) == 0
    assert main(["import", str(short), "--post", post_id, *table_args]) == 0
    assert len(records(store, post_id, Status.PUBLISHED)) == 2  # without --replace nothing is removed
    assert main(["import", str(short), "--post", post_id, "--replace", *table_args]) == 0
    assert [(qa.question, qa.answer) for qa in records(store, post_id)] == [
        ("Ensimmäinen kysymys?", "Vastaus yksi, korjattu.")
    ]


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


def test_export_unknown_post_fails(table_args, post_id, capsys):
    assert main(["export", "--post", post_id, *table_args]) == 1
    assert "no post" in capsys.readouterr().err


# -- finding the local stack ------------------------------------------------------------------------------


def test_import_and_export_find_the_running_local_stack_by_themselves(
    env, store, post_id, tmp_path, monkeypatch, capsys
):
    from kysy import localstack

    monkeypatch.setenv("KYSY_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("KYSY_TABLE_NAME")
    localstack.write(localstack.LocalStack(env["KYSY_DYNAMODB_ENDPOINT"], env["KYSY_TABLE_NAME"], "eu-north-1", "", 1))
    result = run_json(capsys, "import", str(POSTS / "bold.en.md"), "--post", post_id)
    assert "the local stack started by `kysy dev`" in result["target"]
    assert len(records(store, post_id)) == 3
    assert main(["export", "--post", post_id, "--local"]) == 0
    assert json.loads(capsys.readouterr().out)["post"]["id"] == post_id


def test_no_local_stack_says_what_to_do(env, post_id, tmp_path, monkeypatch, capsys):
    from kysy import localstack
    from kysy.devserver import free_port

    monkeypatch.setenv("KYSY_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("KYSY_TABLE_NAME")
    assert main(["import", str(POSTS / "bold.en.md"), "--post", post_id]) == 1
    err = capsys.readouterr().err
    assert "scripts/dev" in err
    assert "--table" in err
    assert "failed to answer" not in err
    localstack.write(localstack.LocalStack(f"http://127.0.0.1:{free_port()}", "kysy-local", "eu-north-1", "", 1))
    assert main(["export", "--post", post_id]) == 1
    assert "is not running" in capsys.readouterr().err
    # A named endpoint that does not answer: the error names it and says what to check.
    dead = ["--table", "t", "--endpoint", f"http://127.0.0.1:{free_port()}", "--region", "eu-north-1"]
    assert main(["import", str(POSTS / "bold.en.md"), "--post", post_id, *dead]) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1" in err
    assert "kysy dev" in err
    # A dry run without any table still shows the plan, as into a new post.
    assert main(["import", str(POSTS / "bold.en.md"), "--post", post_id, "--dry-run"]) == 0
    assert "planned as a new post" in capsys.readouterr().out


def test_a_post_larger_than_one_transaction_is_written_completely(table_args, store, post_id, tmp_path, capsys):
    path = tmp_path / "big.md"
    path.write_text(
        "# Big FAQ\n\n" + "".join(f"## Question number {n}?\n\nAnswer number {n}.\n\n" for n in range(1, 131)),
        encoding="utf-8",
    )
    first = run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    assert first["summary"]["create"] == 130
    assert len(records(store, post_id, Status.PUBLISHED)) == 130
    again = run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    assert again["summary"]["unchanged"] == 130


def test_reimport_keeps_the_post_settings_editors_made(table_args, store, post_id, tmp_path, capsys):
    from dataclasses import replace

    path = POSTS / "bold.en.md"
    run_json(capsys, "import", str(path), "--post", post_id, *table_args)
    post = store.get_post(post_id)
    store.save_post(replace(post, order="oldest", open=False, version=post.version + 1), expected_version=post.version)
    changed = path.read_text(encoding="utf-8").replace("A short video call every morning.", "A short call daily.")
    edited = tmp_path / "bold.en.md"
    edited.write_text(changed, encoding="utf-8")
    again = run_json(capsys, "import", str(edited), "--post", post_id, "--title", "New title", *table_args)
    assert again["summary"]["update"] == 1
    after = store.get_post(post_id)
    assert (after.title, after.order, after.open) == ("New title", "oldest", False)
