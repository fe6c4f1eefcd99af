"""Every default colour pair of the widget meets WCAG AA (4.5:1) in the light and the dark theme.

The defaults are read from the widget's CSS (widget/src/kysy.css, more.css): the light theme's
``var(--kysy-x, #default)`` and the dark theme's ``var(--kysy-dark-x, #default)``. axe-core checks what
is on screen in the browser tests; this checks every pair, including states not on screen there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "widget" / "src" / "kysy.css").read_text(encoding="utf-8") + (
    ROOT / "widget" / "src" / "more.css"
).read_text(encoding="utf-8")
# (text, background) pairs the widget draws: body text, secondary text, links/buttons on the background,
# button text on the accent (primary and pressed buttons), states, text on search highlights.
PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("accent", "bg"),
    ("bg", "accent"),
    ("error", "bg"),
    ("ok", "bg"),
    ("fg", "mark"),
]


def defaults(prefix: str) -> dict[str, str]:
    return dict(re.findall(rf"var\(--{prefix}([a-z]+),\s*(#[0-9a-f]{{3,6}})\)", CSS))


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("theme", ["kysy-", "kysy-dark-"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_default_colours_meet_wcag_aa(theme: str, text: str, background: str) -> None:
    colours = defaults(theme)
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{theme}{text} on {theme}{background}: {ratio:.2f}:1"


def test_contrast_formula() -> None:
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#777", "#fff"), 2) == 4.48
