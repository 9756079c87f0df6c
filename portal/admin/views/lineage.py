"""Console pages of the lineage of a technology and of a licence (issue 14, item 7)."""

from __future__ import annotations
