"""The language registry (kysy.i18n): one strings file per language, used by the widget build, the
editor view and the emails; a post's language must be one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kysy import i18n
from kysy.models import QA, Post
from kysy.notify.events import AskerEvent
from kysy.notify.messages import asker_email_text

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{\w\}")


def test_registry_lists_languages_with_their_files() -> None:
    assert i18n.codes()[:3] == ("fi", "en", "sv")
    assert i18n.default() in i18n.codes()
    for code in i18n.codes():
        assert (i18n.HERE / f"{code}.json").is_file()
        assert i18n.name(code)


@pytest.mark.parametrize(("tag", "code"), [("fi", "fi"), ("fi-FI", "fi"), ("SV_se", "sv"), ("de", "en"), (None, "en")])
def test_resolve_maps_tags_to_registered_languages(tag: str | None, code: str) -> None:
    assert i18n.resolve(tag) == code


@pytest.mark.parametrize("code", i18n.codes())
@pytest.mark.parametrize("section", ["widget", "email"])
def test_reader_facing_texts_are_complete_in_every_language(code: str, section: i18n.Section) -> None:
    """Readers and askers never see another language: widget and email texts have every key."""
    assert i18n.missing(code, section) == []
    own = i18n.strings(code, section)
    english = i18n.strings("en", section)
    for key, text in own.items():
        assert text.strip(), key
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english[key])), key


def test_untranslated_editor_keys_fall_back_to_the_default_language() -> None:
    missing = i18n.missing("sv", "editor")
    assert missing, "sv translates the editor view only partly; the rest is English (say so in the README)"
    sv = i18n.strings("sv", "editor")
    assert sv[missing[0]] == i18n.strings("en", "editor")[missing[0]]
    assert sv["switchLang"] == "På svenska"


def test_every_language_has_a_date_format() -> None:
    for code in i18n.codes():
        fmt = i18n.date_format(code)
        assert fmt["locale"].lower().startswith(code)
        assert fmt["options"]


def test_swedish_post_gets_a_swedish_email() -> None:
    post = Post(id="p", title="Frågestund", lang="sv")
    qa = QA(post_id="p", id="01ABC", question="Hur fungerar det?", asker_name="Anna")
    mail = asker_email_text(qa, post, AskerEvent.ANSWERED, "https://blog.example.com")
    assert mail.subject.startswith("Din fråga har besvarats")
    assert mail.body.startswith("Hej Anna,")
    assert "Läs svaret:" in mail.body


def test_built_files_use_the_registry() -> None:
    """The widget's per-language files and the editor view's strings come from the same files."""
    manifest = json.loads((ROOT / "functions/kysy/static/widget/manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["languages"]) == sorted(i18n.codes())
    static = ROOT / "functions/kysy/static"
    for code, files in manifest["languages"].items():
        first = (static / "widget" / files["first_view"][1]).read_text(encoding="utf-8")
        assert json.dumps(i18n.strings(code, "widget")["title"], ensure_ascii=False) in first
        more = (static / "widget" / files["second_chunk"][0]).read_text(encoding="utf-8")
        assert json.dumps(i18n.strings(code, "widget")["send"], ensure_ascii=False) in more
    editor = (static / "editor" / "strings.js").read_text(encoding="utf-8")
    for code in i18n.codes():
        assert json.dumps(i18n.strings(code, "editor")["switchLang"], ensure_ascii=False) in editor
