"""Automatic approval: the denied-parties list, approval rules per tier, and revoking an automatic
approval. A submitted application that a rule of its tier matches is approved at once through
`approve_application`, the service staff use, so the invoice, agreement and emails follow as for a
manual approval; one that matches no rule waits in the staff queue.

Matching on the denied-parties list is on normalised values: company names compared without
case, diacritics or punctuation, as whole words (an entry "Acme Robotics" blocks "ACME-Robotics
GmbH"); numbers compared on their letters and digits (with or without the VAT country prefix). An
entry matches when every field it gives matches (a country alone blocks every company of it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...agreements import services as agreements
from ...agreements.models import AgreementStatus
from ...auth.models import User
from ...billing import gateway
from ...core import audit
from ...core.countries import is_country_code
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ...partners import services as partners
from ...partners import vat
from ...partners.models import Organisation, OrganisationStatus
from ..models import (
    Application,
    ApplicationStatus,
    ApprovalRule,
    DeniedParty,
    Invoice,
    InvoiceStatus,
    MembershipStatus,
    PaymentMethod,
    Tier,
)
from .access import membership_of

# --- normalisation ------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """Lower case, no diacritics (ß -> ss, é -> e), punctuation as spaces, single-spaced."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())[:200]


def number_key(number: str) -> str:
    """Letters and digits only, upper case: "DE 136.695-976" -> "DE136695976"."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKD", number)).upper()[:64]


def _numbers_match(entry: str, company: str) -> bool:
    if not entry or not company:
        return False
    if entry == company:
        return True
    # A VAT number with its country prefix and the same number without it.
    return (entry[:2].isalpha() and entry[2:] == company) or (company[:2].isalpha() and company[2:] == entry)


# --- the denied-parties list -----------------------------------------------------------------


@dataclass(frozen=True)
class DeniedPartyData:
    name: str
    country: str
    number: str
    note: str


def denied_parties() -> list[DeniedParty]:
    return list(db.session.scalars(sa.select(DeniedParty).order_by(DeniedParty.name_key, DeniedParty.id)))


def add_denied_party(actor: User, data: DeniedPartyData) -> DeniedParty:
    if not actor.is_admin:
        raise DomainError(_("Only an administrator can change the denied-parties list."))
    name, number, country = data.name.strip(), data.number.strip(), data.country.strip().upper()
    if country and not is_country_code(country):
        raise DomainError(_("Choose a country from the list."), field="country")
    if not (name_key(name) or number_key(number) or country):
        raise DomainError(_("Give a company name, a registration or VAT number, or a country."), field="name")
    party = DeniedParty(
        name=name[:200],
        name_key=name_key(name),
        country=country,
        number=number[:64],
        number_key=number_key(number),
        note=data.note.strip()[:500],
        created_by_id=actor.id,
    )
    db.session.add(party)
    db.session.flush()
    audit.record(
        "denied_party.added", actor=actor, target=party, name=party.name, country=country, number=party.number
    )
    return party


def remove_denied_party(actor: User, party: DeniedParty) -> None:
    if not actor.is_admin:
        raise DomainError(_("Only an administrator can change the denied-parties list."))
    audit.record(
        "denied_party.removed",
        actor=actor,
        target=party,
        name=party.name,
        country=party.country,
        number=party.number,
    )
    db.session.delete(party)
    db.session.flush()


def denied_match(application: Application) -> DeniedParty | None:
    """The first entry of the list the application's company matches, or None."""
    organisation = application.organisation
    names = [f" {k} " for k in {name_key(organisation.legal_name), name_key(organisation.trading_name)} if k]
    numbers = {
        number_key(n)
        for n in (application.vat_number, organisation.vat_number, organisation.registration_number)
        if n
    }
    for party in denied_parties():
        if party.name_key and not any(f" {party.name_key} " in n for n in names):
            continue
        if party.number_key and not any(_numbers_match(party.number_key, n) for n in numbers):
            continue
        if party.country and party.country != organisation.country.upper():
            continue
        return party
    return None


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleData:
    name: str
    tier_id: int | None
    require_not_denied: bool
    require_tax_number: bool
    require_card: bool
    account_owner_id: int | None
    active: bool


def approval_rules() -> list[ApprovalRule]:
    return list(
        db.session.scalars(
            sa.select(ApprovalRule)
            .options(joinedload(ApprovalRule.tier), joinedload(ApprovalRule.account_owner))
            .order_by(ApprovalRule.id)
        )
    )


def save_rule(actor: User, rule: ApprovalRule | None, data: RuleData) -> ApprovalRule:
    if not actor.is_admin:
        raise DomainError(_("Only an administrator can change approval rules."))
    if not data.name.strip():
        raise DomainError(_("Name the rule."), field="name")
    tier = db.session.get(Tier, data.tier_id) if data.tier_id else None
    if tier is None:
        raise DomainError(_("Choose the tier the rule approves."), field="tier")
    owner = db.session.get(User, data.account_owner_id) if data.account_owner_id else None
    if owner is None or not owner.is_staff or not owner.active:
        raise DomainError(
            _(
                "Choose the Partnership Development Officer who will look after partners approved by this "
                "rule."
            ),
            field="account_owner",
        )
    if not (data.require_not_denied and data.require_tax_number):
        raise DomainError(
            _(
                "An automatic approval always checks the denied-parties list and the VAT or registration "
                "number."
            ),
            field="require_not_denied",
        )
    if data.require_card and not tier.stripe_price_id:
        raise DomainError(
            _(
                "%(tier)s has no Stripe price, so nobody can pay it by card: give it one first.",
                tier=tier.name,
            ),
            field="require_card",
        )
    created = rule is None
    if rule is None:
        rule = ApprovalRule(created_by_id=actor.id)
        db.session.add(rule)
    rule.name = data.name.strip()[:120]
    rule.tier = tier
    rule.require_not_denied = data.require_not_denied
    rule.require_tax_number = data.require_tax_number
    rule.require_card = data.require_card
    rule.account_owner_id = owner.id
    rule.active = data.active
    db.session.flush()
    audit.record(
        "approval_rule.created" if created else "approval_rule.updated",
        actor=actor,
        target=rule,
        tier=tier.slug,
        conditions=rule.conditions,
        account_owner=owner.email,
        active=rule.active,
    )
    return rule


def has_valid_tax_number(application: Application) -> bool:
    """An EU company: its VAT number passes the check digits for its country (as checked on
    submission). Elsewhere (no common format to check): a VAT, tax or company registration number of
    at least five letters and digits, with a digit in it."""
    organisation = application.organisation
    numbers = [application.vat_number or organisation.vat_number]
    if vat.is_eu(organisation.country):
        return bool(numbers[0]) and vat.vat_problem(numbers[0], organisation.country) is None
    numbers.append(organisation.registration_number)
    return any(len(k) >= 5 and any(c.isdigit() for c in k) for k in map(number_key, filter(None, numbers)))


def card_offered(tier: Tier) -> bool:
    return bool(gateway.enabled() and tier.stripe_price_id)


def unmet_conditions(rule: ApprovalRule, application: Application) -> list[str]:
    """What keeps `rule` from approving `application` (empty: it approves)."""
    unmet = []
    if rule.require_not_denied and denied_match(application) is not None:
        unmet.append("on the denied-parties list")
    if rule.require_tax_number and not has_valid_tax_number(application):
        unmet.append("no valid VAT or registration number")
    if rule.require_card and not (
        application.payment_method is PaymentMethod.CARD and card_offered(application.tier)
    ):
        unmet.append("does not pay by card")
    return unmet


def approve_automatically(application: Application) -> ApprovalRule | None:
    """Approve a just-submitted application if an active rule of its tier matches (the first by
    id), through `approve_application` with no staff actor. None: it waits for staff."""
    if application.status is not ApplicationStatus.SUBMITTED:
        return None
    rules = db.session.scalars(
        sa.select(ApprovalRule)
        .where(ApprovalRule.tier_id == application.tier_id, ApprovalRule.active.is_(True))
        .order_by(ApprovalRule.id)
    ).all()
    for rule in rules:
        owner = rule.account_owner
        if owner is None or not owner.active or not owner.is_staff:
            continue
        if unmet_conditions(rule, application):
            continue
        from .applications import approve_application  # applications calls this module

        try:
            with db.session.begin_nested():  # a refusal leaves the application to staff, intact
                approve_application(None, application, owner, rule=rule)
        except DomainError as exc:
            audit.record(
                "application.auto_approval_failed", target=application, rule=rule.name, reason=exc.message
            )
            return None
        return rule
    return None


# --- revoking an automatic approval ---------------------------------------------------------


def revoke_automatic_approval(actor: User, application: Application, reason: str) -> None:
    """Staff take an automatic approval back before anything was paid: the invoice and the
    partnership agreement it issued are void, the membership is cancelled, and the application is
    back in the queue as submitted, for staff to approve, reject or ask for more (the services for
    those decisions take it from there)."""
    if not actor.is_staff:
        raise DomainError(_("Only staff can revoke an automatic approval."))
    lock_for_update(application)
    if not application.approved_automatically:
        raise DomainError(
            _("Only an application approved automatically, and not revoked, can be revoked here.")
        )
    if not reason.strip():
        raise DomainError(
            _("Give the reason: it stays on the record and the applicant receives it."), field="reason"
        )
    organisation: Organisation = application.organisation
    membership = membership_of(organisation)
    if membership is None or membership.application_id != application.id:
        raise DomainError(_("This approval no longer governs the organisation's membership."))
    lock_for_update(membership)
    paid = db.session.scalar(
        sa.select(sa.func.count(Invoice.id)).where(
            Invoice.membership_id == membership.id,
            sa.or_(Invoice.status == InvoiceStatus.PAID, Invoice.payments.any()),
        )
    )
    if (
        membership.status is not MembershipStatus.AWAITING_PAYMENT
        or membership.stripe_subscription_id
        or paid
    ):
        raise DomainError(
            _(
                "A payment was already received for this membership; it can no longer be revoked here. "
                "Cancel the membership from Stripe or contact the partner."
            )
        )
    reason = reason.strip()
    now = utcnow()
    for invoice in db.session.scalars(
        sa.select(Invoice).where(Invoice.membership_id == membership.id, Invoice.status == InvoiceStatus.OPEN)
    ):
        invoice.status = InvoiceStatus.VOID
        audit.record(
            "invoice.voided",
            actor=actor,
            target=invoice,
            organisation_id=organisation.id,
            reason="automatic approval revoked",
        )
    source = f"membership:{membership.id}"
    for agreement in agreements.partnerships_in_play(organisation):
        if agreement.source == source and agreement.status is not AgreementStatus.VOID:
            agreements.end_agreement(
                agreement, AgreementStatus.VOID, f"Automatic approval revoked: {reason}", actor
            )
    membership.status = MembershipStatus.CANCELLED
    organisation.status = OrganisationStatus.APPLICANT
    application.status = ApplicationStatus.SUBMITTED
    application.auto_revoked_at = now
    # The time of the last decision: a card checkout opened before it is not this approval's.
    application.decided_at = now
    application.decided_by = actor
    rule = application.approval_rule
    audit.record(
        "application.auto_approval_revoked",
        actor=actor,
        target=application,
        rule=rule.name if rule else None,
        rule_id=application.approval_rule_id,
        reason=reason,
    )
    notify(
        partners.recipients(organisation),
        "application_approval_revoked",
        subject=_l("Your membership application is back under review"),
        application=application,
        reason=reason,
        membership_url=link("membership.overview"),
    )
