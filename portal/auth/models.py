"""Users, their roles inside an organisation, invitations and second-factor recovery codes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..partners.models import Organisation


class PlatformRole(enum.Enum):
    PARTNER = "partner"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"partner": "Partner", "staff": "TTO staff", "admin": "TTO admin"}[self.value]


class OrgRole(enum.Enum):
    """Declared in the order they are shown."""

    OWNER = "owner"
    SIGNATORY = "signatory"
    BILLING = "billing"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return ORG_ROLE_LABELS[self]


ORG_ROLE_LABELS = {
    OrgRole.OWNER: "Owner / admin",
    OrgRole.SIGNATORY: "Legal signatory",
    OrgRole.BILLING: "Billing contact",
    OrgRole.MEMBER: "Member",
}


class UserOrgRole(db.Model):
    __tablename__ = "user_org_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[OrgRole] = mapped_column(enum_column(OrgRole), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(sa.String(120))
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    platform_role: Mapped[PlatformRole] = mapped_column(
        enum_column(PlatformRole), default=PlatformRole.PARTNER, index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_counter: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[organisation_id], back_populates="users"
    )
    role_grants: Mapped[list[UserOrgRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserOrgRole.role
    )

    def __str__(self) -> str:
        return self.email

    # Flask-Login: the session version inside the id makes old cookies worthless once bumped.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.platform_role in (PlatformRole.STAFF, PlatformRole.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.platform_role is PlatformRole.ADMIN

    @property
    def needs_second_factor(self) -> bool:
        return self.is_staff or self.totp_enabled_at is not None

    @property
    def org_roles(self) -> set[OrgRole]:
        return {grant.role for grant in self.role_grants}

    @property
    def role_labels(self) -> list[str]:
        held = self.org_roles
        return [role.label for role in OrgRole if role in held]

    def has_org_role(self, *roles: str | OrgRole) -> bool:
        wanted = {OrgRole(r) if isinstance(r, str) else r for r in roles}
        return bool(self.org_roles & wanted)

    def set_org_roles(self, roles: set[OrgRole]) -> None:
        current = {grant.role: grant for grant in self.role_grants}
        for role in set(current) - roles:
            self.role_grants.remove(current[role])
        for role in roles - set(current):
            self.role_grants.append(UserOrgRole(role=role))

    def end_all_sessions(self) -> None:
        self.session_version += 1


class Invitation(db.Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"invitation for {self.email}"

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in OrgRole if role.value in self.roles]


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
