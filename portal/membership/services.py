"""Membership use cases: tiers, applications, the access rule, invoices and payments.

Services take plain arguments, flush, and never commit; the caller commits once per use case.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..agreements import gate
from ..agreements import services as agreements
from ..auth.models import User
from ..core import audit, pdf
from ..core.database import next_in_sequence
from ..core.errors import DomainError
from ..core.institution import seller_details
from ..core.links import link
from ..core.mail import queue_email
from ..core.money import format_money
from ..core.types import utcnow
from ..extensions import db
from ..partners import services as partners
from ..partners.models import Organisation, OrganisationStatus, OrgRole
from . import vat
from .models import (
    Application,
    ApplicationStatus,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    Payment,
    PaymentMethod,
    Tier,
)

# --- tiers -----------------------------------------------------------------------------------


def active_tiers() -> list[Tier]:
    return list(
        db.session.scalars(
            sa.select(Tier).where(Tier.active.is_(True)).order_by(Tier.display_order, Tier.annual_fee_cents)
        )
    )


def all_tiers() -> list[Tier]:
    return list(db.session.scalars(sa.select(Tier).order_by(Tier.display_order, Tier.annual_fee_cents)))


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def save_tier(actor: User, tier: Tier | None, values: dict) -> Tier:
    """Create (tier=None) or update a tier from validated form values."""
    slug = values["slug"].strip().lower()
    if not SLUG.match(slug):
        raise DomainError(
            "Use lower-case letters, digits and hyphens, like “strategic-partner”.", field="slug"
        )
    clash = db.session.scalar(sa.select(Tier).where(Tier.slug == slug, Tier.id != (tier.id if tier else -1)))
    if clash is not None:
        raise DomainError(f"The tier “{clash.name}” already uses this slug.", field="slug")
    created = tier is None
    tier = tier or Tier()
    tier.name = values["name"].strip()
    tier.slug = slug
    tier.annual_fee_cents = values["annual_fee_cents"]
    tier.currency = values.get("currency") or "EUR"
    tier.description = (values.get("description") or "").strip()
    tier.benefits = [line.strip() for line in (values.get("benefits") or "").splitlines() if line.strip()]
    tier.seat_limit = values.get("seat_limit")
    tier.challenge_limit = values.get("challenge_limit")
    tier.catalog_access = values["catalog_access"]
    tier.first_look_days = values.get("first_look_days") or 0
    tier.stripe_price_id = (values.get("stripe_price_id") or "").strip()
    tier.active = bool(values.get("active"))
    tier.display_order = values.get("display_order") or 0
    db.session.add(tier)
    db.session.flush()
    audit.record("tier.created" if created else "tier.updated", actor=actor, target=tier, slug=slug)
    return tier


# --- the access rule -------------------------------------------------------------------------


def membership_of(organisation: Organisation) -> Membership | None:
    return db.session.scalar(sa.select(Membership).where(Membership.organisation_id == organisation.id))


def access_conditions(membership: Membership | None, today: date) -> dict[str, bool]:
    """Every condition partner features need."""
    return {
        "membership": membership is not None,
        "agreement_executed": membership is not None and agreement_in_force(membership),
        "paid_and_current": membership is not None and _paid_and_current(membership, today),
    }


def agreement_in_force(membership: Membership) -> bool:
    """The membership's partnership agreement is executed (or it predates agreements)."""
    return not membership.agreement_required or gate.partnership_executed(membership.organisation_id)


def _paid_and_current(membership: Membership, today: date) -> bool:
    """Paid for the current period; a renewal that is late keeps access during the grace period."""
    if membership.period_end is None:
        return False
    if membership.status is MembershipStatus.ACTIVE:
        return membership.period_end >= today
    if membership.status is MembershipStatus.PAST_DUE:
        return membership.period_end + timedelta(days=current_app.config["RENEWAL_GRACE_DAYS"]) >= today
    return False


def has_partner_access(
    organisation: Organisation, today: date | None = None, membership: Membership | None = None
) -> bool:
    """The one rule: partner features need an active, paid, current membership under an executed
    partnership agreement. Pass the membership when the caller has loaded it already."""
    membership = membership or membership_of(organisation)
    return all(access_conditions(membership, today or date.today()).values())


def seat_limit(organisation: Organisation) -> int | None:
    membership = membership_of(organisation)
    return membership.tier.seat_limit if membership is not None else None


# --- applications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationData:
    tier_slug: str
    signatory_name: str
    signatory_title: str
    billing_name: str
    billing_email: str
    billing_address: str
    vat_number: str
    interests: str
    heard_from: str


def open_application(organisation: Organisation) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(
            Application.organisation_id == organisation.id,
            Application.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]),
        )
        .order_by(Application.id.desc())
    )


def latest_application(organisation: Organisation) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(Application.organisation_id == organisation.id)
        .order_by(Application.id.desc())
    )


def _tier_by_slug(slug: str) -> Tier:
    tier = db.session.scalar(sa.select(Tier).where(Tier.slug == slug, Tier.active.is_(True)))
    if tier is None:
        raise DomainError("Choose one of the membership tiers.", field="tier")
    return tier


def _apply_values(application: Application, data: ApplicationData, organisation: Organisation) -> None:
    problem = vat.vat_problem(data.vat_number, organisation.country)
    if problem:
        raise DomainError(problem, field="vat_number")
    application.tier = _tier_by_slug(data.tier_slug)
    application.signatory_name = data.signatory_name.strip()
    application.signatory_title = data.signatory_title.strip()
    application.billing_name = data.billing_name.strip()
    application.billing_email = data.billing_email.strip().lower()
    application.billing_address = data.billing_address.strip()
    application.vat_number = vat.normalise_vat(data.vat_number, organisation.country)
    application.interests = data.interests.strip()
    application.heard_from = data.heard_from.strip()


def submit_application(actor: User, organisation: Organisation, data: ApplicationData) -> Application:
    if not actor.has_org_role(OrgRole.OWNER) or actor.organisation_id != organisation.id:
        raise DomainError("Only an owner of your organisation can apply.")
    if open_application(organisation) is not None:
        raise DomainError("Your organisation already has an application under review.")
    membership = membership_of(organisation)
    if membership is not None and membership.status not in (
        MembershipStatus.LAPSED,
        MembershipStatus.CANCELLED,
    ):
        raise DomainError("Your organisation already has a membership.")
    application = Application(organisation=organisation, submitted_by=actor)
    _apply_values(application, data, organisation)
    db.session.add(application)
    if organisation.status is OrganisationStatus.REGISTERED:
        organisation.status = OrganisationStatus.APPLICANT
    if application.vat_number and not organisation.vat_number:
        organisation.vat_number = application.vat_number
    db.session.flush()
    audit.record("application.submitted", actor=actor, target=application, tier=application.tier.slug)
    _notify_staff_of_application(application)
    return application


def resubmit_application(actor: User, application: Application, data: ApplicationData) -> None:
    if application.status is not ApplicationStatus.MORE_INFO:
        raise DomainError("This application is not waiting for changes.")
    _apply_values(application, data, application.organisation)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    audit.record("application.resubmitted", actor=actor, target=application)
    _notify_staff_of_application(application)


def _notify_staff_of_application(application: Application) -> None:
    owner = application.organisation.account_owner
    queue_email(
        owner.email if owner else current_app.config["CONTACT_EMAIL"],
        f"Application from {application.organisation.display_name} ({application.tier.name})",
        "application_submitted",
        application=application,
        review_url=link("admin.application_detail", application_id=application.id),
    )


def _decide(actor: User, application: Application) -> None:
    if not application.is_open:
        raise DomainError("This application was already decided.")
    application.decided_at = utcnow()
    application.decided_by = actor


def approve_application(actor: User, application: Application, account_owner: User | None) -> Membership:
    """Approve, assign the account owner, create the membership and (for invoice payers) the invoice."""
    db.session.refresh(application, with_for_update=True)  # two officers, one decision
    if application.status is ApplicationStatus.MORE_INFO:
        raise DomainError("This application is waiting for the applicant's changes.")
    _decide(actor, application)
    if account_owner is None or not account_owner.is_staff or not account_owner.active:
        raise DomainError("Choose the Partnership Development Officer who will look after this partner.")
    organisation = application.organisation
    application.status = ApplicationStatus.APPROVED
    organisation.account_owner = account_owner
    membership = membership_of(organisation) or Membership(organisation=organisation)
    membership.tier = application.tier
    membership.application_id = application.id
    membership.status = MembershipStatus.AWAITING_PAYMENT
    membership.payment_method = PaymentMethod.INVOICE
    membership.period_start = membership.period_end = None
    # A returning member starts clean: nothing scheduled, renewing, no old card subscription.
    membership.pending_tier_id = None
    membership.auto_renew = True
    membership.agreement_required = True
    membership.stripe_subscription_id = None
    db.session.add(membership)
    db.session.flush()
    invoice = issue_invoice(membership, application)
    agreement = agreements.issue_partnership(
        actor,
        organisation,
        membership.tier,
        source=f"membership:{membership.id}",
        period_start=invoice.period_start,
        signatory=(application.signatory_name, application.signatory_title),
    )
    audit.record(
        "application.approved",
        actor=actor,
        target=application,
        account_owner=account_owner.email,
        invoice=invoice.number,
        agreement=agreement.number,
    )
    for address in partners.recipients(organisation):
        queue_email(
            address,
            f"Welcome to the {current_app.config['PROGRAMME_NAME']}",
            "application_approved",
            application=application,
            invoice=invoice,
            agreement=agreement,
            account_owner=account_owner,
            membership_url=link("membership.overview"),
            sign_url=link("agreements.detail", agreement_id=agreement.id),
        )
    return membership


def reject_application(actor: User, application: Application, reason: str) -> None:
    if not reason.strip():
        raise DomainError("Give the reason: the applicant receives it by email.", field="reason")
    _decide(actor, application)
    application.status = ApplicationStatus.REJECTED
    application.staff_message = reason.strip()
    if application.organisation.status is OrganisationStatus.APPLICANT:
        application.organisation.status = OrganisationStatus.REGISTERED
    audit.record("application.rejected", actor=actor, target=application, reason=reason.strip())
    for address in partners.recipients(application.organisation):
        queue_email(
            address, "About your membership application", "application_rejected", application=application
        )


def request_more_information(actor: User, application: Application, message: str) -> None:
    if not message.strip():
        raise DomainError("Say what you need: the applicant receives it by email.", field="message")
    if application.status is not ApplicationStatus.SUBMITTED:
        raise DomainError("Only a submitted application can be sent back for changes.")
    application.status = ApplicationStatus.MORE_INFO
    application.staff_message = message.strip()
    audit.record("application.more_info_requested", actor=actor, target=application, message=message.strip())
    for address in partners.recipients(application.organisation):
        queue_email(
            address,
            "We need a little more information",
            "application_more_info",
            application=application,
            edit_url=link("membership.apply"),
        )


# --- invoices --------------------------------------------------------------------------------


def next_invoice_number(year: int) -> str:
    number = next_in_sequence(InvoiceSequence, year)
    return f"{current_app.config['INVOICE_PREFIX']}-{year}-{number:04d}"


def issue_invoice(
    membership: Membership,
    application: Application | None = None,
    today: date | None = None,
    *,
    tier: Tier | None = None,
    net_cents: int | None = None,
    period: tuple[date, date] | None = None,
    purpose: str = "membership",
) -> Invoice:
    """Issue an invoice with its stored PDF: by default for the membership's next (or first) period
    at its tier's fee (a pending downgrade's tier at renewal); an upgrade passes its own amount."""
    today = today or date.today()
    organisation = membership.organisation
    tier = tier or membership.pending_tier or membership.tier
    cfg = current_app.config
    start = membership.period_end + timedelta(days=1) if membership.period_end else today
    end = _one_year_after(start) - timedelta(days=1)
    if period is not None:
        start, end = period
    buyer_vat = (application.vat_number if application else "") or organisation.vat_number
    kind = vat.treatment(organisation.country, buyer_vat, cfg["SELLER_COUNTRY"])
    rate_bp = round(cfg["VAT_RATE_PERCENT"] * 100) if vat.charges_vat(kind) else 0
    net = tier.annual_fee_cents if net_cents is None else net_cents
    vat_cents = (net * rate_bp + 5000) // 10000
    buyer = {
        "name": organisation.legal_name,
        "attention": application.billing_name if application else "",
        "email": application.billing_email if application else "",
        "address": application.billing_address
        if application
        else "\n".join(
            part
            for part in (
                organisation.address_line1,
                organisation.address_line2,
                f"{organisation.postcode} {organisation.city}".strip(),
            )
            if part
        ),
        "country": organisation.country_name,
        "vat_number": buyer_vat,
    }
    number = next_invoice_number(today.year)
    invoice = Invoice(
        number=number,
        organisation_id=organisation.id,
        membership_id=membership.id,
        tier_id=tier.id,
        purpose=purpose,
        issued_on=today,
        due_on=today + timedelta(days=cfg["INVOICE_DUE_DAYS"]),
        description=f"{cfg['PROGRAMME_NAME']}: {tier.name} membership"
        + (" (upgrade for the rest of the current period)" if purpose == "upgrade" else ""),
        period_start=start,
        period_end=end,
        currency=tier.currency,
        net_cents=net,
        vat_rate_bp=rate_bp,
        vat_cents=vat_cents,
        total_cents=net + vat_cents,
        vat_treatment=kind,
        payment_reference=f"{number} {secrets.token_hex(2).upper()}",
        buyer=buyer,
        seller=seller_details(),
    )
    db.session.add(invoice)
    db.session.flush()
    invoice.pdf = pdf.render_pdf("invoice.html", invoice_context(invoice))
    invoice.pdf_sha256 = pdf.sha256(invoice.pdf)
    audit.record("invoice.issued", target=invoice, organisation_id=organisation.id, total=invoice.total_cents)
    for address in {buyer["email"], *partners.recipients(organisation, OrgRole.BILLING)} - {""}:
        queue_email(
            address,
            f"Invoice {invoice.number}",
            "invoice_issued",
            attachments=[(f"{invoice.number}.pdf", "application/pdf", invoice.pdf)],
            invoice=invoice,
            amount=format_money(invoice.total_cents, invoice.currency),
            download_url=link("membership.invoice_pdf", invoice_id=invoice.id),
        )
    return invoice


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def invoice_context(invoice: Invoice) -> dict:
    """Plain values for the invoice PDF template."""
    return {
        "number": invoice.number,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "description": invoice.description,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "net": format_money(invoice.net_cents, invoice.currency),
        "vat_rate": f"{invoice.vat_rate_bp / 100:g} %",
        "vat": format_money(invoice.vat_cents, invoice.currency),
        "total": format_money(invoice.total_cents, invoice.currency),
        "vat_mention": vat.MENTIONS[invoice.vat_treatment],
        "charges_vat": vat.charges_vat(invoice.vat_treatment),
        "payment_reference": invoice.payment_reference,
        "buyer": dict(invoice.buyer),
        "seller": dict(invoice.seller),
        "programme": current_app.config["PROGRAMME_NAME"],
    }


def record_payment(
    actor: User, invoice: Invoice, amount_cents: int, received_on: date, reference: str
) -> Payment:
    """Staff record a bank transfer; partial payments add up; a fully paid invoice activates."""
    db.session.refresh(invoice, with_for_update=True)  # two recordings at once cannot overpay
    if invoice.status is not InvoiceStatus.OPEN:
        raise DomainError(f"Invoice {invoice.number} is {invoice.status.label.lower()}; nothing to record.")
    if amount_cents <= 0:
        raise DomainError("Enter an amount above zero.", field="amount")
    if amount_cents > invoice.balance_cents:
        raise DomainError(
            f"That is more than the {format_money(invoice.balance_cents, invoice.currency)} still due.",
            field="amount",
        )
    if received_on > date.today():
        raise DomainError("The payment date cannot be in the future.", field="received_on")
    payment = Payment(
        invoice=invoice,
        amount_cents=amount_cents,
        received_on=received_on,
        reference=reference.strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "payment.recorded",
        actor=actor,
        target=invoice,
        organisation_id=invoice.organisation_id,
        amount=amount_cents,
    )
    if invoice.balance_cents == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = utcnow()
        _invoice_paid(invoice)
    return payment


def _invoice_paid(invoice: Invoice) -> None:
    membership = db.session.get(Membership, invoice.membership_id) if invoice.membership_id else None
    if membership is None:
        return
    if invoice.purpose == "upgrade" or (invoice.tier_id and invoice.tier_id == membership.pending_tier_id):
        membership.tier_id = invoice.tier_id  # a paid upgrade, or a renewal at a downgraded tier
        membership.pending_tier_id = None
    if invoice.purpose == "upgrade":
        audit.record("membership.upgraded", target=membership, organisation_id=membership.organisation_id)
        return
    membership.period_start = min(filter(None, [membership.period_start, invoice.period_start]))
    membership.period_end = max(filter(None, [membership.period_end, invoice.period_end]))
    if membership.status is MembershipStatus.CANCELLED:
        membership.auto_renew = True  # they paid for the period after all: the renewal is back on
    activate_when_ready(membership, invoice)


def activate_when_ready(membership: Membership, invoice: Invoice | None = None) -> None:
    """Active once the partnership agreement is executed and the first payment has arrived,
    whichever comes last. Paid but unsigned waits as "awaiting signature"."""
    organisation = membership.organisation
    if not agreement_in_force(membership):
        if membership.status is not MembershipStatus.AWAITING_SIGNATURE:
            membership.status = MembershipStatus.AWAITING_SIGNATURE
            announce_awaiting_signature(membership)
        return
    membership.status = MembershipStatus.ACTIVE
    organisation.status = OrganisationStatus.MEMBER
    audit.record("membership.activated", target=membership, organisation_id=membership.organisation_id)
    for address in partners.recipients(organisation):
        queue_email(
            address,
            "Your membership is active",
            "membership_active",
            membership=membership,
            invoice=invoice,
            dashboard_url=link("main.dashboard"),
        )


def announce_awaiting_signature(membership: Membership) -> None:
    audit.record("membership.paid_awaiting_signature", target=membership)
    for address in partners.recipients(membership.organisation):
        queue_email(
            address,
            "Payment received: one signature to go",
            "membership_awaiting_signature",
            membership=membership,
            agreements_url=link("agreements.index"),
        )


def partnership_executed(organisation: Organisation) -> None:
    """The partnership agreement was just executed: a paid membership starts now, and the staff
    account owner hears of it (the partner's people get the executed agreement's own email)."""
    membership = membership_of(organisation)
    if membership is None or membership.status is not MembershipStatus.AWAITING_SIGNATURE:
        return
    activate_when_ready(membership)
    owner = organisation.account_owner
    if owner is not None:
        queue_email(
            owner.email,
            f"{organisation.display_name} is now an active member",
            "membership_active_staff",
            membership=membership,
            organisation_url=link("admin.organisation_detail", organisation_id=organisation.id),
        )


def invoices_of(organisation: Organisation) -> list[Invoice]:
    return list(
        db.session.scalars(
            sa.select(Invoice)
            .where(Invoice.organisation_id == organisation.id)
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        )
    )
