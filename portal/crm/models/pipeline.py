"""CRM tables: the collaboration models (public, admin-managed), the acquisition pipeline's
prospects and every move of a prospect between stages."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db

if TYPE_CHECKING:
    from ...auth.models import User
    from ...membership.models import Tier
    from ...partners.models import Organisation

__all__ = [
    "MEMBERSHIP_SLUG",
    "CollaborationModel",
    "Prospect",
    "ProspectMove",
    "ProspectSource",
    "ProspectStage",
]

# The collaboration model that is membership of the programme: a won prospect of this model follows
# the organisation's real application and membership (portal.membership).
MEMBERSHIP_SLUG = "membership"


class ProspectStage(enum.Enum):
    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    MEETING = "meeting"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"

    @property
    def label(self) -> str:
        return str(
            {
                "identified": _l("Identified"),
                "contacted": _l("Contacted"),
                "meeting": _l("Meeting"),
                "proposal": _l("Proposal"),
                "negotiation": _l("Negotiation"),
                "won": _l("Won"),
                "lost": _l("Lost"),
            }[self.value]
        )

    @property
    def is_open(self) -> bool:
        return self not in (ProspectStage.WON, ProspectStage.LOST)


class ProspectSource(enum.Enum):
    ENQUIRY = "enquiry"  # the public enquiry form of a collaboration model
    STAFF = "staff"  # a company found by staff
    SIGNUP = "signup"  # an organisation that signed up but has no membership yet
    EVENT = "event"
    REFERRAL = "referral"

    @property
    def label(self) -> str:
        return str(
            {
                "enquiry": _l("Enquiry"),
                "staff": _l("Found by staff"),
                "signup": _l("Signed up"),
                "event": _l("Event"),
                "referral": _l("Referral"),
            }[self.value]
        )


class CollaborationModel(db.Model):
    """One way to work with the institution, shown at /collaborate/<slug> when published.
    `translations` holds {"fr": {"title": ..., "summary": ...}, "de": {...}}: a field missing there
    reads in English."""

    __tablename__ = "collaboration_model"
    __table_args__ = (sa.Index("ix_collaboration_model_order", "published", "display_order"),)

    TEXT_FIELDS = ("title", "summary", "suits", "duration", "cost", "partner_gets", "example")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    suits: Mapped[str] = mapped_column(sa.Text, default="")
    duration: Mapped[str] = mapped_column(sa.String(200), default="")
    cost: Mapped[str] = mapped_column(sa.String(200), default="")
    partner_gets: Mapped[str] = mapped_column(sa.Text, default="")
    example: Mapped[str] = mapped_column(sa.Text, default="")
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    display_order: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def text(self, name: str, language: str) -> str:
        """A text field in `language`, else in English."""
        local = (self.translations or {}).get(language) or {}
        return local.get(name) or getattr(self, name)

    @property
    def is_membership(self) -> bool:
        return self.slug == MEMBERSHIP_SLUG

    def __str__(self) -> str:
        return self.title


class Prospect(db.Model):
    """A company the programme would like to work with, from first sight to won or lost."""

    __tablename__ = "prospect"
    __table_args__ = (
        sa.Index("ix_prospect_stage_updated", "stage", "updated_at"),
        sa.Index("ix_prospect_next_action_on", "next_action_on"),
        sa.Index("ix_prospect_created_at", "created_at"),
        sa.Index("ix_prospect_updated_at", "updated_at"),
        sa.Index("ix_prospect_value", "expected_value_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)  # normalised company
    country: Mapped[str] = mapped_column(sa.String(2), default="")  # ISO 3166-1 alpha-2, or ""
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    interest: Mapped[str] = mapped_column(sa.String(200), default="")
    message: Mapped[str] = mapped_column(sa.Text, default="")
    stage: Mapped[ProspectStage] = mapped_column(
        enum_column(ProspectStage), default=ProspectStage.IDENTIFIED, index=True
    )
    lost_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    source: Mapped[ProspectSource] = mapped_column(
        enum_column(ProspectSource), default=ProspectSource.STAFF, index=True
    )
    model_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaboration_model.id", ondelete="SET NULL"), index=True
    )
    expected_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="SET NULL"))
    expected_value_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    next_action: Mapped[str] = mapped_column(sa.String(200), default="")
    next_action_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    model: Mapped[CollaborationModel | None] = relationship()
    expected_tier: Mapped[Tier | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    organisation: Mapped[Organisation | None] = relationship()
    moves: Mapped[list[ProspectMove]] = relationship(
        back_populates="prospect", cascade="all, delete-orphan", order_by="ProspectMove.id"
    )

    def next_action_overdue(self, today: date) -> bool:
        return self.stage.is_open and self.next_action_on is not None and self.next_action_on < today

    def __str__(self) -> str:
        return self.company


class ProspectMove(db.Model):
    """One change of a prospect's stage (the first row: its creation, from no stage)."""

    __tablename__ = "prospect_move"
    __table_args__ = (sa.Index("ix_prospect_move_prospect", "prospect_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_id: Mapped[int] = mapped_column(sa.ForeignKey("prospect.id", ondelete="CASCADE"))
    from_stage: Mapped[ProspectStage | None] = mapped_column(enum_column(ProspectStage))
    to_stage: Mapped[ProspectStage] = mapped_column(enum_column(ProspectStage), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    prospect: Mapped[Prospect] = relationship(back_populates="moves")
    actor: Mapped[User | None] = relationship()
