"""Console pages: kpis (issue 13)."""

from __future__ import annotations
