"""Standing countersignatures: an admin authorises the institution's signature in advance for a
published template version and a membership tier; agreements under it are countersigned, through
the same `countersign` service as by hand, the moment the partner signs."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...core import audit, signals
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.types import utcnow
from ...extensions import db
from ..models import (
    Agreement,
    AgreementStatus,
    AgreementTemplate,
    SignatoryParty,
    StandingCountersignature,
)


def standing_countersignatures() -> list[StandingCountersignature]:
    """All of them, newest first, with what the console shows."""
    return list(
        db.session.scalars(
            sa.select(StandingCountersignature)
            .options(
                joinedload(StandingCountersignature.template), joinedload(StandingCountersignature.signer)
            )
            .order_by(StandingCountersignature.id.desc())
        )
    )


def give_standing(
    actor: User,
    template: AgreementTemplate | None,
    tier_id: int | None,
    signer: User | None,
    title: str,
    valid_until: date | None,
    today: date | None = None,
) -> StandingCountersignature:
    """An admin authorises `signer` (an active admin, who may countersign) to sign in advance."""
    today = today or date.today()
    if not actor.is_admin:
        raise DomainError(_("Only an administrator can authorise the institution's signature."))
    if template is None or not template.is_published:
        raise DomainError(_("Choose a published template version."), field="template")
    if tier_id is None:
        raise DomainError(_("Choose the membership tier."), field="tier")
    if signer is None or not signer.is_admin or not signer.active:
        raise DomainError(_("Choose an administrator who may countersign."), field="signer")
    if not title.strip():
        raise DomainError(_("Give the signer's title, as the agreement will print it."), field="title")
    if valid_until is None or valid_until < today:
        raise DomainError(_("Choose a date from today on."), field="valid_until")
    standing = StandingCountersignature(
        template_id=template.id,
        tier_id=tier_id,
        signer_id=signer.id,
        signer_name=signer.full_name,
        signer_title=title.strip()[:120],
        valid_until=valid_until,
        given_by_id=actor.id,
    )
    db.session.add(standing)
    db.session.flush()
    audit.record(
        "standing_countersignature.given",
        actor=actor,
        target=standing,
        template=str(template),
        tier_id=tier_id,
        signer=signer.email,
        title=standing.signer_title,
        valid_until=valid_until.isoformat(),
    )
    return standing


def revoke_standing(actor: User, standing: StandingCountersignature, reason: str) -> None:
    if not actor.is_admin:
        raise DomainError(_("Only an administrator can revoke a standing countersignature."))
    lock_for_update(standing)
    if standing.revoked_at is not None:
        raise DomainError(_("This standing countersignature is already revoked."))
    if not reason.strip():
        raise DomainError(_("Give the reason: it stays on the record."), field="reason")
    standing.revoked_at = utcnow()
    standing.revoked_by_id = actor.id
    standing.revoke_reason = reason.strip()
    audit.record("standing_countersignature.revoked", actor=actor, target=standing, reason=reason.strip())


def standing_for(agreement: Agreement, today: date | None = None) -> StandingCountersignature | None:
    """The standing countersignature in force for this agreement now (its template version and
    tier), with a signer who may still countersign; None means staff countersign by hand."""
    if not agreement.countersignature_required:
        return None
    tiers = signals.values(signals.agreements.agreement_tier, agreement)
    if not tiers:
        return None
    today = today or date.today()
    candidates = db.session.scalars(
        sa.select(StandingCountersignature)
        .options(joinedload(StandingCountersignature.signer))
        .where(
            StandingCountersignature.template_id == agreement.template_id,
            StandingCountersignature.tier_id == tiers[0],
            StandingCountersignature.revoked_at.is_(None),
            StandingCountersignature.valid_until >= today,
        )
        .order_by(StandingCountersignature.id.desc())
    )
    return next((s for s in candidates if s.signer.is_admin and s.signer.active), None)


def countersign_under_standing(agreement: Agreement, today: date | None = None) -> bool:
    """Countersign a partner-signed agreement under the standing countersignature in force, if
    any, with the manual path's `countersign`. Safe to call any number of times: only a
    partner-signed agreement is countersigned, once (the caller holds the agreement's lock)."""
    from .signing import Evidence, countersign  # signing calls this module back

    if agreement.status is not AgreementStatus.PARTNER_SIGNED:
        return False
    if agreement.signature_of(SignatoryParty.INSTITUTION) is not None:
        return False
    standing = standing_for(agreement, today)
    if standing is None:
        return False
    countersign(
        standing.signer,
        agreement,
        Evidence(
            full_name=standing.signer_name,
            title=standing.signer_title,
            confirmed=True,
            other_name=True,  # the name the admin authorised, whatever their account says today
            shown_sha256=agreement.pdf_sha256 or "",
            ip="",
            user_agent=f"standing countersignature #{standing.id}",
        ),
        standing=standing,
    )
    return True
