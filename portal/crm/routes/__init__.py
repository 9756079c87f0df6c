"""The CRM's public pages (/collaborate). One blueprint (`blueprint.py`); the modules below add
their views to it. Importing them registers the routes."""

from __future__ import annotations

from . import (
    calendar,  # noqa: F401  (the staff task feed: /calendar/<token>.ics)
    collaborate,  # noqa: F401
)
from .blueprint import bp

__all__ = ["bp"]
