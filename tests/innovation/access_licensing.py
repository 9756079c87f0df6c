"""Access policies of the innovation routes (licensing), merged into tests/core/test_access_matrix.py's
POLICY and ALLOWED_POST (same meanings)."""

from __future__ import annotations

POLICY: dict[str, str] = {}
ALLOWED_POST: dict[str, tuple[int, str | None]] = {}
