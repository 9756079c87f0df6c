"""Reading the register: an organisation's agreements, the partnership agreement in play, replacements."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ...core.database import prepared
from ...core.errors import DomainError
from ...extensions import db
from ...partners.models import Organisation
from ..models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
)


def agreement_for_page(agreement_id: int) -> Agreement | None:
    """An agreement with what its page shows (organisation and its users, template, signatures)
    loaded in the same round trip, none lazily from the template."""
    return db.session.get(
        Agreement,
        agreement_id,
        options=[
            joinedload(Agreement.organisation).selectinload(Organisation.users),
            joinedload(Agreement.template),
            selectinload(Agreement.signatures),
        ],
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
                _(
                    "Partnership agreement %(number)s is still open: issue, void or finish it first.",
                    number=row.number,
                )
            )
        if replaces is None or row.id != replaces.id:
            raise DomainError(
                _(
                    "Partnership agreement %(number)s is in force: prepare a replacement from its page.",
                    number=row.number,
                )
            )


def agreements_of(organisation: Organisation, include_drafts: bool = False) -> list[Agreement]:
    stmt = sa.select(Agreement).where(Agreement.organisation_id == organisation.id)
    if not include_drafts:
        stmt = stmt.where(Agreement.status != AgreementStatus.DRAFT)
    return list(db.session.scalars(stmt.order_by(Agreement.created_at.desc(), Agreement.id.desc())))


@prepared
def _awaiting_signature() -> sa.Select:
    return (
        sa.select(Agreement)
        .where(
            Agreement.organisation_id == sa.bindparam("organisation_id"),
            Agreement.status == AgreementStatus.ISSUED,
        )
        .order_by(Agreement.id)
    )


def awaiting_signature(organisation: Organisation) -> list[Agreement]:
    return list(db.session.scalars(_awaiting_signature(), {"organisation_id": organisation.id}))


def partnership_agreement_of(organisation_id: int) -> Agreement | None:
    """The organisation's current partnership agreement (issued, signed or executed, the newest),
    with its signatures: what the membership waits on."""
    return db.session.scalar(
        sa.select(Agreement)
        .where(
            Agreement.organisation_id == organisation_id,
            Agreement.kind == AgreementKind.PARTNERSHIP,
            Agreement.status.in_(
                [AgreementStatus.ISSUED, AgreementStatus.PARTNER_SIGNED, AgreementStatus.EXECUTED]
            ),
        )
        .options(selectinload(Agreement.signatures))
        .order_by(Agreement.id.desc())
        .limit(1)
    )
