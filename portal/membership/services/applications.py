"""Applications: an owner applies for a tier; staff approve (membership, invoice, agreement),
reject or ask for more."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...agreements import services as agreements
from ...auth.models import User
from ...core import audit
from ...core.database import lock_for_update, prepared
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify, queue_email
from ...core.money import format_money
from ...core.types import utcnow
from ...extensions import db
from ...partners import services as partners
from ...partners import vat
from ...partners.models import Organisation, OrganisationStatus, OrgRole
from ..models import (
    HEARD_FROM,
    Application,
    ApplicationStatus,
    ApprovalRule,
    Membership,
    MembershipStatus,
    PaymentMethod,
    Tier,
)
from . import approval
from .access import membership_of
from .invoices import invoice_recipients, issue_invoice


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
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    registration_number: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postcode: str = ""
    city: str = ""

    @property
    def registered_address(self) -> str:
        return registered_address(self.address_line1, self.address_line2, self.postcode, self.city)


def registered_address(line1: str, line2: str, postcode: str, city: str) -> str:
    town = f"{postcode.strip()} {city.strip()}".strip()
    return "\n".join(p for p in (line1.strip(), line2.strip(), town) if p)


def open_application(organisation: Organisation) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(
            Application.organisation_id == organisation.id,
            Application.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]),
        )
        .order_by(Application.id.desc())
    )


@prepared
def _latest_application() -> sa.Select:
    return (
        sa.select(Application)
        .where(Application.organisation_id == sa.bindparam("organisation_id"))
        .options(joinedload(Application.tier))
        .order_by(Application.id.desc())
        .limit(1)
    )


def latest_application(organisation: Organisation) -> Application | None:
    return db.session.scalar(_latest_application(), {"organisation_id": organisation.id})


def summary(application: Application) -> list[tuple[str, str]]:
    """What the applicant sent, as (label, value) rows in the reader's language: the copy in the
    acknowledgement email and on the membership page."""
    tier = application.tier
    rows = [
        (
            _("Membership tier"),
            _(
                "%(tier)s — %(fee)s a year",
                tier=tier.name,
                fee=format_money(tier.annual_fee_cents, tier.currency),
            ),
        ),
        (
            _("Company"),
            f"{application.organisation.legal_name}, {application.organisation.local_country_name}",
        ),
        (_("Company registration number"), application.registration_number),
        (
            _("Registered address"),
            registered_address(
                application.address_line1, application.address_line2, application.postcode, application.city
            ),
        ),
        (_("Legal signatory"), f"{application.signatory_name}, {application.signatory_title}"),
        (_("Billing contact"), f"{application.billing_name} <{application.billing_email}>"),
        (_("Billing address"), application.billing_address),
        (_("VAT number"), application.vat_number),
        (_("How you will pay"), application.payment_method.label),
        (_("What you would like to work on with us"), application.interests),
        (
            _("How you heard of the programme"),
            str(HEARD_FROM.get(application.heard_from, application.heard_from))
            if application.heard_from
            else "",
        ),
    ]
    return [(label, value or "—") for label, value in rows]


def _tier_by_slug(slug: str) -> Tier:
    tier = db.session.scalar(sa.select(Tier).where(Tier.slug == slug, Tier.active.is_(True)))
    if tier is None:
        raise DomainError(_("Choose one of the membership tiers."), field="tier")
    return tier


def _apply_values(application: Application, data: ApplicationData, organisation: Organisation) -> None:
    problem = vat.vat_problem(data.vat_number, organisation.country)
    if problem:
        raise DomainError(problem, field="vat_number")
    application.tier = _tier_by_slug(data.tier_slug)
    application.signatory_name = data.signatory_name.strip()
    application.signatory_title = data.signatory_title.strip()
    application.registration_number = " ".join(data.registration_number.split())
    application.address_line1 = data.address_line1.strip()
    application.address_line2 = data.address_line2.strip()
    application.postcode = data.postcode.strip()
    application.city = data.city.strip()
    application.billing_name = data.billing_name.strip()
    application.billing_email = data.billing_email.strip().lower()
    application.billing_address = data.billing_address.strip() or data.registered_address
    if not application.billing_address:
        raise DomainError(_("Enter the registered address or a billing address."), field="address_line1")
    application.vat_number = vat.normalise_vat(data.vat_number, organisation.country)
    application.interests = data.interests.strip()
    application.heard_from = data.heard_from.strip()
    if data.payment_method is PaymentMethod.CARD and not approval.card_offered(application.tier):
        raise DomainError(
            _("Card payment is not offered for this tier; choose payment by invoice."), field="payment_method"
        )
    application.payment_method = data.payment_method


def submit_application(actor: User, organisation: Organisation, data: ApplicationData) -> Application:
    if not actor.has_org_role(OrgRole.OWNER) or actor.organisation_id != organisation.id:
        raise DomainError(_("Only an owner of your organisation can apply."))
    if open_application(organisation) is not None:
        raise DomainError(_("Your organisation already has an application under review."))
    membership = membership_of(organisation)
    if membership is not None and membership.status not in (
        MembershipStatus.LAPSED,
        MembershipStatus.CANCELLED,
    ):
        raise DomainError(_("Your organisation already has a membership."))
    application = Application(organisation=organisation, submitted_by=actor)
    _apply_values(application, data, organisation)
    db.session.add(application)
    if organisation.status is OrganisationStatus.REGISTERED:
        organisation.status = OrganisationStatus.APPLICANT
    db.session.flush()
    audit.record("application.submitted", actor=actor, target=application, tier=application.tier.slug)
    _settle(actor, application, "received")
    return application


def resubmit_application(actor: User, application: Application, data: ApplicationData) -> None:
    """The owner answers a request for more information: the application is submitted again."""
    lock_for_update(application)
    if application.status is not ApplicationStatus.MORE_INFO:
        raise DomainError(_("This application is not waiting for changes."))
    _apply_values(application, data, application.organisation)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    audit.record("application.resubmitted", actor=actor, target=application)
    db.session.flush()
    _settle(actor, application, "resubmitted")


def edit_application(actor: User, application: Application, data: ApplicationData) -> None:
    """The owner corrects an application that waits for staff; it keeps its place in the queue."""
    lock_for_update(application)  # staff may be deciding it this very moment
    if application.status is not ApplicationStatus.SUBMITTED:
        raise DomainError(_("This application was decided meanwhile; it can no longer be changed."))
    _check_owner(actor, application)
    before = {name: getattr(application, name) for name in EDITABLE}
    _apply_values(application, data, application.organisation)
    changed = [name for name in EDITABLE if getattr(application, name) != before[name]]
    if not changed:
        return
    audit.record("application.edited", actor=actor, target=application, fields=changed)
    db.session.flush()
    _settle(actor, application, "edited")


def withdraw_application(actor: User, application: Application) -> None:
    """The owner takes back an application that has not been decided."""
    lock_for_update(application)
    if not application.is_open:
        raise DomainError(_("This application was decided meanwhile; it can no longer be withdrawn."))
    _check_owner(actor, application)
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_at = utcnow()
    application.decided_by = actor
    if application.organisation.status is OrganisationStatus.APPLICANT:
        application.organisation.status = OrganisationStatus.REGISTERED
    audit.record("application.withdrawn", actor=actor, target=application)


# What an edit may change: every field the form sends (the tier by its row, not its slug).
EDITABLE = tuple("tier" if f.name == "tier_slug" else f.name for f in fields(ApplicationData))


def _check_owner(actor: User, application: Application) -> None:
    if actor.organisation_id != application.organisation_id or not actor.has_org_role(OrgRole.OWNER):
        raise DomainError(_("Only an owner of your organisation can change the application."))


def _settle(actor: User, application: Application, event: str) -> None:
    """After the owner sent or changed an application: the company's details go into its profile,
    an approval rule may approve it at once (its email says so), else staff hear of it and the
    applicant receives a copy of what was sent."""
    db.session.flush()  # tier_id of a newly chosen tier
    partners.record_company_details(
        actor,
        application.organisation,
        application,
        registration_number=application.registration_number,
        vat_number=application.vat_number,
        address=(
            application.address_line1,
            application.address_line2,
            application.postcode,
            application.city,
        ),
    )
    if approval.approve_automatically(application) is not None:
        return
    if event != "edited":
        _notify_staff_of_application(application)
    notify(
        [actor.email],
        "application_received",
        subject=(
            _l("Your membership application, as changed")
            if event == "edited"
            else _l("We received your membership application")
        ),
        application=application,
        event=event,
        name=actor.full_name,
        summary=summary,  # called by the template, in the reader's language
        membership_url=link("membership.overview"),
    )


def _notify_staff_of_application(application: Application) -> None:
    owner = application.organisation.account_owner
    queue_email(
        owner.email if owner else current_app.config["CONTACT_EMAIL"],
        _l(
            "Application from %(organisation)s (%(tier)s)",
            organisation=application.organisation.display_name,
            tier=application.tier.name,
        ),
        "application_submitted",
        application=application,
        review_url=link("admin.application_detail", application_id=application.id),
    )


def _decide(actor: User, application: Application) -> None:
    if not application.is_open:
        raise DomainError(_("This application was already decided."))
    application.decided_at = utcnow()
    application.decided_by = actor


def approve_application(
    actor: User | None,
    application: Application,
    account_owner: User | None,
    *,
    rule: ApprovalRule | None = None,
) -> Membership:
    """Approve, assign the account owner, create the membership and (for invoice payers) the invoice.
    Staff approve with themselves as `actor`; an approval rule approves with no actor and itself
    as `rule` (audited with the rule that fired)."""
    lock_for_update(application)  # two officers, one decision
    if application.status is ApplicationStatus.MORE_INFO:
        raise DomainError(_("This application is waiting for the applicant's changes."))
    _decide(actor, application)
    if account_owner is None or not account_owner.is_staff or not account_owner.active:
        raise DomainError(_("Choose the Partnership Development Officer who will look after this partner."))
    organisation = application.organisation
    application.status = ApplicationStatus.APPROVED
    if rule is not None:
        application.approval_rule_id = rule.id
        application.auto_revoked_at = None
    organisation.account_owner = account_owner
    membership = membership_of(organisation)
    if membership is None:
        membership = Membership(tier=application.tier, status=MembershipStatus.AWAITING_PAYMENT)
        db.session.add(membership)  # at once, complete enough to flush: the queries below do
        membership.organisation = organisation
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
    invoice = issue_invoice(membership, application, announce=False)
    agreement = agreements.issue_partnership(
        actor,
        organisation,
        membership.tier,
        source=f"membership:{membership.id}",
        period_start=invoice.period_start,
        signatory=(application.signatory_name, application.signatory_title),
        announce=False,
    )
    audit.record(
        "application.approved",
        actor=actor,
        target=application,
        account_owner=account_owner.email,
        invoice=invoice.number,
        agreement=agreement.number,
        **({"automatic": True, "rule": rule.name, "rule_id": rule.id} if rule is not None else {}),
    )
    _announce_approval(application, membership, invoice, agreement, account_owner)
    return membership


def _announce_approval(
    application: Application, membership: Membership, invoice: Any, agreement: Any, account_owner: User
) -> None:
    """One email per person, not one per document: what is approved, and what happens next for
    them (sign, pay, then the welcome), addressed by name. The invoice is attached for those who pay
    it; those who sign get the link to the agreement."""
    organisation = application.organisation
    people = partners.members(organisation)  # once: every role below is read from these rows
    by_address = {u.email: u for u in people}

    def holding(role: OrgRole) -> set[str]:
        return {u.email for u in people if role in u.org_roles}

    owners, signatories = holding(OrgRole.OWNER), holding(OrgRole.SIGNATORY)
    payers = set(invoice_recipients(invoice, people)) | owners
    by_card = application.payment_method is PaymentMethod.CARD and approval.card_offered(application.tier)
    for address in sorted(owners | signatories | payers):
        user = by_address.get(address)
        name = user.full_name if user else ""
        if user is None and address == application.billing_email:
            name = application.billing_name
        pays = address in payers
        queue_email(
            address,
            _l("Welcome to the %(programme)s", programme=current_app.config["PROGRAMME_NAME"]),
            "application_approved",
            [(f"{invoice.number}.pdf", "application/pdf", invoice.pdf)] if pays else None,
            name=name,
            application=application,
            invoice=invoice,
            agreement=agreement,
            account_owner=account_owner,
            signs=address in signatories,
            # Nobody holds the signatory role yet: the owners give it (or hold it).
            give_signatory_role=not signatories and address in owners,
            pays=pays,
            by_card=by_card,
            membership_url=link("membership.overview"),
            organisation_url=link("partners.organisation"),
            sign_url=link("agreements.detail", agreement_id=agreement.id),
        )


def reject_application(actor: User, application: Application, reason: str) -> None:
    if not reason.strip():
        raise DomainError(_("Give the reason: the applicant receives it by email."), field="reason")
    _decide(actor, application)
    application.status = ApplicationStatus.REJECTED
    application.staff_message = reason.strip()
    if application.organisation.status is OrganisationStatus.APPLICANT:
        application.organisation.status = OrganisationStatus.REGISTERED
    audit.record("application.rejected", actor=actor, target=application, reason=reason.strip())
    notify(
        partners.recipients(application.organisation),
        "application_rejected",
        subject=_l("About your membership application"),
        application=application,
    )


def request_more_information(actor: User, application: Application, message: str) -> None:
    if not message.strip():
        raise DomainError(_("Say what you need: the applicant receives it by email."), field="message")
    if application.status is not ApplicationStatus.SUBMITTED:
        raise DomainError(_("Only a submitted application can be sent back for changes."))
    application.status = ApplicationStatus.MORE_INFO
    application.staff_message = message.strip()
    audit.record("application.more_info_requested", actor=actor, target=application, message=message.strip())
    notify(
        partners.recipients(application.organisation),
        "application_more_info",
        subject=_l("We need a little more information"),
        application=application,
        edit_url=link("membership.apply"),
    )
