"""The ``kysy`` command: run locally, import and export posts, sign local editor tokens."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kysy.importer import ParsedPost
    from kysy.repository import Store
    from kysy.repository.imports import ImportStore
    from kysy.service.imports import ImportPlan
    from kysy.settings import Settings

EXIT_FAILED = 1
CLI_READ_TIMEOUT = 60.0  # seconds: an import writes transactions of up to 100 items
LOCAL_HINT = "start the local stack with `scripts/dev` (or `kysy dev`) and run this again"


class CliError(Exception):
    """A problem the person at the terminal can fix; the message says how."""


def _dev(args: argparse.Namespace) -> int:
    from kysy.devserver import serve

    serve(args.port, args.host, fresh=args.fresh)
    return 0


def _token(args: argparse.Namespace) -> int:
    from kysy.devserver import STATE
    from kysy.localauth import LocalSigner

    signer = LocalSigner.load_or_create(STATE / "editor-key.pem", issuer=f"http://127.0.0.1:{args.port}/local-idp")
    print(signer.token(email=args.email))
    return 0


# -- which table ----------------------------------------------------------------------------------------


def _target(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """Settings overrides for the table to use, and a sentence saying which one it is.

    Named on the command line (``--table``/``--region``/``--endpoint``) or by ``KYSY_TABLE_NAME``:
    that table (a deployed stack's, with the usual AWS credentials). ``--local``, or nothing named:
    the running ``kysy dev``, found through the file it writes (``.kysy/local.json``).
    """
    from kysy import localstack

    if args.table or args.endpoint:
        overrides: dict[str, Any] = {}
        if args.table:
            overrides["table_name"] = args.table
        if args.region:
            overrides["region"] = args.region
        if args.endpoint:
            overrides["dynamodb_endpoint"] = args.endpoint
        where = args.endpoint or f"AWS {args.region or os.environ.get('AWS_REGION') or 'default region'}"
        return overrides, f"table {args.table or os.environ.get('KYSY_TABLE_NAME', 'kysy')} at {where}"
    if os.environ.get("KYSY_TABLE_NAME") and not args.local:
        overrides = {"region": args.region} if args.region else {}
        endpoint = os.environ.get("KYSY_DYNAMODB_ENDPOINT") or "AWS"
        return overrides, f"table {os.environ['KYSY_TABLE_NAME']} (KYSY_TABLE_NAME) at {endpoint}"
    stack = localstack.running()
    if stack is None:
        if args.local or localstack.read() is None:
            raise CliError(
                "No running local stack was found"
                + (" (its file .kysy/local.json is missing)" if localstack.read() is None else "")
                + f". To import locally, {LOCAL_HINT}. For a deployed stack, name its table: "
                "--table <TableName> --region <region> (AWS credentials as for the AWS CLI)."
            )
        raise CliError(
            f"The local stack recorded in {localstack.info_file()} is not running. To import locally, {LOCAL_HINT}."
        )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "local")  # the local DynamoDB accepts any credentials
    overrides = {"table_name": stack.table, "region": stack.region, "dynamodb_endpoint": stack.endpoint}
    return overrides, f"the local stack started by `kysy dev` (table {stack.table} at {stack.endpoint})"


def _settings(args: argparse.Namespace) -> tuple[Settings, str]:
    from kysy.settings import Settings

    overrides, where = _target(args)
    overrides.setdefault("dynamodb_timeout_seconds", CLI_READ_TIMEOUT)
    return Settings(**overrides), where


def _store(args: argparse.Namespace) -> tuple[Store, Settings, str]:
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client

    settings, where = _settings(args)
    return Store(make_client(settings), settings.table_name), settings, where


def _import_store(args: argparse.Namespace) -> tuple[ImportStore, str]:
    from kysy.repository.imports import ImportStore

    store, _, where = _store(args)
    return ImportStore(store), where


def _failed(command: str, error: Exception, where: str) -> int:
    """Print why a command failed, with what to do about an unreachable table."""
    from kysy.errors import KysyError, Unavailable

    if isinstance(error, Unavailable):
        message = _unreachable(error, where)
    elif isinstance(error, KysyError):
        message = error.message
    else:
        message = str(error)
    print(f"kysy {command}: {message}", file=sys.stderr)
    return EXIT_FAILED


def _unreachable(error: Exception, where: str) -> str:
    return (
        f"{getattr(error, 'message', error)} (using {where}). If that is the local stack, {LOCAL_HINT}; "
        "for a deployed stack check --table, --region and your AWS credentials."
    )


# -- import ----------------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    from kysy.errors import KysyError
    from kysy.importer.fetch import is_url
    from kysy.importer.wxr import is_wxr

    where = ""
    try:
        store: ImportStore | None = None
        if args.dry_run and args.offline:
            where = "no table (--offline): planned as a new post"
        else:
            try:
                store, where = _import_store(args)
            except CliError as error:
                if not args.dry_run:
                    raise
                where = f"no table ({error}): planned as a new post"
        if is_url(args.source):
            return _import_one(args, store, where, *_read_url(args))
        text, fmt = _read_file(args)
        if fmt == "wxr" or (args.format is None and is_wxr(text)):
            return _import_wxr(args, store, where, text)
        if not args.post:
            raise CliError("Say which post to import into: --post <post id> (the post's slug).")
        return _import_one(args, store, where, text, fmt, args.post, None)
    except (CliError, KysyError) as error:
        return _failed("import", error, where)


def _read_file(args: argparse.Namespace) -> tuple[str, str]:
    from kysy.importer import read_source

    text, fmt = read_source(Path(args.source))
    return text, args.format or fmt


def _read_url(args: argparse.Namespace) -> tuple[str, str, str, str]:
    from kysy.importer import decode_bytes
    from kysy.importer.fetch import fetch, format_of, slug_of

    fetched = fetch(args.source)
    text = decode_bytes(fetched.body)
    return (
        text,
        args.format or format_of(fetched.content_type, fetched.url),
        args.post or slug_of(fetched.url),
        fetched.url,
    )


def _parse(text: str, fmt: str, lang: str | None, url: str | None) -> ParsedPost:
    from kysy.importer import parse_post

    return parse_post(text, fmt=fmt, lang=lang, url=url)


def _plan(
    args: argparse.Namespace, store: ImportStore | None, post_id: str, parsed: ParsedPost, **meta: Any
) -> ImportPlan:
    from kysy.service.imports import ImportOptions, import_post, plan_import

    given = {"title": args.title, "url": args.url, "lang": args.lang}
    given |= {k: v for k, v in meta.items() if v is not None and given.get(k) is None}
    options = ImportOptions(**given, replace_existing=args.replace, force=args.force)
    if store is None:
        return plan_import(None, post_id, parsed, options)
    return import_post(store, post_id, parsed, options, dry_run=args.dry_run)


def _import_one(
    args: argparse.Namespace, store: ImportStore | None, where: str, text: str, fmt: str, post_id: str, url: str | None
) -> int:
    parsed = _parse(text, fmt, args.lang, url)
    if not parsed.pairs:
        if args.json:
            print(
                json.dumps({"post_id": post_id, **parsed.as_dict(), "error": "no_pairs"}, ensure_ascii=False, indent=2)
            )
        print(f"kysy import: no question/answer pairs found in {args.source}; nothing was imported.", file=sys.stderr)
        _print_report([{"reason": u.reason, "text": u.text, "position": u.position} for u in parsed.report])
        return EXIT_FAILED
    plan = _plan(args, store, post_id, parsed, url=url)
    if args.json:
        print(json.dumps({**plan.as_dict(), "dry_run": args.dry_run, "target": where}, ensure_ascii=False, indent=2))
    else:
        _print_plan(plan, dry_run=args.dry_run, where=where)
    return 0


def _import_wxr(args: argparse.Namespace, store: ImportStore | None, where: str, text: str) -> int:
    from kysy.errors import KysyError
    from kysy.importer.wxr import autop, read_wxr

    rows: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    imported = 0
    for post in read_wxr(text):
        if post.post_type not in ("post", "page"):
            continue
        row: dict[str, Any] = {"post": post.slug or "?", "title": post.title, "pairs": 0, "drafts": 0, "report": 0}
        rows.append(row)
        if post.status != "publish":
            row["result"] = f"skipped: {post.status or 'unknown'} in WordPress"
            continue
        if not post.slug:
            row["result"] = "skipped: no slug"
            continue
        try:
            parsed = _parse(autop(post.content), "html", args.lang, post.url or None)
            if not parsed.pairs:
                row["result"] = "no Q&A"
                continue
            report = [u for u in parsed.report if not (u.reason == "no_date" and post.date)]
            parsed = replace(
                parsed, title=parsed.title or post.title, date=parsed.date or post.date or None, report=report
            )
            plan = _plan(args, store, post.slug, parsed, url=post.url or None, title=args.title or post.title)
        except KysyError as error:
            row["result"] = f"failed: {error.message}"
            continue
        summary = plan.as_dict()["summary"]
        row |= {"pairs": len(plan.live), "drafts": summary["drafts"], "report": len(plan.report())}
        row["result"] = "planned" if args.dry_run else "imported"
        imported += 1
        plans.append(plan.as_dict())
    if args.json:
        print(
            json.dumps(
                {"target": where, "dry_run": args.dry_run, "posts": rows, "plans": plans}, ensure_ascii=False, indent=2
            )
        )
    else:
        _print_table(rows)
        verb = "would be imported (dry run: nothing written)" if args.dry_run else f"imported into {where}"
        print(f"\n{imported} of {len(rows)} posts {verb}.")
    if not imported:
        print("kysy import: no post in the WordPress export holds questions and answers.", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _print_table(rows: list[dict[str, Any]]) -> None:
    width = max([len("post"), *(len(str(r["post"])) for r in rows)])
    print(f"{'post':<{width}}  {'pairs':>5}  {'drafts':>6}  {'report':>6}  result")
    for r in rows:
        print(f"{r['post']:<{width}}  {r['pairs']:>5}  {r['drafts']:>6}  {r['report']:>6}  {r['result']}")


def _short(text: str, limit: int = 0) -> str:
    flat = " ".join(text.split())
    return flat if not limit or len(flat) <= limit else flat[: limit - 3] + "..."


def _print_plan(plan: ImportPlan, *, dry_run: bool, where: str) -> None:
    data = plan.as_dict()
    parsed = plan.parsed
    date = parsed.date or f"none found in the post: using the import time ({plan.date_used})"
    print(f"Post {plan.post_id!r}: {data['title'] or '(no title)'}")
    print(f"  language {data['language']}, date {date}, into {where}")
    if parsed.intro:
        print(f"  intro ({len(parsed.intro)} paragraph(s)): {_short(parsed.intro[0], 100)}")
    if parsed.outro:
        print(f"  outro ({len(parsed.outro)} paragraph(s)): {_short(parsed.outro[0], 100)}")
    labels = {"published": "PUBLISH", "draft": "DRAFT", "rejected": "REJECTED"}
    for pair in data["pairs"]:
        label = labels.get(pair["status"], pair["status"].upper())
        if pair["action"] in ("kept", "skipped", "delete", "unchanged"):
            label = {"kept": "KEPT", "skipped": "SKIPPED", "delete": "REMOVE", "unchanged": "SAME"}[pair["action"]]
        asker = f" ({pair['asker']})" if pair["asker"] else ""
        print(f"\n{label:<9}Q{asker}: {_short(pair['question'])}")
        answer = pair["answer"].replace("\n", "\n           ")
        print(f"         A: {answer}")
        if pair["status"] == "draft" and pair["reasons"]:
            print(f"         check: {'; '.join(pair['reasons'])}")
        if pair["note"]:
            print(f"         note: {pair['note']}")
    _print_report(data["report"])
    s = data["summary"]
    tail = " (dry run: nothing written)" if dry_run else ""
    print(
        f"\n{s['published']} published, {s['drafts']} draft(s) for an editor to check, {s['rejected']} rejected; "
        f"{s['create']} new, {s['update']} updated, {s['unchanged']} unchanged, {s['kept']} kept (changed by an "
        f"editor), {s['skipped']} skipped (deleted by an editor), {s['delete']} removed{tail}."
    )


def _print_report(report: Sequence[dict[str, Any]]) -> None:
    from kysy.importer import REASONS

    if not report:
        return
    print(f"\nReport ({len(report)}):", file=sys.stderr)
    for entry in report:
        where = f"paragraph {entry['position'] + 1}: " if entry.get("position", -1) >= 0 else ""
        why = entry.get("why") or REASONS.get(entry["reason"], entry["reason"])
        text = f": {_short(entry['text'], 100)}" if entry.get("text") else ""
        print(f"  - {where}{why}{text}", file=sys.stderr)


# -- export ----------------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    from kysy.errors import KysyError
    from kysy.importer import export_records
    from kysy.service.ordering import in_reading_order

    where = ""
    try:
        store, where = _import_store(args)
        post_ids = [p.id for p in store.store.list_posts()] if args.all else [args.post]
        outputs: list[tuple[str, str]] = []
        for post_id in post_ids:
            post = store.post(post_id)
            # Oldest first by the readers' rule: an imported post's pairs in the post's own order.
            records = [_exported(qa) for qa in in_reading_order(store.records(post_id), newest=False)]
            if post is None and not records:
                raise CliError(f"there is no post {post_id!r} in {where}.")
            meta = post.public() if post else {"id": post_id}
            outputs.append((post_id, export_records(meta, records, args.format)))
    except (CliError, KysyError) as error:
        return _failed("export", error, where)
    if args.all:
        out_dir = Path(args.out or ".")
        out_dir.mkdir(parents=True, exist_ok=True)
        for post_id, content in outputs:
            (out_dir / f"{post_id}.{args.format}").write_text(content, encoding="utf-8")
        print(f"Exported {len(outputs)} posts to {out_dir}/", file=sys.stderr)
    elif args.out:
        Path(args.out).write_text(outputs[0][1], encoding="utf-8")
    else:
        sys.stdout.write(outputs[0][1])
    return 0


def _reindex(args: argparse.Namespace) -> int:
    """Build the search index again from every published record (the indexer keeps it current
    from the stream; this is for a new analysis version or a lost bucket)."""
    from kysy.errors import KysyError
    from kysy.repository.search_index import SearchIndexStore
    from kysy.service.search_index import SnapshotIndexWriter

    where = ""
    try:
        store, settings, where = _store(args)
        changes: dict[str, Any] = {}
        if args.bucket:
            changes["search_bucket"] = args.bucket
        if settings.dynamodb_endpoint and not settings.s3_endpoint:
            changes["s3_endpoint"] = settings.dynamodb_endpoint  # the local stack's moto answers S3 too
        settings = settings.model_copy(update=changes)
        corpus = SnapshotIndexWriter(SearchIndexStore.from_settings(store.client, settings), store).rebuild()
    except (CliError, KysyError) as error:
        return _failed("reindex", error, where)
    print(f"Search index rebuilt: {len(corpus.index)} published records, version {corpus.version}.")
    return 0


def _exported(qa: Any) -> dict[str, Any]:
    """A record as exports carry it: everything an editor decided, never the asker's email."""
    return {
        "id": qa.id,
        "question": qa.question,
        "answer": qa.answer,
        "status": qa.status.value,
        "asker_name": qa.asker_name or None,
        "asked_at": qa.created_at,
        "answered_at": qa.answered_at or None,
        "updated_at": qa.updated_at or None,
        "flags": list(qa.flags),
        "reject_reason": qa.reject_reason or None,
        "duplicate_of": qa.duplicate_of or None,
        "source": qa.source,
    }


def _forget(args: argparse.Namespace) -> int:
    """Erase everything tied to one address (a data-subject request) and print what was removed."""
    from kysy.errors import KysyError
    from kysy.service.privacy import PrivacyService

    where = ""
    try:
        store, settings, where = _store(args)
        # A pasted address may carry spaces; the API takes the address exactly as documented.
        report = PrivacyService(store, settings).forget(args.email.strip(), by=args.by)
    except (CliError, KysyError) as error:
        return _failed("forget", error, where)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return 0
    print(f"Erasure for the given address: {report.records_found} question(s) were linked to it.")
    print(f"  address items deleted:        {report.email_items_deleted}")
    print(f"  look-up items deleted:        {report.lookup_items_deleted}")
    print(f"  unpublished questions deleted: {len(report.questions_deleted)}" + _ids(report.questions_deleted))
    anonymised = [f"{r['post_id']}/{r['id']}" for r in report.published_anonymised]
    print(f"  published answers kept, asker's name removed: {len(anonymised)}" + _ids(anonymised))
    if report.already_gone:
        print(f"  already deleted before: {len(report.already_gone)}" + _ids(report.already_gone))
    if anonymised:
        print("Review the wording of the published questions above; edit or unpublish any that identify the person.")
    return 0


def _ids(ids: Sequence[str]) -> str:
    return f" ({', '.join(ids)})" if ids else ""


def _add_table_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "which table",
        "Default: the running `kysy dev` (found through .kysy/local.json), or KYSY_TABLE_NAME when set.",
    )
    group.add_argument("--local", action="store_true", help="use the running `kysy dev` (fail if there is none)")
    group.add_argument("--table", help="a deployed stack's DynamoDB table (stack output TableName)")
    group.add_argument("--region", help="AWS region of that table (default: KYSY_REGION / AWS_REGION)")
    group.add_argument("--endpoint", help="DynamoDB endpoint URL (DynamoDB Local, moto)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kysy", description="Kysy: a serverless Q&A widget for company blogs.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the whole stack locally (moto DynamoDB, APIs, demo, editor view)")
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--fresh", action="store_true", help="forget the local data kept in .kysy/ and start over")
    dev.set_defaults(run=_dev)

    token = sub.add_parser("token", help="print a local editor token (for a running `kysy dev`)")
    token.add_argument("--port", type=int, default=8000)
    token.add_argument("--email", default="editor@example.com")
    token.set_defaults(run=_token)

    imp = sub.add_parser(
        "import",
        help="import a Q&A post: a file (txt, md, html, a kysy json/csv/md export), a URL, or a WordPress export",
    )
    imp.add_argument("source", help="a file, an http(s) URL, or a WordPress export (WXR .xml: every post in it)")
    imp.add_argument("--post", help="the post id (slug) to import into (default for a URL: its last path segment)")
    imp.add_argument("--title")
    imp.add_argument("--url", help="the post's canonical URL")
    imp.add_argument("--lang", help="fi, en, ... (default: detected from the text)")
    imp.add_argument("--format", choices=["txt", "md", "html", "json", "csv", "wxr"], help="default: from the file")
    imp.add_argument("--dry-run", action="store_true", help="show what would be published, drafted and reported")
    imp.add_argument("--offline", action="store_true", help="with --dry-run: plan as into an empty post, no table")
    imp.add_argument("--replace", action="store_true", help="also remove earlier imported records not in the source")
    imp.add_argument("--force", action="store_true", help="overwrite editors' changes and bring back deleted records")
    imp.add_argument("--json", action="store_true", help="print the result (or the dry run) as JSON")
    _add_table_options(imp)
    imp.set_defaults(run=_import)

    exp = sub.add_parser("export", help="export a post's records (or all posts) as json, csv or md")
    which = exp.add_mutually_exclusive_group(required=True)
    which.add_argument("--post")
    which.add_argument("--all", action="store_true")
    exp.add_argument("--format", choices=["json", "csv", "md"], default="json")
    exp.add_argument("--out", help="file (or folder with --all); default: standard output")
    _add_table_options(exp)
    exp.set_defaults(run=_export)

    reindex = sub.add_parser("reindex", help="build the search index again from every published record")
    reindex.add_argument("--bucket", help="snapshot bucket (default: KYSY_SEARCH_BUCKET; stack output SearchBucket)")
    _add_table_options(reindex)
    reindex.set_defaults(run=_reindex)
    forget = sub.add_parser(
        "forget",
        help="erase everything tied to one email address (data-subject request); needs the deployment's KYSY_SECRET",
    )
    forget.add_argument("email")
    forget.add_argument("--by", default="kysy-cli", help="who made the erasure (kept in the records' audit trail)")
    forget.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_table_options(forget)
    forget.set_defaults(run=_forget)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
