"""Panels that scroll on their own take the keyboard focus (WCAG 2.1.1; axe's
scrollable-region-focusable): tabindex="0", role="region" and a name from the heading they carry
(aria-labelledby, no new string). The real proof is scripts/a11y_check.sh; this catches a template
edit that drops the attributes without a browser."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"

# template -> the class of the element that scrolls with nothing focusable inside
SCROLLING = {
    "admin/agreements/agreement_template.html": "fields-reference",  # "Fields you can use"
    "agreements/detail.html": "agreement-text",  # the agreement's terms before signing
    "membership/overview.html": "table-card",  # invoices: a cancelled one has no link; scrolls at 390 px
}


def opening_tag(source: str, css_class: str) -> str:
    match = re.search(r'<div\b[^>]*class="[^"]*\b' + re.escape(css_class) + r'\b[^"]*"[^>]*>', source)
    assert match, f"no <div class=...{css_class}...>"
    return match.group(0)


def test_scrolling_panels_are_focusable_regions_named_by_their_heading():
    for name, css_class in SCROLLING.items():
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        tag = opening_tag(source, css_class)
        assert 'tabindex="0"' in tag, f"{name}: {tag}"
        assert 'role="region"' in tag, f"{name}: {tag}"
        label = re.search(r'aria-labelledby="([^"]+)"', tag)
        assert label, f"{name}: {tag} has no aria-labelledby"
        assert re.search(r'<h[1-6]\b[^>]*\bid="' + re.escape(label.group(1)) + '"', source), (
            f"{name}: no heading with id={label.group(1)!r}"
        )
