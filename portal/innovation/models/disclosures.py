"""Innovation tables: disclosures."""

from __future__ import annotations

__all__: list[str] = []
