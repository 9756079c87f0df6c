"""Generating agreements: the terms staff choose, the frozen snapshot, the offered PDF, drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth.models import User
from ...core import audit, pdf, signals
from ...core.countries import country_name
from ...core.database import next_in_sequence
from ...core.errors import DomainError
from ...core.institution import agreement_party
from ...core.money import format_money
from ...core.types import utcnow
from ...extensions import db
from ...partners.models import Organisation, OrgRole
from .. import rendering
from ..models import (
    Agreement,
    AgreementKind,
    AgreementSequence,
    AgreementStatus,
)
from ..rendering import long_date
from ..templates import ensure_default_template, template_info
from .queries import check_partnership_slot


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass
class Terms:
    """What staff choose when they prepare an agreement (kind-specific fields may stay empty)."""

    title: str = ""
    start_on: date | None = None
    term_months: int = 12
    language: str = "en"
    subject: str = ""
    purpose: str = ""
    field_of_use: str = ""
    territory: str = ""
    exclusive: bool = False
    upfront_fee: str = ""
    royalty: str = ""
    option_months: int = 0
    budget: str = ""
    lead_researcher: str = ""
    special_conditions: str = ""


REQUIRED_TERMS = {
    AgreementKind.LICENCE: {"subject": _l("Name the technology.")},
    AgreementKind.COLLABORATION: {"subject": _l("Name the project.")},
    AgreementKind.NDA: {"purpose": _l("Say what the information is exchanged for.")},
}


def _address(organisation: Organisation) -> str:
    city = f"{organisation.postcode} {organisation.city}".strip()
    return "\n".join(p for p in (organisation.address_line1, organisation.address_line2, city) if p)


def partner_signatory(organisation: Organisation) -> tuple[str, str]:
    """Who signs for the partner: the person a higher area names (membership: the approved
    application's signatory), else the organisation's first active user with the signatory role."""
    named = signals.values(signals.agreements.partner_signatory, organisation)
    if named:
        return named[0]
    active = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id == organisation.id, User.active.is_(True))
        .order_by(User.id)
    )
    people = [u for u in active if OrgRole.SIGNATORY in u.org_roles]
    return (people[0].full_name, people[0].job_title) if people else ("", "")


def build_params(
    organisation: Organisation,
    kind: AgreementKind,
    number: str,
    terms: Terms,
    tier: Any = None,
    signatory: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The frozen snapshot: every value the documents print, as plain JSON values. The caller passes
    the tier (partnership agreements) and may name the partner's signatory (name, title)."""
    today = date.today()
    start = terms.start_on or today
    end = add_months(start, terms.term_months) - timedelta(days=1)
    signatory_name, signatory_title = signatory or partner_signatory(organisation)
    # Dates and amounts as the agreement's language writes them, whoever prepares it.
    with rendering.in_document_language(terms.language):
        membership = _membership_values(tier)
        issued_on, starts_on, ends_on = long_date(today), long_date(start), long_date(end)
    return {
        "agreement": {
            "number": number,
            "title": terms.title.strip() or kind.label,
            "kind": kind.value,
            "date": issued_on,
            "start_on": starts_on,
            "start_iso": start.isoformat(),
            "end_iso": end.isoformat(),
            "end_on": ends_on,
            "term_months": terms.term_months,
            "language": terms.language,
        },
        "institution": agreement_party(),
        "partner": {
            "legal_name": organisation.legal_name,
            "trading_name": organisation.trading_name,
            "address": _address(organisation),
            "country": country_name(organisation.country),
            "registration_number": organisation.registration_number,
            "vat_number": organisation.vat_number,
            "signatory_name": signatory_name,
            "signatory_title": signatory_title,
        },
        "membership": membership,
        "terms": {
            "subject": terms.subject.strip(),
            "purpose": terms.purpose.strip(),
            "field_of_use": terms.field_of_use.strip(),
            "territory": terms.territory.strip(),
            "exclusive": bool(terms.exclusive),
            "upfront_fee": terms.upfront_fee.strip(),
            "royalty": terms.royalty.strip(),
            "option_months": terms.option_months or 0,
            "budget": terms.budget.strip(),
            "lead_researcher": terms.lead_researcher.strip(),
            "special_conditions": terms.special_conditions.strip(),
        },
    }


def _membership_values(tier: Any) -> dict[str, Any]:
    """The tier's terms as a partnership agreement prints them (empty for other kinds)."""
    if tier is None:
        return {key: "" for key in rendering.FIELDS["membership"] if key != "benefits"} | {"benefits": []}
    return {
        "tier": tier.name,
        "fee": format_money(tier.annual_fee_cents, tier.currency),
        "fee_cents": tier.annual_fee_cents,  # for pages, in the reader's format
        "currency": tier.currency,
        "benefits": list(tier.shown_benefits),  # in the agreement's language (the caller's context)
        "seat_limit": tier.seat_limit or "",
        "challenge_limit": tier.challenge_limit or "",
        "catalog_access": str(tier.catalog_access.label),
        "first_look_days": tier.first_look_days or 0,
    }


def _validate_terms(kind: AgreementKind, terms: Terms) -> None:
    if not 1 <= terms.term_months <= 120:
        raise DomainError(_("The term is between 1 and 120 months."), field="term_months")
    if terms.start_on is not None and not (
        date.today() - timedelta(days=366) <= terms.start_on <= date.today() + timedelta(days=5 * 366)
    ):
        raise DomainError(
            _("Choose a start date within a year before and five years after today."), field="start_on"
        )
    if not 0 <= (terms.option_months or 0) <= 36:
        raise DomainError(_("The option period is between 0 and 36 months."), field="option_months")
    for name, message in REQUIRED_TERMS.get(kind, {}).items():
        if not getattr(terms, name).strip():
            raise DomainError(str(message), field=name)


def next_agreement_number(year: int) -> str:
    number = next_in_sequence(AgreementSequence, year)
    return f"{current_app.config['AGREEMENT_PREFIX']}-{year}-{number:04d}"


def _render_offer(agreement: Agreement) -> None:
    """(Re)generate the document offered for signature from the snapshot."""
    agreement.pdf = rendering.render_document(
        agreement.template.body, agreement.params, template_info(agreement.template)
    )
    agreement.pdf_sha256 = pdf.sha256(agreement.pdf)
    agreement.generated_at = utcnow()


def create_agreement(
    actor: User | None,
    organisation: Organisation,
    kind: AgreementKind,
    terms: Terms,
    *,
    tier: Any = None,
    source: str = "",
    replaces: Agreement | None = None,
    countersignature_required: bool = True,
    signatory: tuple[str, str] | None = None,
) -> Agreement:
    """A draft agreement with its snapshot and its PDF (stored with the SHA-256). The caller passes
    the tier for a partnership agreement, and may name the partner's signatory."""
    _validate_terms(kind, terms)
    if kind is AgreementKind.PARTNERSHIP and tier is None:
        raise DomainError(_("A partnership agreement needs the organisation's membership tier."))
    if kind is AgreementKind.PARTNERSHIP and not source.startswith("membership:"):
        check_partnership_slot(organisation, replaces)
    template = ensure_default_template(kind, terms.language)
    number = next_agreement_number(date.today().year)
    agreement = Agreement(
        number=number,
        organisation=organisation,
        kind=kind,
        template=template,
        title=terms.title.strip() or kind.label,
        params=build_params(organisation, kind, number, terms, tier, signatory),
        source=source,
        replaces=replaces,
        countersignature_required=countersignature_required,
        created_by_id=actor.id if actor else None,
        status=AgreementStatus.DRAFT,
    )
    db.session.add(agreement)
    db.session.flush()
    _render_offer(agreement)
    audit.record("agreement.created", actor=actor, target=agreement, kind=kind.value, template=str(template))
    return agreement


def update_draft(actor: User, agreement: Agreement, terms: Terms, tier: Any = None) -> None:
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError(_("Only a draft can be changed; issue a replacement instead."))
    _validate_terms(agreement.kind, terms)
    agreement.title = terms.title.strip() or agreement.kind.label
    agreement.params = build_params(agreement.organisation, agreement.kind, agreement.number, terms, tier)
    _render_offer(agreement)
    audit.record("agreement.updated", actor=actor, target=agreement)


def terms_of(agreement: Agreement) -> Terms:
    """The staff-chosen terms back out of a snapshot (to edit a draft or prepare a replacement)."""
    p = agreement.params
    values = {key: p["terms"].get(key) for key in rendering.FIELDS["terms"]}
    return Terms(
        title=agreement.title,
        start_on=date.fromisoformat(p["agreement"]["start_iso"]) if p["agreement"].get("start_iso") else None,
        term_months=int(p["agreement"]["term_months"]),
        language=p["agreement"].get("language", "en"),
        **{k: v for k, v in values.items() if v is not None},
    )
