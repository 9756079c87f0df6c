"""Invention disclosures: what researchers (or staff on their behalf) tell the TTO about an
invention, its inventors with their contribution shares, external co-inventors, attachments and the
staff assessment.

Shares are Decimal percentages with up to two decimals (33.33 + 33.33 + 33.34), stored as
NUMERIC(5, 2); directory and external shares together must make exactly 100 (services/disclosures.py).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...agreements.models import Agreement
from ...auth.models import User
from ...catalog.models import Researcher, Technology
from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db
from ...partners.models import Organisation

__all__ = [
    "RECOMMENDATION_LABELS",
    "URGENT_DAYS",
    "Assessment",
    "Disclosure",
    "DisclosureAttachment",
    "DisclosureInventor",
    "DisclosureSequence",
    "DisclosureStatus",
    "ExternalInventor",
    "Recommendation",
]


class DisclosureStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ASSESSED = "assessed"  # the TTO pursues it (patent, copyright / know-how or publication)
    RETURNED = "returned"  # returned to the inventors

    @property
    def label(self) -> str:
        return str(
            {
                "draft": _l("Draft"),
                "submitted": _l("Submitted"),
                "assessed": _l("Assessed"),
                "returned": _l("Returned to the inventors"),
            }[self.value]
        )


class Recommendation(enum.Enum):
    FILE_PATENT = "file_patent"
    COPYRIGHT_KNOW_HOW = "copyright_know_how"
    PUBLISH = "publish"
    RETURN = "return_to_inventors"

    @property
    def label(self) -> str:
        return str(RECOMMENDATION_LABELS[self.value])


RECOMMENDATION_LABELS = {
    "file_patent": _l("File a patent application"),
    "copyright_know_how": _l("Protect as copyright or know-how"),
    "publish": _l("Publish"),
    "return_to_inventors": _l("Return to the inventors"),
}


URGENT_DAYS = 60


class DisclosureSequence(db.Model):
    """The last disclosure number used in a year (D-2026-0007), allocated under a row lock."""

    __tablename__ = "disclosure_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Disclosure(db.Model):
    __tablename__ = "disclosure"
    __table_args__ = (
        sa.Index("ix_disclosure_status_submitted", "status", "submitted_at", "id"),
        sa.Index("ix_disclosure_planned_publication", "planned_publication_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    novelty: Mapped[str] = mapped_column(sa.Text, default="")
    public_funding: Mapped[str] = mapped_column(sa.Text, default="")  # grants, programmes, numbers
    partner_funding: Mapped[str] = mapped_column(sa.Text, default="")  # the researcher's words
    funding_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    funding_agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="SET NULL"), index=True
    )
    conception_date: Mapped[date | None] = mapped_column(sa.Date)
    first_disclosure_date: Mapped[date | None] = mapped_column(sa.Date)
    prior_publications: Mapped[str] = mapped_column(sa.Text, default="")
    planned_publications: Mapped[str] = mapped_column(sa.Text, default="")
    planned_publication_date: Mapped[date | None] = mapped_column(sa.Date)
    software_data: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[DisclosureStatus] = mapped_column(
        enum_column(DisclosureStatus), default=DisclosureStatus.DRAFT
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    technology_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("technology.id", ondelete="SET NULL"), unique=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    funding_organisation: Mapped[Organisation | None] = relationship()
    funding_agreement: Mapped[Agreement | None] = relationship()
    technology: Mapped[Technology | None] = relationship()
    inventors: Mapped[list[DisclosureInventor]] = relationship(
        back_populates="disclosure", order_by="DisclosureInventor.position", cascade="all, delete-orphan"
    )
    external_inventors: Mapped[list[ExternalInventor]] = relationship(
        back_populates="disclosure", order_by="ExternalInventor.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[DisclosureAttachment]] = relationship(
        back_populates="disclosure", order_by="DisclosureAttachment.id", cascade="all, delete-orphan"
    )
    assessment: Mapped[Assessment | None] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", uselist=False
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_urgent(self, today: date) -> bool:
        """A planned publication within 60 days (today included) while the TTO has not decided yet:
        a patent must be filed before it, or novelty is lost."""
        planned = self.planned_publication_date
        return (
            planned is not None
            and self.status in (DisclosureStatus.DRAFT, DisclosureStatus.SUBMITTED)
            and today <= planned
            and (planned - today).days <= URGENT_DAYS
        )


class DisclosureInventor(db.Model):
    """A directory researcher named as inventor, with their share; `confirmed_at` once they said yes."""

    __tablename__ = "disclosure_inventor"
    __table_args__ = (sa.UniqueConstraint("disclosure_id", "researcher_id", name="uq_disclosure_inventor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure.id", ondelete="CASCADE"))
    researcher_id: Mapped[int] = mapped_column(
        sa.ForeignKey("researcher.id", ondelete="RESTRICT"), index=True
    )
    share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    position: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="inventors")
    researcher: Mapped[Researcher] = relationship()


class ExternalInventor(db.Model):
    """A co-inventor outside the directory (another university, a company)."""

    __tablename__ = "disclosure_external_inventor"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    position: Mapped[int] = mapped_column(default=0)

    disclosure: Mapped[Disclosure] = relationship(back_populates="external_inventors")


class DisclosureAttachment(db.Model):
    """A file attached to a disclosure; the bytes live in core.storage under `storage_key`."""

    __tablename__ = "disclosure_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    disclosure: Mapped[Disclosure] = relationship(back_populates="attachments")


class Assessment(db.Model):
    """The staff assessment of a submitted disclosure: five scores from 1 to 5 and a recommendation."""

    __tablename__ = "disclosure_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("disclosure.id", ondelete="CASCADE"), unique=True
    )
    novelty: Mapped[int] = mapped_column()
    inventive_step: Mapped[int] = mapped_column()
    market: Mapped[int] = mapped_column()
    ip_strength: Mapped[int] = mapped_column()
    team: Mapped[int] = mapped_column()
    recommendation: Mapped[Recommendation] = mapped_column(enum_column(Recommendation))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # shown to the inventors
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    disclosure: Mapped[Disclosure] = relationship(back_populates="assessment")
    assessed_by: Mapped[User | None] = relationship()

    @property
    def total(self) -> int:
        return self.novelty + self.inventive_step + self.market + self.ip_strength + self.team
