"""Tiers, applications, memberships, invoices and payments. Money is integer cents + currency."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..auth.models import User
from ..auth.viewer import add_viewer_options
from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db
from ..partners.models import Organisation


class CatalogAccess(enum.Enum):
    TEASER = "teaser"
    DETAILS = "details"
    DOSSIER = "dossier"

    @property
    def label(self) -> str:
        """English: partnership agreements print it as data, and the staff console is English."""
        return {
            "teaser": "Public teasers",
            "details": "Partner details",
            "dossier": "Confidential dossiers (under NDA)",
        }[self.value]

    @property
    def display_label(self) -> str:
        """The label in the reader's language (partner pages)."""
        return {
            "teaser": _("Public teasers"),
            "details": _("Partner details"),
            "dossier": _("Confidential dossiers (under NDA)"),
        }[self.value]


class Tier(db.Model):
    __tablename__ = "tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    annual_fee_cents: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    benefits: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    seat_limit: Mapped[int | None] = mapped_column()
    challenge_limit: Mapped[int | None] = mapped_column()
    catalog_access: Mapped[CatalogAccess] = mapped_column(
        enum_column(CatalogAccess), default=CatalogAccess.TEASER
    )
    first_look_days: Mapped[int] = mapped_column(default=0)
    stripe_price_id: Mapped[str] = mapped_column(sa.String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    display_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(enum.Enum):
    SUBMITTED = "submitted"
    MORE_INFO = "more_info"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "submitted": _("Submitted"),
            "more_info": _("More information requested"),
            "approved": _("Approved"),
            "rejected": _("Rejected"),
        }[self.value]


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (sa.Index("ix_application_submitted_at", "submitted_at"),)  # the console queue

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tier.id", ondelete="RESTRICT"))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.SUBMITTED, index=True
    )
    signatory_name: Mapped[str] = mapped_column(sa.String(120))
    signatory_title: Mapped[str] = mapped_column(sa.String(120))
    billing_name: Mapped[str] = mapped_column(sa.String(120))
    billing_email: Mapped[str] = mapped_column(sa.String(254))
    billing_address: Mapped[str] = mapped_column(sa.Text)
    vat_number: Mapped[str] = mapped_column(sa.String(32), default="")
    interests: Mapped[str] = mapped_column(sa.Text, default="")
    heard_from: Mapped[str] = mapped_column(sa.String(120), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    staff_message: Mapped[str] = mapped_column(sa.Text, default="")

    organisation: Mapped[Organisation] = relationship()
    tier: Mapped[Tier] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __str__(self) -> str:
        return f"application #{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO)


class MembershipStatus(enum.Enum):
    AWAITING_SIGNATURE = "awaiting_signature"
    AWAITING_PAYMENT = "awaiting_payment"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "awaiting_signature": _("Awaiting signature"),
            "awaiting_payment": _("Awaiting payment"),
            "active": _("Active"),
            "past_due": _("Past due"),
            "lapsed": _("Lapsed"),
            "cancelled": _("Cancelled"),
        }[self.value]


class PaymentMethod(enum.Enum):
    INVOICE = "invoice"
    CARD = "card"

    @property
    def label(self) -> str:
        return {"invoice": _("Invoice (bank transfer)"), "card": _("Card (Stripe)")}[self.value]


class Membership(db.Model):
    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tier.id", ondelete="RESTRICT"))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id", ondelete="SET NULL"))
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus), index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod), default=PaymentMethod.INVOICE
    )
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date, index=True)
    auto_renew: Mapped[bool] = mapped_column(default=True)
    # Memberships approved since agreements exist need an executed partnership agreement; those
    # that existed before (server default false in the migration) keep their access.
    agreement_required: Mapped[bool] = mapped_column(default=True, server_default=sa.false())
    pending_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="SET NULL"))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="membership")
    # Not joined by default: a membership is locked FOR UPDATE, which PostgreSQL refuses on the
    # nullable side of an outer join; the queries that show it join the tier themselves.
    tier: Mapped[Tier] = relationship(foreign_keys=[tier_id])
    pending_tier: Mapped[Tier | None] = relationship(foreign_keys=[pending_tier_id])

    def __str__(self) -> str:
        return f"{self.tier.name} membership"


class VatTreatment(enum.Enum):
    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    OUTSIDE_EU = "outside_eu"
    EU_CONSUMER = "eu_no_vat_number"


class InvoiceStatus(enum.Enum):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"

    @property
    def label(self) -> str:
        return {"open": _("Open"), "paid": _("Paid"), "void": _("Void")}[self.value]


class InvoiceSequence(db.Model):
    """The last invoice number used in a year: numbers are gap-free and allocated in the invoice's
    own transaction (a rolled-back invoice gives its number back)."""

    __tablename__ = "invoice_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(db.Model):
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("membership.id", ondelete="SET NULL"))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(
        sa.String(20), default="membership", server_default="membership"
    )  # membership | upgrade
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    description: Mapped[str] = mapped_column(sa.String(255))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_cents: Mapped[int] = mapped_column(sa.BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(default=0)  # basis points: 2100 = 21 %
    vat_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    vat_treatment: Mapped[VatTreatment] = mapped_column(enum_column(VatTreatment))
    payment_reference: Mapped[str] = mapped_column(sa.String(40))
    buyer: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    seller: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_column(InvoiceStatus), default=InvoiceStatus.OPEN, index=True
    )
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice", order_by="Payment.received_on", lazy="selectin"
    )

    def __str__(self) -> str:
        return self.number

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents

    def stored_document(self) -> tuple[bytes | None, str | None, str]:
        """The stored PDF, its recorded SHA-256 and its file name (for core.web.stored_pdf)."""
        return self.pdf, self.pdf_sha256, f"{self.number}.pdf"

    def is_overdue(self, today: date) -> bool:
        return self.status is InvoiceStatus.OPEN and self.due_on < today


class RenewalReminder(db.Model):
    """One row per reminder of a membership period: the unique key makes each send happen once,
    however often and however concurrently `send-reminders` runs."""

    __tablename__ = "renewal_reminder"
    __table_args__ = (sa.UniqueConstraint("membership_id", "period_end", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"))
    period_end: Mapped[date] = mapped_column(sa.Date)
    days_before: Mapped[int] = mapped_column()
    sent: Mapped[bool] = mapped_column(default=True)  # False: skipped because a later one was due
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(db.Model):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    received_on: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod), default=PaymentMethod.INVOICE)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


# An organisation has at most one membership (the unique organisation_id): attached here, where
# memberships are known, and loaded with the signed-in user (auth/viewer.py), tier included.
Organisation.membership = relationship(Membership, uselist=False, back_populates="organisation")
add_viewer_options(
    joinedload(User.organisation).joinedload(Organisation.membership).joinedload(Membership.tier)
)
