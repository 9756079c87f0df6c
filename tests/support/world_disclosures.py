"""The access world's innovation objects (disclosures): tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SAMPLES: dict[str, Callable[[Any, str], Any]] = {}


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object)."""
