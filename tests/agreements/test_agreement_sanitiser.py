"""Issue 9, point 13: the agreement-text allow-list holds whatever parser trick a text uses. The check
refuses comments and other constructs on which parsers disagree (`<!-->` is a whole comment to HTML5
but opens one for Python's HTMLParser), and the body is rebuilt by an HTML5 parser from the
allow-list alone before WeasyPrint reads it: real PDFs, read with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.agreements import rendering

INFO = {"title": "T", "version": 1, "language": "en", "effective_on": "today"}
# Each hides a link and an inline style from Python's HTMLParser but not from an HTML5 parser.
SMUGGLED = [
    '<p>Intro</p><!--><a href="https://evil.example/pay">Pay here</a>'
    '<p style="font-size:40pt;color:red">Big</p><!-- -->',
    '<p>Intro</p><!---><a href="https://evil.example/pay">Pay here</a><!-- -->',
    '<p>Intro</p><![CDATA[ ]]><a href="https://evil.example/pay">Pay here</a>',
    '<p>Intro</p><?php ?><a href="https://evil.example/pay">Pay here</a>',
    '<p>Intro</p><svg><a href="https://evil.example/pay"><text>Pay here</text></a></svg>',
]


def link_targets(data: bytes) -> list[str]:
    targets = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            targets.append(str(action.get("/URI", "")))
    return targets


@pytest.mark.parametrize("body", SMUGGLED)
def test_constructs_that_parsers_read_differently_are_refused_with_a_message(body):
    with pytest.raises(rendering.TemplateProblem) as refused:
        rendering.render_body(body, rendering.sample_params())
    assert "Not allowed in an agreement text" in refused.value.message


@pytest.mark.parametrize("body", SMUGGLED)
def test_were_such_a_text_stored_no_link_or_style_reaches_the_pdf(app, ctx, monkeypatch, body):
    # A text that got past the check (stored before it existed, or by hand) is still rebuilt.
    monkeypatch.setattr(rendering, "check_markup", lambda html: None)
    sanitised = str(rendering.render_body(body, rendering.sample_params()))
    assert "<a" not in sanitised and "style=" not in sanitised and "<svg" not in sanitised
    assert "Intro" in sanitised
    data = rendering.render_document(body, rendering.sample_params(), INFO)
    assert link_targets(data) == []
    assert b"evil.example" not in data


def test_the_same_text_unsanitised_would_have_made_a_link(app, ctx, monkeypatch):
    """The regression this guards: without the rebuild, WeasyPrint turns the smuggled tag into a link."""
    monkeypatch.setattr(rendering, "check_markup", lambda html: None)
    monkeypatch.setattr(rendering, "sanitise", lambda html: html)
    data = rendering.render_document(SMUGGLED[0], rendering.sample_params(), INFO)
    assert link_targets(data) == ["https://evil.example/pay"]


def test_allowed_markup_comes_through_unchanged_in_meaning():
    body = (
        '<h2 class="clause">1. Scope</h2><p>Text <strong>bold</strong> <em>it</em><br>next</p>'
        '<table><tbody><tr><td colspan="2" class="x">cell</td></tr></tbody></table><ol><li>one</li></ol>'
    )
    assert str(rendering.render_body(body, rendering.sample_params())) == body
