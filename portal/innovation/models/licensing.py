"""Innovation tables: licensing. Licences (from an executed term sheet or entered by staff) with
their milestones, their reporting duties (the schedule made from a frequency) and the reminders
sent for them; spin-offs with their founders and funding rounds.

Money is integer cents with the licence's (or the round's) ISO 4217 currency; the royalty rate
and the equity held are decimal percents. `patent_family_id` names a patent family of the IP
records (models/ip.py) when the licence covers one."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...agreements.models import Agreement
from ...auth.models import User
from ...catalog.models import Lead, Researcher, Technology
from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db
from ...partners.models import Organisation

__all__ = [
    "Exclusivity",
    "FundingRound",
    "Licence",
    "LicenceMilestone",
    "LicenceReminder",
    "LicenceReport",
    "LicenceStatus",
    "ReportFrequency",
    "ReportStatus",
    "SpinOff",
    "SpinOffStatus",
    "spin_off_founder",
]

CURRENCIES = ("EUR", "CHF", "USD", "GBP", "JPY", "NOK", "SEK", "DKK")


def percent_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


class LicenceStatus(enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    TERMINATED = "terminated"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(LICENCE_STATUS_LABELS[self.value])


LICENCE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "active": _l("Active"),
    "terminated": _l("Terminated"),
    "expired": _l("Expired"),
}


class Exclusivity(enum.Enum):
    EXCLUSIVE = "exclusive"
    SOLE = "sole"
    NON_EXCLUSIVE = "non_exclusive"

    @property
    def label(self) -> str:
        return str(
            {
                "exclusive": _l("Exclusive"),
                "sole": _l("Sole"),
                "non_exclusive": _l("Non-exclusive"),
            }[self.value]
        )


class ReportFrequency(enum.Enum):
    """How often the licensee reports (royalty reports); the value's months make the schedule."""

    NONE = "none"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"none": 0, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]

    @property
    def label(self) -> str:
        return str(
            {
                "none": _l("No reports"),
                "quarterly": _l("Every 3 months"),
                "half_yearly": _l("Every 6 months"),
                "yearly": _l("Every year"),
            }[self.value]
        )


class ReportStatus(enum.Enum):
    DUE = "due"
    SUBMITTED = "submitted"  # the licensee says it is sent
    RECEIVED = "received"  # staff have it

    @property
    def label(self) -> str:
        return str({"due": _l("Due"), "submitted": _l("Submitted"), "received": _l("Received")}[self.value])


class Licence(db.Model):
    __tablename__ = "licence"
    __table_args__ = (
        sa.Index("ix_licence_status_created", "status", "created_at", "id"),
        sa.Index("ix_licence_organisation_status", "organisation_id", "status"),
        sa.Index("ix_licence_technology", "technology_id"),
        sa.Index("ix_licence_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"))
    technology_id: Mapped[int] = mapped_column(sa.ForeignKey("technology.id", ondelete="RESTRICT"))
    # One licence per executed term sheet (the unique key makes "Record the licence" idempotent).
    term_sheet_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="SET NULL"), unique=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("licensing_lead.id", ondelete="SET NULL"), index=True
    )
    ip_rights: Mapped[str] = mapped_column(sa.Text, default="")
    patent_family_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("patent_family.id", ondelete="SET NULL"), index=True
    )
    field_of_use: Mapped[str] = mapped_column(sa.String(200), default="")
    territory: Mapped[str] = mapped_column(sa.String(200), default="")
    exclusivity: Mapped[Exclusivity] = mapped_column(
        enum_column(Exclusivity), default=Exclusivity.NON_EXCLUSIVE
    )
    start_on: Mapped[date] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    upfront_fee_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    royalty_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 3))  # percent, 3.500 = 3.5 %
    minimum_annual_royalty_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    report_frequency: Mapped[ReportFrequency] = mapped_column(
        enum_column(ReportFrequency), default=ReportFrequency.HALF_YEARLY
    )
    status: Mapped[LicenceStatus] = mapped_column(enum_column(LicenceStatus), default=LicenceStatus.DRAFT)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    technology: Mapped[Technology] = relationship()
    term_sheet: Mapped[Agreement | None] = relationship()
    lead: Mapped[Lead | None] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    milestones: Mapped[list[LicenceMilestone]] = relationship(
        back_populates="licence",
        order_by="(LicenceMilestone.due_on, LicenceMilestone.id)",
        cascade="all, delete-orphan",
    )
    reports: Mapped[list[LicenceReport]] = relationship(
        back_populates="licence", order_by="LicenceReport.due_on", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        return f"LIC-{self.id:05d}"

    @property
    def royalty_percent(self) -> str:
        """The royalty rate as written: "3.5" for 3.500 (empty when there is none)."""
        return percent_text(self.royalty_rate)

    def __str__(self) -> str:
        return self.reference


class LicenceMilestone(db.Model):
    __tablename__ = "licence_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(sa.ForeignKey("licence.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(300))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    due_on: Mapped[date | None] = mapped_column(sa.Date)

    licence: Mapped[Licence] = relationship(back_populates="milestones")

    def __str__(self) -> str:
        return self.description


class LicenceReport(db.Model):
    """One reporting duty of a licence: the period it covers and the day it is due."""

    __tablename__ = "licence_report"
    __table_args__ = (
        sa.UniqueConstraint("licence_id", "due_on", name="uq_licence_report_due"),
        sa.Index("ix_licence_report_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(sa.ForeignKey("licence.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DUE)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    licence: Mapped[Licence] = relationship(back_populates="reports")

    def __str__(self) -> str:
        return f"report due {self.due_on.isoformat()}"

    @property
    def open(self) -> bool:
        return self.status is not ReportStatus.RECEIVED


class LicenceReminder(db.Model):
    """One row per reminder of a report: the unique key makes each send happen once, however often
    and however concurrently `send-licence-reminders` runs."""

    __tablename__ = "licence_reminder"
    __table_args__ = (sa.UniqueConstraint("report_id", "days_before", name="uq_licence_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("licence_report.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column()
    sent: Mapped[bool] = mapped_column(default=True)  # False: skipped, a nearer one was due
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpinOffStatus(enum.Enum):
    PLANNED = "planned"
    INCORPORATED = "incorporated"
    ACTIVE = "active"
    ACQUIRED = "acquired"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(
            {
                "planned": _l("Planned"),
                "incorporated": _l("Incorporated"),
                "active": _l("Active"),
                "acquired": _l("Acquired"),
                "closed": _l("Closed"),
            }[self.value]
        )


spin_off_founder = sa.Table(
    "spin_off_founder",
    db.metadata,
    sa.Column("spin_off_id", sa.ForeignKey("spin_off.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("researcher_id", sa.ForeignKey("researcher.id", ondelete="RESTRICT"), primary_key=True),
    sa.Index("ix_spin_off_founder_researcher", "researcher_id"),
)


class SpinOff(db.Model):
    __tablename__ = "spin_off"
    __table_args__ = (
        sa.Index("ix_spin_off_status_name", "status", "name"),
        sa.Index("ix_spin_off_technology", "technology_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    incorporated_on: Mapped[date | None] = mapped_column(sa.Date)
    licence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("licence.id", ondelete="SET NULL"), index=True
    )
    # The technology it builds on (the licence's when there is one): the lineage reads it.
    technology_id: Mapped[int | None] = mapped_column(sa.ForeignKey("technology.id", ondelete="SET NULL"))
    equity_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    support: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[SpinOffStatus] = mapped_column(enum_column(SpinOffStatus), default=SpinOffStatus.PLANNED)
    # The partner organisation the spin-off became (or was linked to).
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    founders: Mapped[list[Researcher]] = relationship(secondary=spin_off_founder, order_by=Researcher.name)
    licence: Mapped[Licence | None] = relationship()
    technology: Mapped[Technology | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    rounds: Mapped[list[FundingRound]] = relationship(
        back_populates="spin_off",
        order_by="(FundingRound.closed_on, FundingRound.id)",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def equity_text(self) -> str:
        return percent_text(self.equity_percent)


class FundingRound(db.Model):
    __tablename__ = "spin_off_funding_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    spin_off_id: Mapped[int] = mapped_column(sa.ForeignKey("spin_off.id", ondelete="CASCADE"), index=True)
    closed_on: Mapped[date] = mapped_column(sa.Date)
    round: Mapped[str] = mapped_column(sa.String(80))  # "Seed", "Series A"
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    investors: Mapped[str] = mapped_column(sa.Text, default="")

    spin_off: Mapped[SpinOff] = relationship(back_populates="rounds")

    def __str__(self) -> str:
        return self.round
