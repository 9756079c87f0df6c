"""The one place that turns HTML into PDF (WeasyPrint), locked down.

Templates get plain values only (no ORM objects, so nothing lazy-loads or leaks), Flask's
autoescaping environment renders them, and WeasyPrint's URL fetcher serves files under
`portal/static/pdf/` and refuses everything else: no `file:` outside that folder, no network,
no `data:`, no redirects. A refused resource is simply left out of the document.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import render_template

log = logging.getLogger("liaison.pdf")

ASSETS = (Path(__file__).resolve().parent.parent / "static" / "pdf").resolve()
PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal)


class RefusedResource(Exception):
    pass


@cache
def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint (about a second to import and tens of MB) is loaded when the first PDF is made,
    not when a worker starts: most requests never make one."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedFetcher(URLFetcher):
        """Serves only regular files inside ASSETS."""

        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                log.warning("PDF resource refused: %s", url[:200])
                raise RefusedResource(url)
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(ASSETS) or not path.is_file():
                log.warning("PDF resource refused: %s", url[:200])
                raise RefusedResource(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return HTML, LockedFetcher


def locked_fetcher() -> Any:
    """The URL fetcher every PDF uses (files under ASSETS only)."""
    return _weasyprint()[1]()


def _check_plain(value: Any, where: str = "context") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
    elif not isinstance(value, PLAIN):
        raise TypeError(f"PDF templates take plain values; {where} is a {type(value).__name__}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render `templates/pdf/<template>` with plain values to PDF bytes."""
    _check_plain(context)
    html = render_template(f"pdf/{template}", **context)
    HTML, LockedFetcher = _weasyprint()
    return HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=LockedFetcher()).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
