"""Users and second-factor recovery codes.

Auth knows people, passwords, sessions, tokens and second factors. The tenancy (which organisation
a user belongs to, the roles held there, invitations) belongs to `partners`, which attaches
`User.organisation` and `User.role_grants` in partners/models.py; the `org_roles` helpers below
only read those grants."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..core.i18n import register_reader_lookup
from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db


class PlatformRole(enum.Enum):
    PARTNER = "partner"
    STAFF = "staff"
    ADMIN = "admin"
    RESEARCHER = "researcher"  # the institution's scientists: challenges shared with them, no console

    @property
    def label(self) -> str:
        labels = {
            "partner": _("Partner"),
            "staff": _("TTO staff"),
            "admin": _("TTO admin"),
            "researcher": _("Researcher"),
        }
        return labels[self.value]


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (sa.Index("ix_user_created_at_id", "created_at", "id"),)  # the console list

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
    locale: Mapped[str | None] = mapped_column(sa.String(5))  # en | fr | de; None: the browser's
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))  # IANA name; None: the browser's
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_counter: Mapped[int | None] = mapped_column(sa.BigInteger)

    # `organisation` and `role_grants` are attached by partners/models.py (the tenancy).

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
    def is_researcher(self) -> bool:
        return self.platform_role is PlatformRole.RESEARCHER

    @property
    def is_admin(self) -> bool:
        return self.platform_role is PlatformRole.ADMIN

    @property
    def needs_second_factor(self) -> bool:
        return self.is_staff or self.totp_enabled_at is not None

    @property
    def org_roles(self) -> set:
        """The roles this user holds in their organisation (partners.models.OrgRole members)."""
        return {grant.role for grant in self.role_grants}

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in sorted(self.org_roles, key=lambda role: role.rank)]

    def has_org_role(self, *roles: Any) -> bool:
        """Roles given as OrgRole members or their values ("owner", "signatory", ...)."""
        wanted = {getattr(role, "value", role) for role in roles}
        return any(grant.role.value in wanted for grant in self.role_grants)

    def end_all_sessions(self) -> None:
        self.session_version += 1


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _reader_of(address: str):
    """The language and time zone an email to `address` is written in (core.i18n.reader_of)."""
    return db.session.execute(
        sa.select(User.locale, User.time_zone).where(User.email == address)
    ).one_or_none()


register_reader_lookup(_reader_of)
