"""The access world's CRM objects for the kpis routes (tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

SAMPLES: dict[str, Callable[[Any, str], Any]] = {
    "kpi_table": lambda w, endpoint: "summary",
    "kpi_target_id": lambda w, endpoint: w.crm["kpi_target"].id,
    "report_year": lambda w, endpoint: date.today().year,
}


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object)."""
    from portal.crm.models.targets import ProgrammeTarget, TargetMetric
    from portal.extensions import db

    target = ProgrammeTarget(
        metric=TargetMetric.PARTNERSHIPS,
        label="Programme plan",
        baseline_value=35,
        baseline_on=date(2025, 1, 1),
        target_value=70,
        target_on=date(2027, 12, 31),
    )
    db.session.add(target)
    db.session.flush()
    world.crm["kpi_target"] = target
