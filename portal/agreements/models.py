"""Agreement templates (versioned), generated agreements, and the signatures on them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..partners.models import Organisation


class AgreementKind(enum.Enum):
    PARTNERSHIP = "partnership"
    NDA = "nda"
    LICENCE = "licence"
    COLLABORATION = "collaboration"

    @property
    def label(self) -> str:
        """The kind's English name: the default title stored on templates and agreements (data)."""
        return {
            "partnership": "Partnership agreement",
            "nda": "Mutual non-disclosure agreement",
            "licence": "Licence term sheet / option agreement",
            "collaboration": "Research collaboration agreement",
        }[self.value]

    @property
    def display_label(self) -> str:
        """The kind's name in the reader's language (pages and messages, never stored)."""
        return str(KIND_LABELS[self.value])


KIND_LABELS = {
    "partnership": _l("Partnership agreement"),
    "nda": _l("Mutual non-disclosure agreement"),
    "licence": _l("Licence term sheet / option agreement"),
    "collaboration": _l("Research collaboration agreement"),
}


class TemplateStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return _("Published") if self is TemplateStatus.PUBLISHED else _("Draft")


class AgreementTemplate(db.Model):
    """One version of the text of a kind of agreement. A published version never changes."""

    __tablename__ = "agreement_template"
    __table_args__ = (sa.UniqueConstraint("kind", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind), index=True)
    version: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    title: Mapped[str] = mapped_column(sa.String(200))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    body: Mapped[str] = mapped_column(sa.Text)
    change_note: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[TemplateStatus] = mapped_column(enum_column(TemplateStatus), default=TemplateStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    def __str__(self) -> str:
        return f"{self.kind.label} v{self.version} ({self.language})"

    @property
    def is_published(self) -> bool:
        return self.status is TemplateStatus.PUBLISHED


class AgreementStatus(enum.Enum):
    DRAFT = "draft"
    ISSUED = "issued"
    PARTNER_SIGNED = "partner_signed"
    EXECUTED = "executed"
    VOID = "void"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.value])

    @property
    def is_open(self) -> bool:
        return self in (AgreementStatus.DRAFT, AgreementStatus.ISSUED, AgreementStatus.PARTNER_SIGNED)


STATUS_LABELS = {
    "draft": _l("Draft"),
    "issued": _l("Awaiting partner signature"),
    "partner_signed": _l("Awaiting countersignature"),
    "executed": _l("Executed"),
    "void": _l("Void"),
    "superseded": _l("Superseded"),
}


class AgreementSequence(db.Model):
    """The last agreement number used in a year (gap-free, allocated in the agreement's transaction)."""

    __tablename__ = "agreement_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Agreement(db.Model):
    """A generated agreement: a frozen snapshot of its parameters and the PDFs made from them."""

    __tablename__ = "agreement"
    # The console register, newest first, reads only the page it shows (issue 15).
    __table_args__ = (sa.Index("ix_agreement_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_template.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus), default=AgreementStatus.DRAFT, index=True
    )
    # Click-through standard terms (the NDA gate) are executed by the partner's acceptance alone.
    countersignature_required: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    source: Mapped[str] = mapped_column(sa.String(40), default="")  # e.g. "application:12"
    # The document offered for signature, and the executed one (signatures + certificate page).
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    executed_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    render_attempts: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    template: Mapped[AgreementTemplate] = relationship()
    replaces: Mapped[Agreement | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="agreement", order_by="AgreementSignature.signed_at"
    )

    def __str__(self) -> str:
        return self.number

    def signature_of(self, party: SignatoryParty) -> AgreementSignature | None:
        return next((s for s in self.signatures if s.party is party), None)

    @property
    def source_label(self) -> str:
        """Where the agreement came from, in words."""
        if self.source.startswith("membership:"):
            return _("on approval of the membership application")
        if self.source == "nda-gate":
            return _("accepted on the NDA page")
        return ""

    @property
    def render_pending(self) -> bool:
        return self.executed_at is not None and self.executed_sha256 is None


class SignatoryParty(enum.Enum):
    PARTNER = "partner"
    INSTITUTION = "institution"


class AgreementSignature(db.Model):
    """Evidence of one party's electronic signature. One per party: the unique key turns any number
    of simultaneous clicks into one signature."""

    __tablename__ = "agreement_signature"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    party: Mapped[SignatoryParty] = mapped_column(enum_column(SignatoryParty))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    user_email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120))
    statement: Mapped[str] = mapped_column(sa.Text)  # the authority confirmation as shown
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(400), default="")
    document_sha256: Mapped[str] = mapped_column(sa.String(64))
    # the signer typed a name unlike their account's and confirmed it: shown to staff
    name_differs: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An institution signature given automatically under a standing authorisation.
    standing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("standing_countersignature.id", ondelete="RESTRICT")
    )

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
    standing: Mapped[StandingCountersignature | None] = relationship()


class StandingCountersignature(db.Model):
    """The institution's signature authorised in advance: agreements on this published template
    version, for this membership tier, are countersigned by `signer` the moment the partner signs,
    until `valid_until` (inclusive) or until revoked. The tier is the membership tier's id (the
    membership area answers which tier an agreement belongs to, `signals.agreements.agreement_tier`)."""

    __tablename__ = "standing_countersignature"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement_template.id", ondelete="RESTRICT"), index=True
    )
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tier.id", ondelete="RESTRICT"))
    signer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    signer_name: Mapped[str] = mapped_column(sa.String(120))
    signer_title: Mapped[str] = mapped_column(sa.String(120))
    valid_until: Mapped[date] = mapped_column(sa.Date)
    given_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")

    template: Mapped[AgreementTemplate] = relationship()
    signer: Mapped[User] = relationship(foreign_keys=[signer_id])

    def __str__(self) -> str:
        return f"standing countersignature #{self.id}"

    def in_force(self, today: date) -> bool:
        return self.revoked_at is None and today <= self.valid_until
