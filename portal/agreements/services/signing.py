"""Signatures: the partner signatory signs, an admin countersigns, the agreement is executed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth.models import PlatformRole, User
from ...core import audit, signals
from ...core.database import insert_if_absent, lock_for_update
from ...core.errors import DomainError
from ...core.i18n import current_language
from ...core.links import link
from ...core.mail import notify, queue_email
from ...core.types import utcnow
from ...extensions import db
from ...partners import services as partners
from ...partners.models import OrgRole
from ..models import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    SignatoryParty,
    StandingCountersignature,
)
from .lifecycle import end_agreement
from .standing import countersign_under_standing


def signing_statement(agreement: Agreement, party: SignatoryParty) -> str:
    name = agreement.params["partner" if party is SignatoryParty.PARTNER else "institution"]
    legal = name.get("legal_name") or name.get("name")
    # In the signer's language: the statement recorded is the one the page showed them.
    return _(
        "I confirm that I am authorised to sign agreement %(number)s on behalf of %(organisation)s, "
        "and I sign it electronically.",
        number=agreement.number,
        organisation=legal,
    )


def _status_word(status: AgreementStatus) -> str:
    """A status inside a sentence: lower case, except in German, where the nouns keep their capital."""
    return status.label if current_language() == "de" else status.label.lower()


@dataclass(frozen=True)
class Evidence:
    full_name: str
    title: str
    confirmed: bool
    shown_sha256: str
    ip: str
    user_agent: str
    other_name: bool = False  # the signer confirmed a name unlike their account's


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name: case, accents, punctuation, spacing and word order aside."""

    def words(value: str) -> list[str]:
        plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
        return sorted(re.sub(r"[^\w]+", " ", plain.casefold()).split())

    return words(a) == words(b)


def standing_statement(standing: StandingCountersignature) -> str:
    """What a signature given under a standing countersignature says (certificate and /verify)."""
    return (
        f"Countersigned under the standing authorisation of {standing.signer_name}, "
        f"given {standing.given_at:%d %B %Y}."
    )


def _record_signature(
    user: User,
    agreement: Agreement,
    party: SignatoryParty,
    evidence: Evidence,
    standing: StandingCountersignature | None = None,
) -> None:
    if not evidence.confirmed:
        raise DomainError(_("Confirm that you have authority to sign."), field="confirm")
    name = " ".join(evidence.full_name.split())
    if not name:  # one character is a name in several scripts (李, 王); nothing is not
        raise DomainError(_("Type your full name as your signature."), field="full_name")
    differs = not same_name(name, user.full_name)
    if differs and not evidence.other_name:
        raise DomainError(
            _(
                "This is not the name on your account (%(name)s). To sign with it, tick the box that "
                "confirms it; we point it out to the institution.",
                name=user.full_name,
            ),
            field="full_name",
        )
    if not evidence.title.strip():
        raise DomainError(_("Type your position."), field="title")
    if evidence.shown_sha256 != agreement.pdf_sha256:
        raise DomainError(_("The document changed since you opened it. Read the current version, then sign."))
    inserted = insert_if_absent(
        AgreementSignature,
        agreement_id=agreement.id,
        party=party,
        user_id=user.id,
        user_email=user.email,
        full_name=name[:120],
        name_differs=differs,
        title=evidence.title.strip()[:120],
        statement=standing_statement(standing) if standing else signing_statement(agreement, party),
        signed_at=utcnow(),
        ip=(evidence.ip or "")[:45],
        user_agent=(evidence.user_agent or "")[:400],
        document_sha256=agreement.pdf_sha256,
        standing_id=standing.id if standing else None,
    )
    if not inserted:
        raise DomainError(_("This agreement has already been signed."))
    db.session.expire(agreement, ["signatures"])
    audit.record(
        f"agreement.signed_{party.value}",
        actor=user,
        target=agreement,
        sha256=agreement.pdf_sha256,
        **({"standing_countersignature": standing.id, "automatic": True} if standing else {}),
    )


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
        raise DomainError(_("Only a signatory of your organisation can sign agreements."))
    lock_for_update(agreement)
    if agreement.status is not AgreementStatus.ISSUED:
        raise DomainError(
            _("This agreement has already been signed.")
            if agreement.status in (AgreementStatus.PARTNER_SIGNED, AgreementStatus.EXECUTED)
            else _(
                "This agreement is %(status)s and cannot be signed.", status=_status_word(agreement.status)
            )
        )
    _record_signature(user, agreement, SignatoryParty.PARTNER, evidence)
    if not agreement.countersignature_required:
        _execute(user, agreement)
        return
    agreement.status = AgreementStatus.PARTNER_SIGNED
    if countersign_under_standing(agreement):  # authorised in advance: executed now
        return
    # Only those who may countersign are asked to (administrators; the programme's address when
    # there is none), not the account owner, a Partnership Development Officer who may not.
    admins = list(
        db.session.scalars(
            sa.select(User.email).where(User.platform_role == PlatformRole.ADMIN, User.active.is_(True))
        )
    )
    notify(
        sorted(admins) or [current_app.config["CONTACT_EMAIL"]],
        "agreement_partner_signed",
        subject=_l(
            "%(organisation)s signed %(number)s: countersignature needed",
            organisation=agreement.organisation.display_name,
            number=agreement.number,
        ),
        agreement=agreement,
        review_url=link("admin.agreement_detail", agreement_id=agreement.id),
    )


def countersign(
    user: User,
    agreement: Agreement,
    evidence: Evidence,
    standing: StandingCountersignature | None = None,
) -> None:
    """An administrator signs for the institution (by hand, or under a standing countersignature
    they were given); the agreement is then executed."""
    if not user.is_admin:
        raise DomainError(_("Only an administrator can countersign for the institution."))
    lock_for_update(agreement)
    if agreement.status is not AgreementStatus.PARTNER_SIGNED:
        raise DomainError(
            _("This agreement has already been countersigned.")
            if agreement.status is AgreementStatus.EXECUTED
            else _("Only an agreement signed by the partner can be countersigned.")
        )
    _record_signature(user, agreement, SignatoryParty.INSTITUTION, evidence, standing)
    _execute(user, agreement, standing)


def _execute(actor: User, agreement: Agreement, standing: StandingCountersignature | None = None) -> None:
    agreement.status = AgreementStatus.EXECUTED
    agreement.executed_at = utcnow()
    audit.record(
        "agreement.executed",
        actor=actor,
        target=agreement,
        **({"standing_countersignature": standing.id, "automatic": True} if standing else {}),
    )
    if agreement.replaces is not None and agreement.replaces.status is AgreementStatus.EXECUTED:
        reason = f"Replaced by {agreement.number}."
        end_agreement(agreement.replaces, AgreementStatus.SUPERSEDED, reason, actor)
    download_url = link("agreements.detail", agreement_id=agreement.id)
    notify(
        partners.recipients(agreement.organisation, OrgRole.SIGNATORY, OrgRole.OWNER),
        "agreement_executed",
        subject=_l("Agreement %(number)s is executed", number=agreement.number),
        agreement=agreement,
        download_url=download_url,
        staff=False,
    )
    owner = agreement.organisation.account_owner
    if owner is not None:
        queue_email(
            owner.email,
            _l(
                "Agreement %(number)s with %(organisation)s is executed",
                number=agreement.number,
                organisation=agreement.organisation.display_name,
            ),
            "agreement_executed",
            agreement=agreement,
            download_url=link("admin.agreement_detail", agreement_id=agreement.id),
            staff=True,
        )
    signals.agreements.executed.send(agreement)
