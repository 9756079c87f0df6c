"""Applications: an owner applies for a tier; staff approve (membership, invoice, agreement),
reject or ask for more."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...agreements import services as agreements
from ...auth.models import User
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify, queue_email
from ...core.types import utcnow
from ...extensions import db
from ...partners import services as partners
from ...partners.models import Organisation, OrganisationStatus, OrgRole
from .. import vat
from ..models import (
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
from .invoices import issue_invoice


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
        .options(joinedload(Application.tier))
        .order_by(Application.id.desc())
        .limit(1)
    )


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
    application.billing_name = data.billing_name.strip()
    application.billing_email = data.billing_email.strip().lower()
    application.billing_address = data.billing_address.strip()
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
    if application.vat_number and not organisation.vat_number:
        organisation.vat_number = application.vat_number
    db.session.flush()
    audit.record("application.submitted", actor=actor, target=application, tier=application.tier.slug)
    if approval.approve_automatically(application) is None:
        _notify_staff_of_application(application)
    return application


def resubmit_application(actor: User, application: Application, data: ApplicationData) -> None:
    if application.status is not ApplicationStatus.MORE_INFO:
        raise DomainError(_("This application is not waiting for changes."))
    _apply_values(application, data, application.organisation)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    audit.record("application.resubmitted", actor=actor, target=application)
    db.session.flush()
    if approval.approve_automatically(application) is None:
        _notify_staff_of_application(application)


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
        **({"automatic": True, "rule": rule.name, "rule_id": rule.id} if rule is not None else {}),
    )
    notify(
        partners.recipients(organisation),
        "application_approved",
        subject=_l("Welcome to the %(programme)s", programme=current_app.config["PROGRAMME_NAME"]),
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
