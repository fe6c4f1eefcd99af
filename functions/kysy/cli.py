"""The ``kysy`` command: run locally, import and export posts, sign local editor tokens."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kysy.repository import Store

EXIT_FAILED = 1


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


def _store(args: argparse.Namespace) -> Store:
    """The table named on the command line (or by KYSY_* settings), e.g. a deployed stack's."""
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.settings import Settings

    overrides: dict[str, Any] = {}
    if args.table:
        overrides["table_name"] = args.table
    if args.region:
        overrides["region"] = args.region
    if args.endpoint:
        overrides["dynamodb_endpoint"] = args.endpoint
    settings = Settings(**overrides)
    return Store(make_client(settings), settings.table_name)


def _import(args: argparse.Namespace) -> int:
    from kysy.errors import KysyError
    from kysy.importer import REASONS, parse_post, read_source
    from kysy.service.imports import import_post, plan_records

    try:
        text, fmt = read_source(Path(args.file))
        parsed = parse_post(text, fmt=args.format or fmt, lang=args.lang)
        if not parsed.pairs:
            print(f"kysy import: no question/answer pairs found in {args.file}; nothing was imported.", file=sys.stderr)
            _print_report(parsed.report, REASONS)
            return EXIT_FAILED
        if args.dry_run:
            for qa in plan_records(args.post, parsed):
                print(f"\nQ: {qa.question}\nA: {qa.answer}")
            print(f"\n{len(parsed.pairs)} pairs would be imported into post {args.post!r} (dry run: nothing written).")
            _print_report(parsed.report, REASONS)
            return 0
        result = import_post(
            _store(args),
            args.post,
            parsed,
            title=args.title,
            url=args.url,
            lang=args.lang,
            replace_existing=args.replace,
        )
    except KysyError as error:
        print(f"kysy import: {error.message}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(
            f"Imported {len(parsed.pairs)} pairs into post {args.post!r}: {result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.deleted} removed."
        )
        _print_report(parsed.report, REASONS)
    return 0


def _print_report(report: Sequence[Any], reasons: dict[str, str]) -> None:
    if not report:
        return
    print(f"\n{len(report)} paragraph(s) could not be placed as a question or an answer:", file=sys.stderr)
    for entry in report:
        excerpt = entry.text if len(entry.text) <= 100 else entry.text[:97] + "..."
        print(
            f"  - paragraph {entry.position + 1}: {reasons.get(entry.reason, entry.reason)}: {excerpt}", file=sys.stderr
        )


def _export(args: argparse.Namespace) -> int:
    from kysy.errors import KysyError
    from kysy.importer import export_records

    try:
        store = _store(args)
        post_ids = [p.id for p in store.list_posts()] if args.all else [args.post]
        outputs: list[tuple[str, str]] = []
        for post_id in post_ids:
            post = store.get_post(post_id)
            records = [{**qa.public(), "status": qa.status.value} for qa in store.records_of_post(post_id)]
            if post is None and not records:
                print(f"kysy export: there is no post {post_id!r}.", file=sys.stderr)
                return EXIT_FAILED
            meta = post.public() if post else {"id": post_id}
            outputs.append((post_id, export_records(meta, records, args.format)))
    except KysyError as error:
        print(f"kysy export: {error.message}", file=sys.stderr)
        return EXIT_FAILED
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
    from kysy.settings import Settings

    store = _store(args)
    overrides: dict[str, Any] = {"table_name": store.table}
    if args.bucket:
        overrides["search_bucket"] = args.bucket
    if args.region:
        overrides["region"] = args.region
    settings = Settings(**overrides)
    try:
        corpus = SnapshotIndexWriter(SearchIndexStore.from_settings(store.client, settings), store).rebuild()
    except KysyError as error:
        print(f"kysy reindex: {error.message}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Search index rebuilt: {len(corpus.index)} published records, version {corpus.version}.")
    return 0


def _forget(args: argparse.Namespace) -> int:
    """Erase everything tied to one address (a data-subject request) and print what was removed."""
    from kysy.errors import KysyError
    from kysy.service.privacy import PrivacyService
    from kysy.settings import Settings

    try:
        store = _store(args)
        report = PrivacyService(store, Settings()).forget(args.email, by=args.by)
    except KysyError as error:
        print(f"kysy forget: {error.message}", file=sys.stderr)
        return EXIT_FAILED
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
    parser.add_argument("--table", help="DynamoDB table (default: KYSY_TABLE_NAME)")
    parser.add_argument("--region", help="AWS region (default: KYSY_REGION / AWS_REGION)")
    parser.add_argument("--endpoint", help="DynamoDB endpoint URL (default: KYSY_DYNAMODB_ENDPOINT or AWS)")


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

    imp = sub.add_parser("import", help="import a Q&A post (txt, md, html, or a kysy json/csv export)")
    imp.add_argument("file")
    imp.add_argument("--post", required=True, help="the post id (slug) to import into")
    imp.add_argument("--title")
    imp.add_argument("--url", help="the post's canonical URL")
    imp.add_argument("--lang", help="fi, en, ... (default: detected from the text)")
    imp.add_argument("--format", choices=["txt", "md", "html", "json", "csv"], help="default: from the file")
    imp.add_argument("--dry-run", action="store_true", help="show the pairs, write nothing")
    imp.add_argument("--replace", action="store_true", help="also remove earlier imported records not in this file")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
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
