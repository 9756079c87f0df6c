"""The catalog's pages. One blueprint (`blueprint.py`); the modules below add their views to it:
`listing` (search and the listing page), `files` (the public image, dossier downloads),
`interest` (a partner's licensing interest), `marketing` (the brief PDF, the Atom feed, the
sitemap) and `saved` (saved searches and the digest's unsubscribe link). Importing them registers
the routes."""

from __future__ import annotations

from . import files, interest, listing, marketing, saved  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
