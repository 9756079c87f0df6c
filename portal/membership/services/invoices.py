"""Invoices (gap-free numbers, VAT treatment, stored PDFs) and the bank transfers staff record."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ...auth.models import User
from ...core import audit, pdf
from ...core.database import lock_for_update, next_in_sequence, prepared
from ...core.errors import DomainError
from ...core.i18n import as_reader, reader_of
from ...core.institution import seller_details
from ...core.links import link
from ...core.mail import notify
from ...core.money import format_money
from ...core.types import utcnow
from ...extensions import db
from ...partners import services as partners
from ...partners.models import Organisation, OrgRole
from .. import vat
from ..models import (
    Application,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    Payment,
    Tier,
)
from .activation import activate_when_ready


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
    announce: bool = True,
) -> Invoice:
    """Issue an invoice with its stored PDF: by default for the membership's next (or first) period
    at its tier's fee (a pending downgrade's tier at renewal); an upgrade passes its own amount.
    `announce=False`: the caller's own email carries the invoice (approval sends one email)."""
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
    buyer = _buyer(organisation, application, buyer_vat)
    number = next_invoice_number(today.year)
    invoice = Invoice(
        number=number,
        organisation_id=organisation.id,
        membership_id=membership.id,
        tier_id=tier.id,
        purpose=purpose,
        issued_on=today,
        due_on=today + timedelta(days=cfg["INVOICE_DUE_DAYS"]),
        description=describe(cfg["PROGRAMME_NAME"], tier.name, purpose),
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
    with as_reader(invoice_reader(membership, application, buyer)):  # the partner's language, not staff's
        invoice.pdf = pdf.render_pdf("invoice.html", invoice_context(invoice))
    invoice.pdf_sha256 = pdf.sha256(invoice.pdf)
    audit.record("invoice.issued", target=invoice, organisation_id=organisation.id, total=invoice.total_cents)
    if announce:
        announce_invoice(invoice)
    return invoice


def invoice_recipients(invoice: Invoice, people: list[User] | None = None) -> list[str]:
    """Who receives an invoice: the billing address it names and the organisation's billing people
    (from `people`, the organisation's active members, when the caller has loaded them already)."""
    if people is None:
        people = partners.members(invoice.organisation)
    billing = {u.email for u in people if OrgRole.BILLING in u.org_roles}
    return sorted(({invoice.buyer["email"]} | billing) - {""})


def announce_invoice(invoice: Invoice) -> None:
    notify(
        invoice_recipients(invoice),
        "invoice_issued",
        subject=_l("Invoice %(number)s", number=invoice.number),
        attachments=[(f"{invoice.number}.pdf", "application/pdf", invoice.pdf)],
        invoice=invoice,
        amount=LazyString(format_money, invoice.total_cents, invoice.currency),  # in each reader's format
        description=LazyString(shown_description, invoice),  # in each reader's language
        download_url=link("membership.invoice_pdf", invoice_id=invoice.id),
    )


UPGRADE_SUFFIX = " (upgrade for the rest of the current period)"


def describe(programme: str, tier_name: str, purpose: str) -> str:
    """What the invoice is for, as stored: English data, like its number (see shown_description)."""
    return f"{programme}: {tier_name} membership{UPGRADE_SUFFIX if purpose == 'upgrade' else ''}"


def shown_description(invoice: Invoice) -> str:
    """The stored description in the reader's language, when it is one the portal wrote; any other
    description is shown as it is."""
    programme = current_app.config["PROGRAMME_NAME"]
    text, head = invoice.description or "", f"{programme}: "
    for purpose, tail in (("upgrade", f" membership{UPGRADE_SUFFIX}"), ("membership", " membership")):
        if text.startswith(head) and text.endswith(tail) and len(text) > len(head) + len(tail):
            tier = text[len(head) : -len(tail)]
            if purpose == "upgrade":
                return _(
                    "%(programme)s: %(tier)s membership (upgrade for the rest of the current period)",
                    programme=programme,
                    tier=tier,
                )
            return _("%(programme)s: %(tier)s membership", programme=programme, tier=tier)
    return text


def invoice_reader(
    membership: Membership, application: Application | None, buyer: dict[str, str]
) -> User | None:
    """Whose language and time zone the invoice PDF is written in: the billing contact's, if they
    have an account; else the person who applied (they gave the billing details); for a renewal or
    an upgrade, whoever applied for the membership; else an owner of the organisation. Never the
    staff member who approved, nor the organisation's account owner (a staff officer)."""

    def candidates():
        if buyer.get("email"):
            yield reader_of(buyer["email"].strip().lower())
        if application is not None:
            yield application.submitted_by
        if membership.application_id and (application is None or application.id != membership.application_id):
            first = db.session.get(Application, membership.application_id)
            yield first.submitted_by if first else None
        for address in partners.recipients(membership.organisation, OrgRole.OWNER):
            yield reader_of(address)

    return next((user for user in candidates() if user is not None), None)


def _buyer(organisation: Organisation, application: Application | None, vat_number: str) -> dict[str, str]:
    """The buyer as the invoice prints it: the application's billing details, else the profile's."""
    address = "\n".join(
        part
        for part in (
            organisation.address_line1,
            organisation.address_line2,
            f"{organisation.postcode} {organisation.city}".strip(),
        )
        if part
    )
    return {
        "name": organisation.legal_name,
        "attention": application.billing_name if application else "",
        "email": application.billing_email if application else "",
        "address": application.billing_address if application else address,
        "country": organisation.country_name,
        "vat_number": vat_number,
    }


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
        "description": shown_description(invoice),
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "net": format_money(invoice.net_cents, invoice.currency),
        "vat_rate": f"{format_decimal(invoice.vat_rate_bp / 100, format='#,##0.##')} %",
        "vat": format_money(invoice.vat_cents, invoice.currency),
        "total": format_money(invoice.total_cents, invoice.currency),
        "vat_mention": str(vat.MENTIONS[invoice.vat_treatment]),  # made text in the reader's language
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
    lock_for_update(invoice)  # two recordings at once cannot overpay
    if invoice.status is not InvoiceStatus.OPEN:
        if invoice.status is InvoiceStatus.PAID:
            raise DomainError(_("Invoice %(number)s is paid; nothing to record.", number=invoice.number))
        raise DomainError(_("Invoice %(number)s is void; nothing to record.", number=invoice.number))
    if amount_cents <= 0:
        raise DomainError(_("Enter an amount above zero."), field="amount")
    if amount_cents > invoice.balance_cents:
        raise DomainError(
            _(
                "That is more than the %(amount)s still due.",
                amount=format_money(invoice.balance_cents, invoice.currency),
            ),
            field="amount",
        )
    if received_on > date.today():
        raise DomainError(_("The payment date cannot be in the future."), field="received_on")
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


@prepared
def _invoices_of() -> sa.Select:
    return (
        sa.select(Invoice)
        .where(Invoice.organisation_id == sa.bindparam("organisation_id"))
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    )


def invoices_of(organisation: Organisation) -> list[Invoice]:
    return list(db.session.scalars(_invoices_of(), {"organisation_id": organisation.id}))
