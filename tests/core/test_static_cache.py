"""Issue 15, point 4: static assets have fingerprinted URLs and are cached for a year as immutable;
a changed file gets a new URL; pages themselves stay `no-store`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..support.browser import Browser

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"


def test_static_links_carry_the_files_content_hash_and_are_cached_for_a_year(app):
    browser = Browser(app)
    page = browser.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    links = re.findall(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]{12}))"', page.get_data(as_text=True))
    assert {"css/portal.css", "js/site.js"} <= {name for _, name, _ in links}
    for url, name, version in links:
        assert version == hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12], name
        response = browser.get(url)
        response.close()  # a file response: its handle is closed here
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache, cache


def test_a_static_url_without_its_fingerprint_is_not_cached_as_immutable(app):
    response = Browser(app).get("/static/css/portal.css")
    response.close()
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
