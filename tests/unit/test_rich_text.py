"""The ONE set of answer rendering rules, checked against the shared vectors (tests/vectors/rich_text.json).

Here: the Python renderer (HTML fragment), and the JavaScript renderer run by Node
(functions/kysy/static/editor/kysy-render.js: the widget build bundles it, the editor preview loads it)
including the JSON-LD HTML, which must equal the fragment's byte for byte. The widget's DOM (the built
bundle) and the editor preview's DOM are checked in Chromium
(tests/e2e/test_rich_text_browser.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kysy.service.render import parse_rich, render_fragment, render_rich_text

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "rich_text.json").read_text(encoding="utf-8"))["vectors"]
JS_RENDERER = ROOT / "functions" / "kysy" / "static" / "editor" / "kysy-render.js"
NAMES = [v["name"] for v in VECTORS]


class _Structure(HTMLParser):
    """Reads rich_html() output back into the vectors' structure (so the HTML is checked, not just parsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict[str, Any]] = []
        self.inline: list[Any] | None = None
        self.link: dict[str, str] | None = None

    def _text(self, text: str) -> None:
        assert self.inline is not None, f"text outside a block: {text!r}"
        if self.link is not None:
            self.link["t"] += text
        elif self.inline and isinstance(self.inline[-1], str):
            self.inline[-1] += text
        else:
            self.inline.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "p":
            self.inline = []
            self.blocks.append({"p": self.inline})
        elif tag in ("ul", "ol"):
            self.blocks.append({tag: [], **({"start": int(a["start"] or 0)} if "start" in a else {})})
        elif tag == "li":
            self.inline = []
            self.blocks[-1]["ul" if "ul" in self.blocks[-1] else "ol"].append(self.inline)
        elif tag == "a":
            assert a["rel"] == "nofollow noopener ugc"
            self.link = {"a": a["href"] or "", "t": ""}
        elif tag == "br":
            self._text("\n")
        else:
            raise AssertionError(f"unexpected tag <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            assert self.inline is not None
            assert self.link is not None
            self.inline.append(self.link)
            self.link = None

    def handle_data(self, data: str) -> None:
        self._text(data)


def structure_of(html: str) -> list[dict[str, Any]]:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser.blocks


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_python_renderer_follows_the_vectors(vector: dict[str, Any]) -> None:
    assert parse_rich(vector["in"]) == vector["out"]
    html = render_rich_text(vector["in"])
    assert structure_of(html) == vector["out"]
    assert "<script" not in html
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in re.findall(r'href="([^"]*)"', html))


def test_fragment_uses_the_rules_and_escapes_questions() -> None:
    answer = "Vaihtoehdot:\n- https://example.com/a.\n- <b>lihava</b>"
    page = {
        "post": {"lang": "fi"},
        "items": [{"id": "01ABC", "question": "<script>x</script>?", "answer": answer}],
    }
    html = render_fragment(page)
    assert render_rich_text(answer) in html
    assert "<script>" not in html
    assert '<ul><li><a href="https://example.com/a" rel="nofollow noopener ugc">https://example.com/a</a>.</li>' in html


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is needed for the JavaScript renderer (scripts/setup --test installs the widget tools)")
    return node


def test_javascript_renderer_follows_the_vectors() -> None:
    script = (
        "const m = await import(process.argv[1]);"
        "const vs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(vs.map(v => [m.parse(v.in), m.html(m.parse(v.in))])));"
    )
    run = subprocess.run(
        [_node(), "--input-type=commonjs", "-e", f"(async () => {{ {script} }})()", JS_RENDERER.as_uri()],
        input=json.dumps(VECTORS),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results = json.loads(run.stdout)
    for vector, (blocks, html) in zip(VECTORS, results, strict=True):
        assert blocks == vector["out"], vector["name"]
        assert html == render_rich_text(vector["in"]), vector["name"]  # JSON-LD == the fragment, byte for byte
