"""Importer input safety: size limit, empty, binary, encodings, format detection, idempotency keys."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kysy.importer import ImportFailed, import_key, parse_post, read_source

SAMPLE = "Miten aloitan?\n\nAsenna ensin työkalu.\n"


def failure(path: Path, **kwargs: int) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        read_source(path, **kwargs)
    assert caught.value.message
    assert str(caught.value) == caught.value.message
    return caught.value


def test_too_large_is_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB by stat(), nothing to read
    error = failure(big)
    assert error.code == "too_large"
    assert "50.0 MB" in error.message
    assert "5.0 MB" in error.message
    assert isinstance(error, ImportError)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n", codecs.BOM_UTF8])
def test_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert failure(path).code == "empty"


@pytest.mark.parametrize(
    "content", [b"%PDF-1.7\n...", b"PK\x03\x04\x14\x00", b"\x89PNG\r\n\x1a\n", b"abc\x00\x01\x02def" * 10]
)
def test_binary(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(content)
    assert failure(path).code == "binary"


def test_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(SAMPLE.encode("latin-1"))
    error = failure(path)
    assert error.code == "encoding"
    assert "UTF-8" in error.message
    assert "line 3" in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_accepted_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    text, fmt = read_source(path)
    assert fmt == "txt"
    assert [(p.question, p.answer) for p in parse_post(text, fmt=fmt).pairs] == [
        ("Miten aloitan?", "Asenna ensin työkalu.")
    ]


def test_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(SAMPLE.encode("utf-16-le"))
    assert failure(path).code == "binary"


def test_missing_file(tmp_path: Path) -> None:
    assert failure(tmp_path / "nope.txt").code == "not_found"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.md", "x", "md"),
        ("a.HTML", "x", "html"),
        ("a", "<!doctype html><p>Hi?</p>", "html"),
        ("a", "## Question?\n\nAnswer.", "md"),
        ("a", '{"records": []}', "json"),
        ("a", "Question?\n\nAnswer.", "txt"),
    ],
)
def test_format_detection(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_source(path)[1] == expected


def test_html_scripts_are_dropped_not_kept_as_markup() -> None:
    post = parse_post(
        "<h1>FAQ</h1><h2>Is it safe?</h2><p>Yes<script>alert('x')</script>, <img src=x onerror=alert(1)>"
        "<style>p{}</style>it is.</p><iframe src='https://x.example'>fallback</iframe>",
        fmt="html",
    )
    assert [(p.question, p.answer) for p in post.pairs] == [("Is it safe?", "Yes, it is.")]
    assert {"script", "style", "embedded frame"} <= set(post.removed)
    assert "alert" not in repr(post)
    assert "<img" not in repr(post)


def test_import_key_is_stable_and_ignores_case_and_spacing() -> None:
    first = import_key("post-1", "Miten  aloitan?")
    assert first == import_key("post-1", " miten ALOITAN? ")
    assert first != import_key("post-2", "Miten aloitan?")
    assert first != import_key("post-1", "Miten lopetan?")
