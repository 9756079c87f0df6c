"""Layout rules a phone depends on (issue 10, point 18): tables scroll inside their card instead of
being cut off. Checked against the stylesheet the pages load after Bootstrap, where a later
`overflow: hidden` on `.table-card` silently beat `.table-responsive` and hid the Status and PDF
columns of agreements and invoices at 390 px."""

from __future__ import annotations

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "portal" / "static" / "css" / "portal.css"
TEMPLATES = STYLESHEET.parents[2] / "templates"


def rules_for(selector: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if any(s.strip() == selector for s in selectors.split(",")):
            found.append(body)
    return found


def test_table_cards_scroll_sideways_and_never_hide_their_overflow():
    bodies = rules_for(".table-card")
    assert bodies, ".table-card has no rule"
    declarations = " ".join(bodies)
    assert not re.search(r"overflow(-x)?\s*:\s*hidden", declarations)
    assert re.search(r"overflow(-x)?\s*:\s*auto", declarations)
    # Positioned: a visually-hidden label (position: absolute) inside the table otherwise escapes the
    # scrolling card and widens the whole page on a phone (found at 390 px on /membership).
    assert re.search(r"position\s*:\s*relative", declarations)
    assert re.search(r"position\s*:\s*relative", " ".join(rules_for(".table-responsive")))


def test_every_partner_table_sits_in_a_scrolling_container():
    for template in TEMPLATES.rglob("*.html"):
        if "admin" in template.parts or "pdf" in template.parts or "emails" in template.parts:
            continue
        source = template.read_text()
        for match in re.finditer(r"<table\b", source):
            before = source[: match.start()]
            opened = before.rfind("<div")
            container = before[opened : before.find(">", opened) + 1] if opened >= 0 else ""
            assert "table-card" in container or "table-responsive" in container, (
                f"{template.relative_to(TEMPLATES)}: a table outside a scrolling container"
            )
