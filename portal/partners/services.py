"""Organisation use cases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..auth.models import Invitation, OrgRole, User
from ..core import audit
from ..core.errors import DomainError
from ..core.types import utcnow
from ..extensions import db
from .models import Organisation, SizeBand

PROFILE_FIELDS = (
    "legal_name",
    "trading_name",
    "country",
    "registration_number",
    "vat_number",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "website",
    "sector",
)


def update_profile(actor: User, organisation: Organisation, values: dict[str, Any]) -> list[str]:
    """Apply profile changes; returns the names of the fields that changed."""
    changed: list[str] = []
    for name in PROFILE_FIELDS:
        new = (values.get(name) or "").strip()
        if getattr(organisation, name) != new:
            setattr(organisation, name, new)
            changed.append(name)
    size = SizeBand(values["size_band"]) if values.get("size_band") else None
    if organisation.size_band != size:
        organisation.size_band = size
        changed.append("size_band")
    if changed:
        audit.record("organisation.updated", actor=actor, target=organisation, fields=changed)
    return changed


def assign_account_owner(actor: User, organisation: Organisation, officer: User | None) -> None:
    """Staff pick the Partnership Development Officer who looks after this organisation."""
    if officer is not None and (not officer.is_staff or not officer.active):
        raise DomainError("The account owner must be an active member of the TTO staff.")
    before = organisation.account_owner.email if organisation.account_owner else None
    organisation.account_owner = officer
    audit.record(
        "organisation.account_owner_set",
        actor=actor,
        target=organisation,
        organisation_id=organisation.id,
        before=before,
        after=officer.email if officer else None,
    )


def recipients(organisation: Organisation, *roles: OrgRole) -> list[str]:
    """Email addresses of the organisation's active people holding any of `roles` (owners by default)."""
    wanted = set(roles or {OrgRole.OWNER})
    return sorted({u.email for u in members(organisation) if u.org_roles & wanted})


def members(organisation: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == organisation.id, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )
