"""Absolute links built from ``BASE_URL`` with an application context only.

Emails, PDFs and CLI jobs need absolute URLs, and must never take them from a request's Host
header. ``link("agreements.detail", agreement_id=7)`` works the same inside a request, in a CLI
command and in a test, without a fake request context.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def link(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` on the configured BASE_URL."""
    app = current_app
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
