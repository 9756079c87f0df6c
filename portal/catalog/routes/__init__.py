"""The catalog's pages. One blueprint (`blueprint.py`); the modules below add their views to it:
`listing` (search and the listing page), `saved` (saved searches and the digest's unsubscribe
link). Importing them registers the routes."""

from __future__ import annotations

from . import listing, saved  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
