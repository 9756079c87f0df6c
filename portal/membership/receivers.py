"""What membership hears from the layers below it (core/signals.py), and what it answers them."""

from __future__ import annotations

import sqlalchemy as sa

from ..agreements.models import Agreement, AgreementKind
from ..core import signals
from ..extensions import db
from ..partners.models import Organisation
from . import services
from .models import Application, ApplicationStatus, Membership


@signals.agreements.executed.connect
def partnership_executed(agreement: Agreement, **_: object) -> None:
    """A paid membership waiting for its partnership agreement becomes active."""
    if agreement.kind is AgreementKind.PARTNERSHIP:
        services.partnership_executed(agreement.organisation)


@signals.agreements.partner_signatory.connect
def partner_signatory(organisation: Organisation, **_: object) -> tuple[str, str] | None:
    """The signatory named in the organisation's latest approved application."""
    application = db.session.scalar(
        sa.select(Application)
        .where(
            Application.organisation_id == organisation.id, Application.status == ApplicationStatus.APPROVED
        )
        .order_by(Application.id.desc())
        .limit(1)
    )
    return (application.signatory_name, application.signatory_title) if application else None


@signals.agreements.agreement_tier.connect
def agreement_tier(agreement: Agreement, **_: object) -> int | None:
    """A partnership agreement issued on approval is for its membership's tier."""
    if agreement.kind is not AgreementKind.PARTNERSHIP or not agreement.source.startswith("membership:"):
        return None
    membership_id = agreement.source.removeprefix("membership:")
    if not membership_id.isdigit():
        return None
    return db.session.scalar(sa.select(Membership.tier_id).where(Membership.id == int(membership_id)))


@signals.partners.seat_limit.connect
def seat_limit(organisation: Organisation, **_: object) -> int | None:
    """The tier's seat limit (no membership, no tier limit)."""
    return services.seat_limit(organisation)
