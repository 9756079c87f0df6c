"""Agreement use cases: templates, generation, issue, signatures, execution, verification.

Services flush and never commit; the caller commits once per use case. Rendering the executed
PDF is a separate step (`render_executed`) that callers run after committing the signature, so a
failed render never loses a signature; `render_pending` retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..auth.models import PlatformRole, User
from ..core import audit, pdf, signals
from ..core.countries import country_name
from ..core.database import insert_if_absent, lock_for_update, next_in_sequence
from ..core.errors import DomainError
from ..core.institution import agreement_party
from ..core.links import link
from ..core.mail import queue_email
from ..core.money import format_money
from ..core.types import utcnow
from ..extensions import db
from ..partners import services as partners
from ..partners.models import Organisation, OrgRole
from . import rendering
from .models import (
    Agreement,
    AgreementKind,
    AgreementSequence,
    AgreementSignature,
    AgreementStatus,
    SignatoryParty,
)
from .rendering import long_date
from .templates import ensure_default_template, template_info

log = logging.getLogger("liaison.agreements")


# --- templates -------------------------------------------------------------------------------


# --- generation ------------------------------------------------------------------------------


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
    AgreementKind.LICENCE: {"subject": "Name the technology."},
    AgreementKind.COLLABORATION: {"subject": "Name the project."},
    AgreementKind.NDA: {"purpose": "Say what the information is exchanged for."},
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
    people = [u for u in organisation.users if u.active and OrgRole.SIGNATORY in u.org_roles]
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
    membership: dict[str, Any] = {
        key: "" for key in rendering.FIELDS["membership"] if key not in ("benefits",)
    } | {"benefits": []}
    if tier is not None:
        membership = {
            "tier": tier.name,
            "fee": format_money(tier.annual_fee_cents, tier.currency),
            "benefits": list(tier.benefits or []),
            "seat_limit": tier.seat_limit or "",
            "challenge_limit": tier.challenge_limit or "",
            "catalog_access": tier.catalog_access.label,
            "first_look_days": tier.first_look_days or 0,
        }
    return {
        "agreement": {
            "number": number,
            "title": terms.title.strip() or kind.label,
            "kind": kind.value,
            "date": long_date(today),
            "start_on": long_date(start),
            "start_iso": start.isoformat(),
            "end_on": long_date(end),
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


def _validate_terms(kind: AgreementKind, terms: Terms) -> None:
    if not 1 <= terms.term_months <= 120:
        raise DomainError("The term is between 1 and 120 months.", field="term_months")
    if terms.start_on is not None and not (
        date.today() - timedelta(days=366) <= terms.start_on <= date.today() + timedelta(days=5 * 366)
    ):
        raise DomainError(
            "Choose a start date within a year before and five years after today.", field="start_on"
        )
    if not 0 <= (terms.option_months or 0) <= 36:
        raise DomainError("The option period is between 0 and 36 months.", field="option_months")
    for name, message in REQUIRED_TERMS.get(kind, {}).items():
        if not getattr(terms, name).strip():
            raise DomainError(message, field=name)


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
        raise DomainError("A partnership agreement needs the organisation's membership tier.")
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


def issue(actor: User | None, agreement: Agreement) -> None:
    """Draft -> issued: the partner's signatories see it and are emailed."""
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError("Only a draft can be issued.")
    agreement.status = AgreementStatus.ISSUED
    agreement.issued_at = utcnow()
    audit.record("agreement.issued", actor=actor, target=agreement)
    # Signatories sign; without one, the owners hear of it (they can give the role).
    signatories = partners.recipients(agreement.organisation, OrgRole.SIGNATORY)
    for address in signatories or partners.recipients(agreement.organisation, OrgRole.OWNER):
        queue_email(
            address,
            f"Agreement {agreement.number} is ready for your signature",
            "agreement_issued",
            agreement=agreement,
            to_signatory=bool(signatories),
            sign_url=link("agreements.detail", agreement_id=agreement.id),
        )


def issue_partnership(
    actor: User | None,
    organisation: Organisation,
    tier: Any,
    *,
    source: str,
    period_start: date | None = None,
    signatory: tuple[str, str] | None = None,
) -> Agreement:
    """Approving an application generates and issues the partnership agreement for its tier.

    A returning member's earlier partnership agreements end here: an unsigned offer is void, an
    executed one (of the membership that lapsed) is superseded by the new agreement, so access waits
    for the new signature."""
    earlier = partnerships_in_play(organisation)
    agreement = create_agreement(
        actor,
        organisation,
        AgreementKind.PARTNERSHIP,
        Terms(title=f"Partnership Agreement: {tier.name} tier", start_on=period_start),
        tier=tier,
        source=source,
        signatory=signatory,
    )
    for old in earlier:
        if old.status is AgreementStatus.EXECUTED:
            reason = f"Replaced by {agreement.number}, issued when the membership was approved again."
            _end(old, AgreementStatus.SUPERSEDED, reason, actor)
        else:
            _end(old, AgreementStatus.VOID, f"Replaced by {agreement.number} on approval.", actor)
    issue(actor, agreement)
    return agreement


def update_draft(actor: User, agreement: Agreement, terms: Terms, tier: Any = None) -> None:
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError("Only a draft can be changed; issue a replacement instead.")
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


def _end(agreement: Agreement, status: AgreementStatus, reason: str, actor: User | None) -> None:
    agreement.status = status
    agreement.ended_at = utcnow()
    agreement.end_reason = reason
    audit.record(f"agreement.{status.value}", actor=actor, target=agreement, reason=reason)


def void(actor: User, agreement: Agreement, reason: str) -> None:
    lock_for_update(agreement)
    if not reason.strip():
        raise DomainError("Give the reason: it stays on the record.", field="reason")
    if not agreement.status.is_open:
        raise DomainError(
            "An executed agreement cannot be voided; issue a replacement, which supersedes it once executed."
        )
    _end(agreement, AgreementStatus.VOID, reason.strip(), actor)


def prepare_replacement(actor: User, agreement: Agreement, tier: Any = None) -> Agreement:
    """A new draft with the same terms that supersedes `agreement` once executed (a partnership
    agreement takes the `tier` the caller passes: the membership's current one)."""
    lock_for_update(agreement)  # two clicks, one replacement
    if agreement.status is not AgreementStatus.EXECUTED:
        raise DomainError("Only an executed agreement is replaced; void an open one instead.")
    pending = open_replacement(agreement)
    if pending is not None:
        raise DomainError(f"{pending.number} already replaces this agreement; finish or void it first.")
    return create_agreement(
        actor,
        agreement.organisation,
        agreement.kind,
        terms_of(agreement),
        tier=tier,
        source="" if agreement.source == "nda-gate" else agreement.source,
        replaces=agreement,
        countersignature_required=True,  # a text staff prepared is signed by both sides
    )


def open_replacement(agreement: Agreement) -> Agreement | None:
    return db.session.scalar(
        sa.select(Agreement).where(
            Agreement.replaces_id == agreement.id,
            Agreement.status.in_([s for s in AgreementStatus if s.is_open]),
        )
    )


def partnerships_in_play(organisation: Organisation) -> list[Agreement]:
    """The organisation's partnership agreements that are open or in force (not void or superseded)."""
    return list(
        db.session.scalars(
            sa.select(Agreement).where(
                Agreement.organisation_id == organisation.id,
                Agreement.kind == AgreementKind.PARTNERSHIP,
                Agreement.status.in_([s for s in AgreementStatus if s.is_open] + [AgreementStatus.EXECUTED]),
            )
        )
    )


def check_partnership_slot(organisation: Organisation, replaces: Agreement | None) -> None:
    """One partnership agreement at a time: a new one replaces the one in force, and none is
    prepared while another is still open (approvals handle their own: `issue_partnership`)."""
    for row in partnerships_in_play(organisation):
        if row.status.is_open:
            raise DomainError(
                f"Partnership agreement {row.number} is still open: issue, void or finish it first."
            )
        if replaces is None or row.id != replaces.id:
            raise DomainError(
                f"Partnership agreement {row.number} is in force: prepare a replacement from its page."
            )


# --- signatures ------------------------------------------------------------------------------


def signing_statement(agreement: Agreement, party: SignatoryParty) -> str:
    name = agreement.params["partner" if party is SignatoryParty.PARTNER else "institution"]
    legal = name.get("legal_name") or name.get("name")
    return (
        f"I confirm that I am authorised to sign agreement {agreement.number} on behalf of {legal}, "
        "and I sign it electronically."
    )


@dataclass(frozen=True)
class Evidence:
    full_name: str
    title: str
    confirmed: bool
    shown_sha256: str
    ip: str
    user_agent: str


def _record_signature(user: User, agreement: Agreement, party: SignatoryParty, evidence: Evidence) -> None:
    if not evidence.confirmed:
        raise DomainError("Confirm that you have authority to sign.", field="confirm")
    if len(evidence.full_name.strip()) < 3:
        raise DomainError("Type your full name as your signature.", field="full_name")
    if not evidence.title.strip():
        raise DomainError("Type your position.", field="title")
    if evidence.shown_sha256 != agreement.pdf_sha256:
        raise DomainError("The document changed since you opened it. Read the current version, then sign.")
    inserted = insert_if_absent(
        AgreementSignature,
        agreement_id=agreement.id,
        party=party,
        user_id=user.id,
        user_email=user.email,
        full_name=evidence.full_name.strip()[:120],
        title=evidence.title.strip()[:120],
        statement=signing_statement(agreement, party),
        signed_at=utcnow(),
        ip=(evidence.ip or "")[:45],
        user_agent=(evidence.user_agent or "")[:400],
        document_sha256=agreement.pdf_sha256,
    )
    if not inserted:
        raise DomainError("This agreement has already been signed.")
    db.session.expire(agreement, ["signatures"])
    audit.record(f"agreement.signed_{party.value}", actor=user, target=agreement, sha256=agreement.pdf_sha256)


def is_signatory_of(user: User, organisation_id: int) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id == organisation_id
        and user.has_org_role(OrgRole.SIGNATORY)
    )


def can_sign(user: User, agreement: Agreement) -> bool:
    return is_signatory_of(user, agreement.organisation_id)


def sign_as_partner(user: User, agreement: Agreement, evidence: Evidence) -> None:
    """The organisation's signatory signs the issued document (one signature, however many clicks)."""
    if not can_sign(user, agreement):
        raise DomainError("Only a signatory of your organisation can sign agreements.")
    lock_for_update(agreement)
    if agreement.status is not AgreementStatus.ISSUED:
        raise DomainError(
            "This agreement has already been signed."
            if agreement.status in (AgreementStatus.PARTNER_SIGNED, AgreementStatus.EXECUTED)
            else f"This agreement is {agreement.status.label.lower()} and cannot be signed."
        )
    _record_signature(user, agreement, SignatoryParty.PARTNER, evidence)
    if not agreement.countersignature_required:
        _execute(user, agreement)
        return
    agreement.status = AgreementStatus.PARTNER_SIGNED
    owner = agreement.organisation.account_owner
    admins = db.session.scalars(
        sa.select(User.email).where(User.platform_role == PlatformRole.ADMIN, User.active.is_(True))
    )
    for address in sorted({*admins, owner.email if owner else current_app.config["CONTACT_EMAIL"]}):
        queue_email(
            address,
            f"{agreement.organisation.display_name} signed {agreement.number}: countersignature needed",
            "agreement_partner_signed",
            agreement=agreement,
            review_url=link("admin.agreement_detail", agreement_id=agreement.id),
        )


def countersign(user: User, agreement: Agreement, evidence: Evidence) -> None:
    """An administrator signs for the institution; the agreement is then executed."""
    if not user.is_admin:
        raise DomainError("Only an administrator can countersign for the institution.")
    lock_for_update(agreement)
    if agreement.status is not AgreementStatus.PARTNER_SIGNED:
        raise DomainError(
            "This agreement has already been countersigned."
            if agreement.status is AgreementStatus.EXECUTED
            else "Only an agreement signed by the partner can be countersigned."
        )
    _record_signature(user, agreement, SignatoryParty.INSTITUTION, evidence)
    _execute(user, agreement)


def _execute(actor: User, agreement: Agreement) -> None:
    agreement.status = AgreementStatus.EXECUTED
    agreement.executed_at = utcnow()
    audit.record("agreement.executed", actor=actor, target=agreement)
    if agreement.replaces is not None and agreement.replaces.status is AgreementStatus.EXECUTED:
        _end(agreement.replaces, AgreementStatus.SUPERSEDED, f"Replaced by {agreement.number}.", actor)
    download_url = link("agreements.detail", agreement_id=agreement.id)
    for address in partners.recipients(agreement.organisation, OrgRole.SIGNATORY, OrgRole.OWNER):
        queue_email(
            address,
            f"Agreement {agreement.number} is executed",
            "agreement_executed",
            agreement=agreement,
            download_url=download_url,
            staff=False,
        )
    owner = agreement.organisation.account_owner
    if owner is not None:
        queue_email(
            owner.email,
            f"Agreement {agreement.number} with {agreement.organisation.display_name} is executed",
            "agreement_executed",
            agreement=agreement,
            download_url=link("admin.agreement_detail", agreement_id=agreement.id),
            staff=True,
        )
    signals.agreements.executed.send(agreement)


# --- the executed PDF ------------------------------------------------------------------------


def _signature_values(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "party": s.party.value,
            "full_name": s.full_name,
            "title": s.title,
            "user_email": s.user_email,
            "signed_at": s.signed_at.strftime("%d %B %Y, %H:%M:%S UTC"),
            "ip": s.ip,
            "user_agent": s.user_agent,
            "document_sha256": s.document_sha256,
            "statement": s.statement,
        }
        for s in agreement.signatures
    ]


def executed_document(agreement: Agreement) -> bytes:
    """The executed PDF: the same terms with the signature blocks filled and a certificate page."""
    assert agreement.executed_at is not None
    return rendering.render_document(
        agreement.template.body,
        agreement.params,
        template_info(agreement.template),
        signatures=_signature_values(agreement),
        certificate={
            "document_sha256": agreement.pdf_sha256,
            "executed_at": agreement.executed_at.strftime("%d %B %Y, %H:%M:%S"),
            "verify_url": link("agreements.verify"),
            "countersigned": agreement.countersignature_required,
        },
    )


def render_executed(agreement: Agreement) -> bool:
    """Produce and store the executed PDF; on failure keep everything and leave it for a retry."""
    if agreement.executed_at is None or agreement.executed_sha256 is not None:
        return False
    agreement.render_attempts = (agreement.render_attempts or 0) + 1
    try:
        data = executed_document(agreement)
    except Exception:
        log.exception(
            "rendering the executed PDF of %s failed (attempt %s)",
            agreement.number,
            agreement.render_attempts,
        )
        return False
    agreement.executed_pdf = data
    agreement.executed_sha256 = pdf.sha256(data)
    agreement.executed_rendered_at = utcnow()
    audit.record("agreement.executed_pdf_stored", target=agreement, sha256=agreement.executed_sha256)
    return True


def render_pending() -> dict[str, int]:
    """Retry every executed agreement whose PDF is missing; one commit per agreement."""
    report = {"rendered": 0, "failed": 0}
    ids = db.session.scalars(
        sa.select(Agreement.id).where(Agreement.executed_at.is_not(None), Agreement.executed_sha256.is_(None))
    ).all()
    for agreement_id in ids:
        agreement = db.session.get(Agreement, agreement_id)
        ok = agreement is not None and render_executed(agreement)
        db.session.commit()
        report["rendered" if ok else "failed"] += 1
    return report


# --- reading and verifying -------------------------------------------------------------------


# --- the NDA gate ----------------------------------------------------------------------------


# --- lists -----------------------------------------------------------------------------------


def agreements_of(organisation: Organisation, include_drafts: bool = False) -> list[Agreement]:
    stmt = sa.select(Agreement).where(Agreement.organisation_id == organisation.id)
    if not include_drafts:
        stmt = stmt.where(Agreement.status != AgreementStatus.DRAFT)
    return list(db.session.scalars(stmt.order_by(Agreement.created_at.desc(), Agreement.id.desc())))


def awaiting_signature(organisation: Organisation) -> list[Agreement]:
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .where(Agreement.organisation_id == organisation.id, Agreement.status == AgreementStatus.ISSUED)
            .order_by(Agreement.id)
        )
    )
