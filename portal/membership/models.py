"""Tiers, applications, memberships, invoices and payments. Money is integer cents + currency."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..auth.models import User
from ..auth.viewer import add_viewer_options
from ..core.i18n import current_language
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
    # The description and benefits in the other languages the portal speaks, as admins write them:
    # {"fr": {"description": "...", "benefits": ["..."]}, "de": {...}}; English is the columns above.
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
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

    def in_language(self, language: str) -> tuple[str, list[str]]:
        """The description and benefits in `language`, in English where admins wrote none."""
        own = (self.translations or {}).get(language) or {}
        return own.get("description") or self.description, own.get("benefits") or list(self.benefits or [])

    @property
    def shown_description(self) -> str:
        return self.in_language(current_language())[0]

    @property
    def shown_benefits(self) -> list[str]:
        return self.in_language(current_language())[1]


class PaymentMethod(enum.Enum):
    INVOICE = "invoice"
    CARD = "card"

    @property
    def label(self) -> str:
        return {"invoice": _("Invoice (bank transfer)"), "card": _("Card (Stripe)")}[self.value]


# Answers to "How did you hear of the programme?" (the application form and its copies).
HEARD_FROM = {
    "": _l("Choose one…"),
    "researcher": _l("A researcher of the institute"),
    "event": _l("An event or conference"),
    "colleague": _l("A colleague or partner company"),
    "web": _l("Search engine or website"),
    "tto": _l("The Technology Transfer Office contacted us"),
    "other": _l("Other"),
}


class ApplicationStatus(enum.Enum):
    SUBMITTED = "submitted"
    MORE_INFO = "more_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "submitted": _("Submitted"),
            "more_info": _("More information requested"),
            "approved": _("Approved"),
            "rejected": _("Rejected"),
            "withdrawn": _("Withdrawn"),
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
    # The company as registered: copied into the organisation's profile on submission, so the
    # partnership agreement prints it.
    registration_number: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    address_line1: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    address_line2: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    postcode: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    interests: Mapped[str] = mapped_column(sa.Text, default="")
    heard_from: Mapped[str] = mapped_column(sa.String(120), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    staff_message: Mapped[str] = mapped_column(sa.Text, default="")
    # How the applicant means to pay (an approval rule may ask for card).
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod), default=PaymentMethod.INVOICE, server_default="invoice"
    )
    # Set when an approval rule approved the application with no staff action; kept after a
    # revocation (auto_revoked_at) so the record shows what happened.
    approval_rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("approval_rule.id", ondelete="SET NULL")
    )
    auto_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    tier: Mapped[Tier] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    approval_rule: Mapped[ApprovalRule | None] = relationship()

    def __str__(self) -> str:
        return f"application #{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO)

    @property
    def approved_automatically(self) -> bool:
        """Approved by a rule, and that approval still stands."""
        return (
            self.status is ApplicationStatus.APPROVED
            and self.approval_rule_id is not None
            and self.auto_revoked_at is None
        )


class DeniedParty(db.Model):
    """An entry of the sanctions / denied-parties list kept in the console: an application whose
    company matches one (by name, registration or VAT number, or country) is never approved
    automatically. `name_key` and `number_key` are the normalised forms matching compares."""

    __tablename__ = "denied_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    name_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    country: Mapped[str] = mapped_column(sa.String(2), default="")  # ISO 3166-1 alpha-2, or ""
    number: Mapped[str] = mapped_column(sa.String(64), default="")  # registration or VAT number
    number_key: Mapped[str] = mapped_column(sa.String(64), default="", index=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.name or self.number or f"country {self.country}"


class ApprovalRule(db.Model):
    """Approve an application of `tier` automatically when every condition switched on holds.
    The conditions are a small fixed set, each a column, so a rule reads like a sentence."""

    __tablename__ = "approval_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tier.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    require_not_denied: Mapped[bool] = mapped_column(default=True)
    require_tax_number: Mapped[bool] = mapped_column(default=True)
    require_card: Mapped[bool] = mapped_column(default=True)
    # The Partnership Development Officer who looks after partners approved by this rule.
    account_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tier: Mapped[Tier] = relationship()
    account_owner: Mapped[User | None] = relationship(foreign_keys=[account_owner_id])

    def __str__(self) -> str:
        return self.name

    @property
    def conditions(self) -> list[str]:
        """The rule's conditions, in words."""
        words = []
        if self.require_not_denied:
            words.append("not on the denied-parties list")
        if self.require_tax_number:
            words.append("a valid VAT or registration number")
        if self.require_card:
            words.append("pays by card")
        return words


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


class BankStatementFormat(enum.Enum):
    CAMT053 = "camt053"
    CSV = "csv"

    @property
    def label(self) -> str:
        return {"camt053": "camt.053 (XML)", "csv": "CSV"}[self.value]


class BankStatement(db.Model):
    """One uploaded statement file; the same file (by SHA-256) is imported once."""

    __tablename__ = "bank_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    format: Mapped[BankStatementFormat] = mapped_column(enum_column(BankStatementFormat))
    account: Mapped[str] = mapped_column(sa.String(64), default="")
    statement_ref: Mapped[str] = mapped_column(sa.String(120), default="")
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)  # the file as uploaded
    entry_count: Mapped[int] = mapped_column(default=0)  # entries in the file
    duplicate_count: Mapped[int] = mapped_column(default=0)  # of which already imported before
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    uploaded_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"bank statement #{self.id}"


class BankLineOutcome(enum.Enum):
    """What the import did with a line (fixed once imported)."""

    EXACT = "exact"  # paid an invoice in full
    PARTIAL = "partial"  # paid part of an invoice, which stays open with the balance
    OVERPAID = "overpaid"  # paid an invoice in full with money left over (a decision)
    UNMATCHED = "unmatched"  # no payment recorded (a decision)
    IGNORED = "ignored"  # not money received: debits, pending entries, reversals, zero amounts

    @property
    def label(self) -> str:
        return {
            "exact": "Paid in full",
            "partial": "Partial payment",
            "overpaid": "Over-payment",
            "unmatched": "Unmatched",
            "ignored": "Ignored",
        }[self.value]


class BankLineDecision(enum.Enum):
    """Whether a line waits on staff, and what they decided."""

    NONE = "none"  # nothing to decide
    PENDING = "pending"  # in the queue: unmatched money, or an over-payment's surplus
    ASSIGNED = "assigned"  # staff assigned the money to invoices by hand
    DISMISSED = "dismissed"  # staff set it aside, with a reason

    @property
    def label(self) -> str:
        return {"none": "—", "pending": "Waiting", "assigned": "Assigned", "dismissed": "Dismissed"}[
            self.value
        ]


class BankLine(db.Model):
    """One entry of a statement. `entry_key` is unique: the bank's reference of the entry, or a hash
    of the line when it has none; an entry already imported (by any statement) is never stored again."""

    __tablename__ = "bank_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bank_statement.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column()
    entry_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    bank_reference: Mapped[str] = mapped_column(sa.String(140), default="")
    booked_on: Mapped[date] = mapped_column(sa.Date)
    value_on: Mapped[date | None] = mapped_column(sa.Date)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    credit: Mapped[bool] = mapped_column()
    payer_name: Mapped[str] = mapped_column(sa.String(140), default="")
    remittance: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[BankLineOutcome] = mapped_column(
        enum_column(BankLineOutcome), default=BankLineOutcome.UNMATCHED
    )
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id", ondelete="SET NULL"))
    allocated_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    decision: Mapped[BankLineDecision] = mapped_column(
        enum_column(BankLineDecision), default=BankLineDecision.NONE, index=True
    )
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    statement: Mapped[BankStatement] = relationship()
    invoice: Mapped[Invoice | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
    allocations: Mapped[list[BankAllocation]] = relationship(
        back_populates="line", order_by="BankAllocation.id"
    )

    def __str__(self) -> str:
        return f"bank statement #{self.statement_id}, line {self.position}"

    @property
    def remaining_cents(self) -> int:
        """Money of a credit line not (yet) recorded against an invoice."""
        return self.amount_cents - self.allocated_cents if self.credit else 0


class BankAllocation(db.Model):
    """Money of a bank line recorded as a payment of an invoice (by the import, or by staff)."""

    __tablename__ = "bank_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_line.id", ondelete="RESTRICT"), index=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payment.id", ondelete="RESTRICT"), unique=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    manual: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    line: Mapped[BankLine] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()


# An organisation has at most one membership (the unique organisation_id): attached here, where
# memberships are known, and loaded with the signed-in user (auth/viewer.py), tier included.
Organisation.membership = relationship(Membership, uselist=False, back_populates="organisation")
add_viewer_options(
    joinedload(User.organisation).joinedload(Organisation.membership).joinedload(Membership.tier)
)
