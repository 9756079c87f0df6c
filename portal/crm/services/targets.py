"""Programme targets: admins set them, the dashboard measures the programme against them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from ..models.targets import ProgrammeTarget, TargetMetric

MAX_VALUE = 1_000_000


def _check(metric: TargetMetric, baseline: int, target: int, baseline_on: date, target_on: date) -> None:
    if target_on <= baseline_on:
        raise DomainError(_("The target date must come after the baseline date."), "target_on")
    for name, value in (("baseline_value", baseline), ("target_value", target)):
        if value < 0 or value > MAX_VALUE:
            raise DomainError(_("Enter a whole number from 0 to 1,000,000."), name)
        if metric.is_percent and value > 100:
            raise DomainError(_("A share is a percentage from 0 to 100."), name)


def save_target(actor: User, target: ProgrammeTarget | None, values: dict[str, Any]) -> ProgrammeTarget:
    """Create (target None) or change a target; audited. The caller commits."""
    metric = TargetMetric(values["metric"])
    _check(
        metric, values["baseline_value"], values["target_value"], values["baseline_on"], values["target_on"]
    )
    created = target is None
    if target is None:
        target = ProgrammeTarget(created_by_id=actor.id)
        db.session.add(target)
    before = (
        {}
        if created
        else {
            "baseline_value": target.baseline_value,
            "target_value": target.target_value,
            "target_on": target.target_on.isoformat(),
        }
    )
    target.metric = metric
    target.label = (values.get("label") or "").strip()
    target.baseline_value = values["baseline_value"]
    target.baseline_on = values["baseline_on"]
    target.target_value = values["target_value"]
    target.target_on = values["target_on"]
    db.session.flush()
    audit.record(
        "kpi.target_created" if created else "kpi.target_changed",
        actor=actor,
        target=target,
        metric=metric.value,
        baseline=target.baseline_value,
        value=target.target_value,
        by=target.target_on.isoformat(),
        **({"before": before} if before else {}),
    )
    return target


def delete_target(actor: User, target: ProgrammeTarget) -> None:
    audit.record("kpi.target_deleted", actor=actor, target=target, metric=target.metric.value)
    db.session.delete(target)
    db.session.flush()
