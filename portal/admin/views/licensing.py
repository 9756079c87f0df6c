"""Console pages of licences and spin-offs (issue 14)."""

from __future__ import annotations
