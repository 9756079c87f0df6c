"""The innovation area's pages for researchers and partners. One blueprint (`blueprint.py`); the
modules below add their views to it. Importing them registers the routes."""

from __future__ import annotations

from . import (
    inventions,  # noqa: F401
    licences,  # noqa: F401
)
from .blueprint import bp

__all__ = ["bp"]
