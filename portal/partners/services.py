"""Organisation use cases: the profile, the account owner, the people and their roles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..core import audit
from ..core.database import prepared
from ..core.errors import DomainError
from ..core.web import security_event
from ..extensions import db
from . import vat
from .models import Organisation, OrgRole, SizeBand, UserOrgRole

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
    """Apply profile changes; returns the names of the fields that changed. A VAT number is checked
    like the application's (EU numbers against the country of registration) and kept compact; an
    empty one stays allowed here (the application asks for it when the invoice needs it)."""
    values = dict(values)
    country, number = (values.get("country") or "").strip(), (values.get("vat_number") or "").strip()
    if number:
        problem = vat.vat_problem(number, country)
        if problem:
            raise DomainError(problem, field="vat_number")
        values["vat_number"] = vat.normalise_vat(number, country)
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


ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city")


def record_company_details(
    actor: User,
    organisation: Organisation,
    source: Any,
    *,
    registration_number: str = "",
    vat_number: str = "",
    address: tuple[str, str, str, str] | None = None,
) -> list[str]:
    """The company's identifiers and registered address as another area received them (membership:
    the application) become the profile's, so every document after it prints them. An empty
    identifier leaves the profile's alone; an address replaces the whole address (line 2 and the
    postcode may be empty). Returns the names of the fields that changed."""
    values = {"registration_number": registration_number.strip(), "vat_number": vat_number.strip()}
    values = {name: value for name, value in values.items() if value}
    if address is not None and address[0].strip():
        values |= {name: part.strip() for name, part in zip(ADDRESS_FIELDS, address, strict=True)}
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    for name in changed:
        setattr(organisation, name, values[name])
    if changed:
        audit.record(
            "organisation.updated", actor=actor, target=organisation, fields=changed, source=str(source)
        )
    return changed


def assign_account_owner(actor: User, organisation: Organisation, officer: User | None) -> None:
    """Staff pick the Partnership Development Officer who looks after this organisation."""
    if officer is not None and (not officer.is_staff or not officer.active):
        raise DomainError(_("The account owner must be an active member of the TTO staff."))
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


@prepared
def _member_count() -> sa.Select:
    return sa.select(sa.func.count(User.id)).where(
        User.organisation_id == sa.bindparam("organisation_id"), User.active.is_(True)
    )


def member_count(organisation: Organisation) -> int:
    return db.session.scalar(_member_count(), {"organisation_id": organisation.id})


def members(organisation: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == organisation.id, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def set_roles(user: User, roles: set[OrgRole]) -> None:
    """Grant exactly `roles` in the user's organisation."""
    current = {grant.role: grant for grant in user.role_grants}
    for role in set(current) - roles:
        user.role_grants.remove(current[role])
    for role in roles - set(current):
        user.role_grants.append(UserOrgRole(role=role))


# --- roles and removal inside an organisation --------------------------------------------


def _owners(organisation_id: int) -> list[User]:
    return [
        u
        for u in db.session.scalars(
            sa.select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
        )
        if OrgRole.OWNER in u.org_roles
    ]


def change_roles(actor: User, member: User, roles: set[OrgRole]) -> None:
    if member.organisation_id != actor.organisation_id:
        raise DomainError(_("This person is not in your organisation."))
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    owners = _owners(member.organisation_id)
    if OrgRole.OWNER not in roles and owners == [member]:
        raise DomainError(_("Your organisation needs at least one owner. Make someone else owner first."))
    before = sorted(r.value for r in member.org_roles)
    set_roles(member, roles)
    audit.record(
        "member.roles_changed",
        actor=actor,
        target=member,
        before=before,
        after=sorted(r.value for r in roles),
    )


def remove_member(actor: User, member: User) -> None:
    if member.organisation_id != actor.organisation_id:
        raise DomainError(_("This person is not in your organisation."))
    if member.id == actor.id:
        raise DomainError(_("You cannot remove yourself. Ask another owner to do it."))
    if OrgRole.OWNER in member.org_roles and len(_owners(member.organisation_id)) <= 1:
        raise DomainError(_("Your organisation needs at least one owner."))
    member.active = False
    member.end_all_sessions()
    audit.record("member.removed", actor=actor, target=member)
    security_event("member_removed", user_id=member.id, by=actor.id)
