"""The lifecycle staff drive: issue (a partnership on approval too), void, replace."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth.models import User
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...partners import services as partners
from ...partners.models import Organisation, OrgRole
from ..models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
)
from .generation import Terms, create_agreement, terms_of
from .queries import open_replacement, partnerships_in_play


def issue(actor: User | None, agreement: Agreement, *, announce: bool = True) -> None:
    """Draft -> issued: the partner's signatories see it and are emailed (unless the caller's own
    email announces it: `announce=False`)."""
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError(_("Only a draft can be issued."))
    agreement.status = AgreementStatus.ISSUED
    agreement.issued_at = utcnow()
    audit.record("agreement.issued", actor=actor, target=agreement)
    if not announce:
        return
    # Signatories sign; without one, the owners hear of it (they can give the role).
    signatories = partners.recipients(agreement.organisation, OrgRole.SIGNATORY)
    notify(
        signatories or partners.recipients(agreement.organisation, OrgRole.OWNER),
        "agreement_issued",
        subject=_l("Agreement %(number)s is ready for your signature", number=agreement.number),
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
    announce: bool = True,
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
            end_agreement(old, AgreementStatus.SUPERSEDED, reason, actor)
        else:
            end_agreement(old, AgreementStatus.VOID, f"Replaced by {agreement.number} on approval.", actor)
    issue(actor, agreement, announce=announce)
    return agreement


def end_agreement(agreement: Agreement, status: AgreementStatus, reason: str, actor: User | None) -> None:
    agreement.status = status
    agreement.ended_at = utcnow()
    agreement.end_reason = reason
    audit.record(f"agreement.{status.value}", actor=actor, target=agreement, reason=reason)


def void(actor: User, agreement: Agreement, reason: str) -> None:
    lock_for_update(agreement)
    if not reason.strip():
        raise DomainError(_("Give the reason: it stays on the record."), field="reason")
    if not agreement.status.is_open:
        raise DomainError(
            _(
                "An executed agreement cannot be voided; issue a replacement, which supersedes it once "
                "executed."
            )
        )
    end_agreement(agreement, AgreementStatus.VOID, reason.strip(), actor)


def prepare_replacement(actor: User, agreement: Agreement, tier: Any = None) -> Agreement:
    """A new draft with the same terms that supersedes `agreement` once executed (a partnership
    agreement takes the `tier` the caller passes: the membership's current one)."""
    lock_for_update(agreement)  # two clicks, one replacement
    if agreement.status is not AgreementStatus.EXECUTED:
        raise DomainError(_("Only an executed agreement is replaced; void an open one instead."))
    pending = open_replacement(agreement)
    if pending is not None:
        raise DomainError(
            _("%(number)s already replaces this agreement; finish or void it first.", number=pending.number)
        )
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
