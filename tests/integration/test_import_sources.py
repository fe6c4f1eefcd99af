"""Bringing a whole blog in: a URL from a local HTTP server, and a WordPress export with several posts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kysy.cli import main
from kysy.importer import ImportFailed
from kysy.importer.fetch import ALLOW_LOOPBACK_ENV, fetch, resolve, slug_of
from kysy.models import Status

POSTS = Path(__file__).parents[1] / "fixtures" / "posts"
PAGE = (POSTS / "wp-webinaari.fi.html").read_bytes()


class _Blog(BaseHTTPRequestHandler):
    """A tiny blog: one post, a redirect to it, a redirect to a private address, a huge page."""

    def do_GET(self) -> None:
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/blogi/verkkokaupan-kasvu-2026/": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
            "/old-address": (301, {"Location": "/blogi/verkkokaupan-kasvu-2026/"}, b""),
            "/to-private": (302, {"Location": "http://10.11.12.13/secret"}, b""),
            "/huge": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 300_000 + b"</p>"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def blog() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Blog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def table_args(env: dict[str, str]) -> list[str]:
    return ["--table", env["KYSY_TABLE_NAME"], "--endpoint", env["KYSY_DYNAMODB_ENDPOINT"], "--region", "eu-north-1"]


def test_url_import_from_a_local_server_follows_redirects_and_uses_the_slug(
    blog, table_args, store, monkeypatch, capsys
):
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "1")
    post_id = "verkkokaupan-kasvu-2026"
    for qa in store.records_of_post(post_id):  # the slug is fixed: start from an empty post
        store.delete_qa(qa)
    assert main(["import", f"{blog}/old-address", "--json", *table_args]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["post_id"] == post_id
    assert result["title"] == "Kysymyksiä ja vastauksia: Verkkokaupan kasvu 2026 -webinaari"
    assert result["date"] == "2026-03-18"
    assert len(result["pairs"]) == 5
    published = [qa for qa in store.records_of_post(post_id) if qa.status is Status.PUBLISHED]
    assert len(published) == 5
    post = store.get_post(post_id)
    assert post.url == f"{blog}/blogi/verkkokaupan-kasvu-2026/"
    assert "Jari" not in json.dumps(result)  # the comments are not the post


def test_url_import_refuses_loopback_unless_allowed_and_private_addresses_always(blog, monkeypatch, capsys):
    monkeypatch.delenv(ALLOW_LOOPBACK_ENV, raising=False)
    assert main(["import", f"{blog}/blogi/verkkokaupan-kasvu-2026/", "--dry-run", "--offline"]) == 1
    assert "local or private address" in capsys.readouterr().err
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "1")
    with pytest.raises(ImportFailed) as caught:
        fetch(f"{blog}/to-private")  # the redirect target is checked before any connection
    assert caught.value.code == "address_not_allowed"
    with pytest.raises(ImportFailed) as caught:
        fetch(f"{blog}/huge", max_bytes=100_000)
    assert caught.value.code == "too_large"
    with pytest.raises(ImportFailed) as caught:
        fetch(f"{blog}/missing")
    assert "404" in caught.value.message


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "127.0.0.1", "::1", "fd00::1", "0.0.0.0"],  # noqa: S104
)
def test_every_local_or_private_address_is_refused_before_connecting(address: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        resolve(address, 80, allow_loopback=False)
    assert caught.value.code == "address_not_allowed"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "http://user:pw@example.com/", "gopher://x"]
)
def test_only_plain_http_and_https_urls(url: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        fetch(url)
    assert caught.value.code == "bad_url"


def test_slug_of_url() -> None:
    assert slug_of("https://blog.example.com/2026/03/my-post/") == "my-post"
    assert slug_of("https://blog.example.com/kysymyksi%C3%A4-ja-vastauksia.html") == "kysymyksiä-ja-vastauksia"


def _wxr_item(slug: str, title: str, content: str, status: str = "publish", post_type: str = "post") -> str:
    return f"""
    <item>
      <title>{title}</title>
      <link>https://blog.example.fi/{slug}/</link>
      <pubDate>Tue, 03 Mar 2026 08:00:00 +0000</pubDate>
      <content:encoded><![CDATA[{content}]]></content:encoded>
      <wp:post_date><![CDATA[2026-03-03 10:00:00]]></wp:post_date>
      <wp:post_name><![CDATA[{slug}]]></wp:post_name>
      <wp:status><![CDATA[{status}]]></wp:status>
      <wp:post_type><![CDATA[{post_type}]]></wp:post_type>
    </item>"""


def wxr(tag: str) -> str:
    classic = (
        "Kokosimme asiakasillan kysymykset.\n\n<strong>Voiko palvelua kokeilla ilmaiseksi?</strong>\n\n"
        "Voi, kokeilu kestää kuukauden.\n\n<strong>Miten laskutus toimii?</strong>\n\nLaskutamme kuukausittain.\n"
        "Lasku tulee sähköpostiin.\n\nKiitos kaikille osallistujille!"
    )
    blocks = (
        "<!-- wp:paragraph --><p>Questions from our webinar.</p><!-- /wp:paragraph -->"
        "<!-- wp:heading --><h2>Is there an API?</h2><!-- /wp:heading -->"
        "<!-- wp:paragraph --><p>Yes, a REST API.</p><!-- /wp:paragraph -->"
        "<!-- wp:heading --><h2>Can I export my data?</h2><!-- /wp:heading -->"
        "<!-- wp:paragraph --><p>Yes, as CSV or JSON.</p><!-- /wp:paragraph -->"
    )
    news = "We moved to a new office in Tampere. The address is Hämeenkatu 1.\n\nCome and visit us!"
    items = [
        _wxr_item(f"{tag}-asiakasilta", "Asiakasillan kysymykset", classic),
        _wxr_item(f"{tag}-webinar", "Webinar questions &amp; answers", blocks),
        _wxr_item(f"{tag}-news", "We moved", news),
        _wxr_item(f"{tag}-draft", "Unfinished", blocks, status="draft"),
        _wxr_item(f"{tag}-logo", "logo.png", "", status="inherit", post_type="attachment"),
    ]
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Example blog</title><wp:wxr_version>1.2</wp:wxr_version>{"".join(items)}
</channel></rss>"""


def test_wordpress_export_imports_every_post_with_questions_in_one_command(
    table_args, store, post_id, tmp_path, capsys
):
    path = tmp_path / "export.xml"
    path.write_text(wxr(post_id), encoding="utf-8")
    assert main(["import", str(path), *table_args]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split()[:2] == ["post", "pairs"]
    assert "2 of 4 posts imported" in printed
    assert f"{post_id}-news" in printed
    assert "no Q&A" in printed
    assert "skipped: draft" in printed
    classic = store.records_of_post(f"{post_id}-asiakasilta")
    assert sorted((qa.question, qa.answer) for qa in classic) == [
        ("Miten laskutus toimii?", "Laskutamme kuukausittain. Lasku tulee sähköpostiin."),
        ("Voiko palvelua kokeilla ilmaiseksi?", "Voi, kokeilu kestää kuukauden."),
    ]
    webinar = store.records_of_post(f"{post_id}-webinar")
    assert sorted(qa.question for qa in webinar) == ["Can I export my data?", "Is there an API?"]
    assert all(qa.answered_at.startswith("2026-03-03") for qa in webinar)  # the date WordPress gives
    assert store.get_post(f"{post_id}-webinar").title == "Webinar questions & answers"
    assert store.records_of_post(f"{post_id}-news") == []
    assert store.records_of_post(f"{post_id}-draft") == []


def test_wordpress_export_without_any_questions_exits_non_zero(table_args, post_id, tmp_path, capsys):
    path = tmp_path / "export.xml"
    only_news = wxr(post_id).split("<item>")
    path.write_text(only_news[0] + "<item>" + only_news[3] + "</channel></rss>", encoding="utf-8")
    assert main(["import", str(path), *table_args]) == 1
    assert "no post in the WordPress export holds questions" in capsys.readouterr().err
