"""The locked PDF renderer: only files under static/pdf reach WeasyPrint, and only plain values
reach the templates."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from portal.core import pdf

from ..support.context import app_context
from ..support.factories import make_organisation

CANARY = "CANARY-7c1e5d-never-in-a-pdf"


def render(html: str) -> bytes:
    return HTML(string=html, base_url=pdf.ASSETS.as_uri() + "/", url_fetcher=pdf.locked_fetcher()).write_pdf()


def pdf_bytes_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(CANARY)
    css = tmp_path / "evil.css"
    css.write_text(f'body::after {{ content: "{CANARY}"; }}')
    return path, css


def test_the_fetcher_refuses_everything_outside_static_pdf(canary, caplog):
    secret, css = canary
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{css.as_uri()}">
      <link rel="stylesheet" href="http://127.0.0.1:9/evil.css">
      <link rel="attachment" href="{secret.as_uri()}">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url("{css.as_uri()}"); @import url("https://example.com/x.css");</style>
    </head><body><p>Visible text</p>
      <img src="{secret.as_uri()}"><img src="../../../../etc/passwd">
      <object data="{secret.as_uri()}"></object>
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="liaison.pdf"):
        data = render(html)
    assert "Visible text" in pdf_bytes_text(data)
    assert CANARY.encode() not in data and CANARY not in pdf_bytes_text(data)
    assert b"root:x:0:0" not in data and b"/EmbeddedFile" not in data
    refused = caplog.text
    for url in (secret.as_uri(), css.as_uri(), "http://127.0.0.1:9/evil.css", "file:///etc/passwd"):
        assert url in refused


def test_the_fetcher_serves_the_print_stylesheet_and_logo():
    fetcher = pdf.locked_fetcher()
    response = fetcher.fetch((pdf.ASSETS / "print.css").as_uri())
    assert response.headers["Content-Type"] == "text/css"
    with pytest.raises(pdf.RefusedResource):
        fetcher.fetch(
            (pdf.ASSETS / ".." / "css" / "portal.css").as_uri()
        )  # a static file, but not a PDF asset


def test_templates_take_plain_values_only(app, ctx):
    with app_context(app), pytest.raises(TypeError, match="plain values"):
        pdf.render_pdf("invoice.html", {"buyer": {"organisation": make_organisation()}})
