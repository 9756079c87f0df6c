"""Queries behind the console's lists (filters, search, pagination stay out of the views)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..auth.models import PlatformRole, User
from ..core.models import AuditEvent
from ..extensions import db
from ..partners.models import Organisation, OrganisationStatus


def _like(term: str) -> str:
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    status: str = ""


def users_query(filters: UserFilters) -> sa.Select:
    stmt = (
        sa.select(User)
        .options(selectinload(User.organisation))
        .order_by(User.created_at.desc(), User.id.desc())
    )
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.outerjoin(Organisation, User.organisation_id == Organisation.id).where(
            sa.or_(
                sa.func.lower(User.email).like(pattern, escape="\\"),
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                sa.func.lower(Organisation.legal_name).like(pattern, escape="\\"),
            )
        )
    if filters.role in {r.value for r in PlatformRole}:
        stmt = stmt.where(User.platform_role == PlatformRole(filters.role))
    if filters.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif filters.status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif filters.status == "unverified":
        stmt = stmt.where(User.email_verified_at.is_(None))
    return stmt


@dataclass
class OrganisationFilters:
    q: str = ""
    country: str = ""
    status: str = ""
    owner: str = ""  # "none": organisations nobody looks after yet


def organisations_query(filters: OrganisationFilters) -> sa.Select:
    stmt = (
        sa.select(Organisation)
        .options(selectinload(Organisation.account_owner))
        .order_by(Organisation.created_at.desc(), Organisation.id.desc())
    )
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Organisation.legal_name).like(pattern, escape="\\"),
                sa.func.lower(Organisation.trading_name).like(pattern, escape="\\"),
            )
        )
    if filters.country:
        stmt = stmt.where(Organisation.country == filters.country.upper()[:2])
    if filters.status in {s.value for s in OrganisationStatus}:
        stmt = stmt.where(Organisation.status == OrganisationStatus(filters.status))
    if filters.owner == "none":
        stmt = stmt.where(Organisation.account_owner_id.is_(None))
    return stmt


def staff_members() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.platform_role != PlatformRole.PARTNER, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def applications_waiting() -> int:
    from ..membership.models import Application, ApplicationStatus

    return int(
        db.session.scalar(
            sa.select(sa.func.count(Application.id)).where(Application.status == ApplicationStatus.SUBMITTED)
        )
        or 0
    )


def agreements_to_countersign() -> int:
    from ..agreements.models import Agreement, AgreementStatus

    return int(
        db.session.scalar(
            sa.select(sa.func.count(Agreement.id)).where(Agreement.status == AgreementStatus.PARTNER_SIGNED)
        )
        or 0
    )


def unassigned_organisations() -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Organisation.id)).where(Organisation.account_owner_id.is_(None))
        )
        or 0
    )


def member_counts(organisation_ids: list[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.organisation_id, sa.func.count(User.id))
        .where(User.organisation_id.in_(organisation_ids), User.active.is_(True))
        .group_by(User.organisation_id)
    ).all()
    return {org_id: count for org_id, count in rows}


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_query(action: str = "", actor: str = "") -> sa.Select:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(sa.func.lower(AuditEvent.actor_email).like(_like(actor), escape="\\"))
    return stmt


def dashboard_counts() -> dict[str, int]:
    def count(stmt: sa.Select) -> int:
        return int(db.session.scalar(stmt) or 0)

    return {
        "organisations": count(sa.select(sa.func.count(Organisation.id))),
        "partners": count(
            sa.select(sa.func.count(User.id)).where(
                User.platform_role == PlatformRole.PARTNER, User.active.is_(True)
            )
        ),
        "unverified": count(sa.select(sa.func.count(User.id)).where(User.email_verified_at.is_(None))),
        "staff": count(sa.select(sa.func.count(User.id)).where(User.platform_role != PlatformRole.PARTNER)),
        "unassigned": unassigned_organisations(),
    }
