"""CRM tables: programme targets, what the KPI dashboard measures the programme against.

A target says "from `baseline_value` on `baseline_on` to `target_value` by `target_on`" for one
metric (active partnerships, share of international partners in percent, countries with a
partner). Admins manage them on a console page; the dashboard draws each one as a progress bar
with the straight-line trajectory between the two dates ("expected by now")."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...core.models import AuditEvent
from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db

__all__ = ["ProgrammeTarget", "TargetMetric"]


class TargetMetric(enum.Enum):
    PARTNERSHIPS = "partnerships"
    INTERNATIONAL_SHARE = "international_share"
    COUNTRIES = "countries"

    @property
    def label(self) -> str:
        return str(
            {
                "partnerships": _l("Active partnerships"),
                "international_share": _l("Share of international partners (%)"),
                "countries": _l("Countries with a partner"),
            }[self.value]
        )

    @property
    def is_percent(self) -> bool:
        return self is TargetMetric.INTERNATIONAL_SHARE


class ProgrammeTarget(db.Model):
    __tablename__ = "programme_target"
    __table_args__ = (sa.Index("ix_programme_target_metric_target_on", "metric", "target_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[TargetMetric] = mapped_column(enum_column(TargetMetric))
    label: Mapped[str] = mapped_column(sa.String(120), default="")  # e.g. "Programme 2027"
    baseline_value: Mapped[int] = mapped_column()
    baseline_on: Mapped[date] = mapped_column(sa.Date)
    target_value: Mapped[int] = mapped_column()
    target_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.metric.label} ({self.label})" if self.label else self.metric.label


# The KPIs read each organisation's first activation from the audit trail (`kpis._first_activation`:
# the `membership.activated` rows grouped by organisation, MIN(created_at)); this index answers it
# from the index alone, without reading 100,000 audit rows' details. Declared here, with the CRM's
# migration, because the KPIs are its only reader.
AUDIT_ACTIVATION_INDEX = sa.Index(
    "ix_audit_event_action_organisation_created",
    AuditEvent.action,
    AuditEvent.organisation_id,
    AuditEvent.created_at,
)
