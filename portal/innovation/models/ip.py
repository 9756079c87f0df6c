"""IP records: patent families with their applications per office and country, software copyright
and know-how records, the deadlines staff marked as handled, and the reminders already sent.

Deadlines themselves are not stored: services/deadlines.py computes them from the dates here, so a
corrected filing date moves every deadline at once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db
from .disclosures import Disclosure

__all__ = [
    "ApplicationKind",
    "ApplicationStatus",
    "IpDeadlineDone",
    "IpRecord",
    "IpRecordKind",
    "IpReminderSent",
    "PatentApplication",
    "PatentFamily",
]


class ApplicationKind(enum.Enum):
    PRIORITY = "priority"  # the first filing (national or EP), the priority date
    PCT = "pct"  # international application under the PCT
    REGIONAL = "regional"  # EP, EA, ARIPO... not the first filing
    NATIONAL = "national"  # a national application or a PCT national phase entry

    @property
    def label(self) -> str:
        return {
            "priority": "Priority filing",
            "pct": "PCT international",
            "regional": "Regional",
            "national": "National / national phase",
        }[self.value]


class ApplicationStatus(enum.Enum):
    FILED = "filed"
    PUBLISHED = "published"
    GRANTED = "granted"
    NATIONAL_PHASE = "national_phase"  # a PCT application whose national phases were entered
    ABANDONED = "abandoned"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return {
            "filed": "Filed",
            "published": "Published",
            "granted": "Granted",
            "national_phase": "National phase entered",
            "abandoned": "Abandoned",
            "lapsed": "Lapsed",
        }[self.value]

    @property
    def is_alive(self) -> bool:
        return self not in (ApplicationStatus.ABANDONED, ApplicationStatus.LAPSED)


class PatentFamily(db.Model):
    """The applications that share one priority, with the officer responsible for their deadlines."""

    __tablename__ = "patent_family"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)  # the TTO's docket, PF-2026-03
    title: Mapped[str] = mapped_column(sa.String(200))
    disclosure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("disclosure.id", ondelete="SET NULL"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    disclosure: Mapped[Disclosure | None] = relationship()
    officer: Mapped[User | None] = relationship()
    applications: Mapped[list[PatentApplication]] = relationship(
        back_populates="family",
        order_by="(PatentApplication.filing_date, PatentApplication.id)",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def priority_date(self) -> date | None:
        dates = [a.priority_date or a.filing_date for a in self.applications if a.filing_date]
        return min(dates) if dates else None


class PatentApplication(db.Model):
    __tablename__ = "patent_application"
    __table_args__ = (sa.Index("ix_patent_application_filing", "filing_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("patent_family.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ApplicationKind] = mapped_column(enum_column(ApplicationKind))
    office: Mapped[str] = mapped_column(sa.String(10))  # EP, US, DE, WO (PCT), LU...
    country: Mapped[str] = mapped_column(sa.String(2), default="")  # ISO code, empty for EP / WO
    application_number: Mapped[str] = mapped_column(sa.String(40), default="")
    publication_number: Mapped[str] = mapped_column(sa.String(40), default="")
    filing_date: Mapped[date] = mapped_column(sa.Date)
    priority_date: Mapped[date | None] = mapped_column(sa.Date)  # the earliest priority claimed
    grant_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.FILED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    family: Mapped[PatentFamily] = relationship(back_populates="applications")

    def __str__(self) -> str:
        return f"{self.office} {self.application_number or '(number pending)'}"


class IpRecordKind(enum.Enum):
    SOFTWARE_COPYRIGHT = "software_copyright"
    KNOW_HOW = "know_how"

    @property
    def label(self) -> str:
        return {"software_copyright": "Software copyright", "know_how": "Know-how"}[self.value]


class IpRecord(db.Model):
    """Software copyright or know-how: no office, no deadlines; what it is, where it is kept."""

    __tablename__ = "ip_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IpRecordKind] = mapped_column(enum_column(IpRecordKind))
    disclosure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("disclosure.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    registration: Mapped[str] = mapped_column(sa.String(120), default="")  # deposit, repository, version
    record_date: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    disclosure: Mapped[Disclosure | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.label}: {self.title}"


class IpDeadlineDone(db.Model):
    """A computed deadline staff marked as handled (fee paid, phase entered, decided not to file)."""

    __tablename__ = "ip_deadline_done"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IpReminderSent(db.Model):
    """One reminder of one deadline at one threshold (90, 30 or 7 days): the unique key makes the
    reminder job send each exactly once however often it runs."""

    __tablename__ = "ip_reminder_sent"
    __table_args__ = (sa.UniqueConstraint("deadline_key", "days", name="uq_ip_reminder_sent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_key: Mapped[str] = mapped_column(sa.String(80))
    days: Mapped[int] = mapped_column()
    due: Mapped[date] = mapped_column(sa.Date)
    recipient: Mapped[str] = mapped_column(sa.String(254), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
