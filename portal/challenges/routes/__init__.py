"""The challenges' pages. One blueprint (`blueprint.py`); the modules below add their views to it:
`partner` (/challenges: a partner's challenges), `research` (/research: researchers). Importing
them registers the routes."""

from __future__ import annotations

from . import partner, research  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
