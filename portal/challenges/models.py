"""Challenges and what hangs off them: shares with researchers, the conversation (with staff-only
internal notes), the timeline of events, proposals from matching, researchers' answers and
attachments.

What may be seen by whom (services/access.py): the organisation's users and staff see the whole
challenge; a researcher it is shared with sees the challenge (never internal notes, proposals or
other researchers' answers); for an open call, researchers see only the anonymised teaser, the
call summary staff wrote, the domain, target TRL and collaboration kind.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..catalog.models import Domain, Lead, Researcher, Technology
from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db
from ..partners.models import Organisation


class ChallengeStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    MATCHING = "matching"
    PROPOSAL = "proposal"
    IN_PROJECT = "in_project"
    CLOSED = "closed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])

    @property
    def is_open(self) -> bool:
        """Counts against the tier's open-challenge limit."""
        return self in OPEN_STATUSES


STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "screening": _l("Screening"),
    "matching": _l("Matching"),
    "proposal": _l("Proposal"),
    "in_project": _l("In project"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}

OPEN_STATUSES = (
    ChallengeStatus.SUBMITTED,
    ChallengeStatus.SCREENING,
    ChallengeStatus.MATCHING,
    ChallengeStatus.PROPOSAL,
)


class BudgetBand(enum.Enum):
    UNDER_25K = "under_25k"
    FROM_25K = "25k_100k"
    FROM_100K = "100k_250k"
    OVER_250K = "over_250k"
    OPEN = "open"

    @property
    def label(self) -> str:
        return str(
            {
                "under_25k": _l("Under €25,000"),
                "25k_100k": _l("€25,000 to €100,000"),
                "100k_250k": _l("€100,000 to €250,000"),
                "over_250k": _l("Over €250,000"),
                "open": _l("Not decided yet"),
            }[self.value]
        )


class Collaboration(enum.Enum):
    CONTRACT_RESEARCH = "contract_research"
    JOINT_PROJECT = "joint_project"
    FELLOWSHIP = "fellowship"
    LICENCE = "licence"
    CONSULTANCY = "consultancy"

    @property
    def label(self) -> str:
        return str(
            {
                "contract_research": _l("Contract research"),
                "joint_project": _l("Joint research project"),
                "fellowship": _l("Industrial fellowship or PhD"),
                "licence": _l("Licence of an existing technology"),
                "consultancy": _l("Consultancy"),
            }[self.value]
        )


class Confidentiality(enum.Enum):
    TTO_ONLY = "tto_only"
    NAMED_RESEARCHERS = "named_researchers"
    OPEN_CALL = "open_call"

    @property
    def label(self) -> str:
        return str(
            {
                "tto_only": _l("Technology Transfer Office only"),
                "named_researchers": _l("Shared with named researchers"),
                "open_call": _l("Open call to researchers (anonymised)"),
            }[self.value]
        )


class ProposalKind(enum.Enum):
    TECHNOLOGY = "technology"
    RESEARCHER = "researcher"


class ProposalStatus(enum.Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(
            {
                "proposed": _l("Awaiting your answer"),
                "accepted": _l("Interested"),
                "declined": _l("Not relevant"),
            }[self.value]
        )


class ChallengeSequence(db.Model):
    """The last challenge number used in a year (C-2026-0007), allocated under a row lock."""

    __tablename__ = "challenge_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Challenge(db.Model):
    __tablename__ = "challenge"
    __table_args__ = (
        sa.Index("ix_challenge_status_submitted", "status", "submitted_at", "id"),
        sa.Index("ix_challenge_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    desired_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    approaches_tried: Mapped[str] = mapped_column(sa.Text, default="")
    constraints: Mapped[str] = mapped_column(sa.Text, default="")
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalog_domain.id", ondelete="SET NULL"))
    target_trl: Mapped[int | None] = mapped_column()
    timeline: Mapped[str] = mapped_column(sa.String(200), default="")
    budget_band: Mapped[BudgetBand | None] = mapped_column(enum_column(BudgetBand))
    collaboration: Mapped[Collaboration | None] = mapped_column(enum_column(Collaboration))
    contacts: Mapped[str] = mapped_column(sa.String(1000), default="")
    confidentiality: Mapped[Confidentiality] = mapped_column(
        enum_column(Confidentiality), default=Confidentiality.TTO_ONLY
    )
    teaser: Mapped[str] = mapped_column(sa.String(300), default="")  # "A Luxembourg FinTech company"
    call_summary: Mapped[str] = mapped_column(sa.Text, default="")  # staff-written, for open calls
    status: Mapped[ChallengeStatus] = mapped_column(
        enum_column(ChallengeStatus), default=ChallengeStatus.DRAFT
    )
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    domain: Mapped[Domain | None] = relationship()
    shares: Mapped[list[ChallengeShare]] = relationship(
        back_populates="challenge", order_by="ChallengeShare.id", cascade="all, delete-orphan"
    )
    messages: Mapped[list[ChallengeMessage]] = relationship(
        back_populates="challenge", order_by="ChallengeMessage.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ChallengeEvent]] = relationship(
        back_populates="challenge", order_by="ChallengeEvent.id", cascade="all, delete-orphan"
    )
    proposals: Mapped[list[ChallengeProposal]] = relationship(
        back_populates="challenge", order_by="ChallengeProposal.id", cascade="all, delete-orphan"
    )
    answers: Mapped[list[ResearcherAnswer]] = relationship(
        back_populates="challenge", order_by="ResearcherAnswer.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ChallengeAttachment]] = relationship(
        back_populates="challenge", order_by="ChallengeAttachment.id", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def match_text(self) -> str:
        """What matching reads: the title, the problem, the desired outcome and the constraints."""
        return "\n".join((self.title, self.problem, self.desired_outcome, self.constraints))


class ChallengeShare(db.Model):
    """A challenge shared with one researcher of the directory (confidentiality "named researchers")."""

    __tablename__ = "challenge_share"
    __table_args__ = (sa.UniqueConstraint("challenge_id", "researcher_id", name="uq_challenge_share"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"))
    researcher_id: Mapped[int] = mapped_column(sa.ForeignKey("researcher.id", ondelete="CASCADE"), index=True)
    shared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="shares")
    researcher: Mapped[Researcher] = relationship()


class ChallengeMessage(db.Model):
    """One message of the partner-staff conversation; `internal` ones are staff-only notes."""

    __tablename__ = "challenge_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    from_staff: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class ChallengeEvent(db.Model):
    """The timeline: a status change (or another step) with who, when and the note shown to the partner."""

    __tablename__ = "challenge_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    from_status: Mapped[ChallengeStatus | None] = mapped_column(enum_column(ChallengeStatus))
    to_status: Mapped[ChallengeStatus] = mapped_column(enum_column(ChallengeStatus))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ChallengeProposal(db.Model):
    """A technology or a researcher staff propose for a challenge, with the score and reasons
    matching gave at that moment, and the partner's answer (kept as feedback)."""

    __tablename__ = "challenge_proposal"
    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "technology_id", name="uq_challenge_proposal_technology"),
        sa.UniqueConstraint("challenge_id", "researcher_id", name="uq_challenge_proposal_researcher"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProposalKind] = mapped_column(enum_column(ProposalKind))
    technology_id: Mapped[int | None] = mapped_column(sa.ForeignKey("technology.id", ondelete="CASCADE"))
    researcher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("researcher.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")  # staff's word to the partner
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.PROPOSED
    )
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("licensing_lead.id", ondelete="SET NULL"))
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="proposals")
    technology: Mapped[Technology | None] = relationship()
    researcher: Mapped[Researcher | None] = relationship()
    lead: Mapped[Lead | None] = relationship()


class ResearcherAnswer(db.Model):
    """A researcher's "I can help" on a challenge shared with them or an open call (one each)."""

    __tablename__ = "challenge_answer"
    __table_args__ = (sa.UniqueConstraint("challenge_id", "researcher_id", name="uq_challenge_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"))
    researcher_id: Mapped[int] = mapped_column(sa.ForeignKey("researcher.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.Text)
    expertise: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="answers")
    researcher: Mapped[Researcher] = relationship()


class ChallengeAttachment(db.Model):
    """A file the partner attached; the bytes live in core.storage under `storage_key`."""

    __tablename__ = "challenge_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()
