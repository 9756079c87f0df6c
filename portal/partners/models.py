"""The tenancy: the organisation (a partner company, the tenant that owns everything a partner
sees), the roles its users hold in it, and invitations to join it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..auth.models import User
from ..auth.viewer import add_viewer_options
from ..core.countries import country_name, local_country_name
from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db


class OrganisationStatus(enum.Enum):
    REGISTERED = "registered"  # signed up, no membership yet
    APPLICANT = "applicant"
    MEMBER = "member"
    LAPSED = "lapsed"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return ORGANISATION_STATUS_LABELS[self]


class SizeBand(enum.Enum):
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-249"
    LARGE = "250-999"
    ENTERPRISE = "1000+"

    @property
    def label(self) -> str:
        return _l("%(band)s employees", band=self.value)


# The stored value (English, data) and the label shown.
SECTOR_LABELS = {
    "Advanced manufacturing": _l("Advanced manufacturing"),
    "Agri-food": _l("Agri-food"),
    "Automotive and mobility": _l("Automotive and mobility"),
    "Chemicals and materials": _l("Chemicals and materials"),
    "Construction and built environment": _l("Construction and built environment"),
    "Consumer goods": _l("Consumer goods"),
    "Defence and security": _l("Defence and security"),
    "Digital and software": _l("Digital and software"),
    "Energy and utilities": _l("Energy and utilities"),
    "Environmental services": _l("Environmental services"),
    "Financial services": _l("Financial services"),
    "Healthcare and medical devices": _l("Healthcare and medical devices"),
    "Life sciences and pharma": _l("Life sciences and pharma"),
    "Logistics and transport": _l("Logistics and transport"),
    "Media and creative": _l("Media and creative"),
    "Public sector": _l("Public sector"),
    "Space and aerospace": _l("Space and aerospace"),
    "Telecommunications": _l("Telecommunications"),
    "Other": _l("Other"),
}
SECTORS = list(SECTOR_LABELS)


ORGANISATION_STATUS_LABELS = {
    OrganisationStatus.REGISTERED: _l("Registered"),
    OrganisationStatus.APPLICANT: _l("Applicant"),
    OrganisationStatus.MEMBER: _l("Member"),
    OrganisationStatus.LAPSED: _l("Lapsed"),
    OrganisationStatus.SUSPENDED: _l("Suspended"),
}


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (sa.Index("ix_organisation_created_at_id", "created_at", "id"),)  # the console list

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    trading_name: Mapped[str] = mapped_column(sa.String(200), default="")
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    registration_number: Mapped[str] = mapped_column(sa.String(64), default="")
    vat_number: Mapped[str] = mapped_column(sa.String(32), default="")
    address_line1: Mapped[str] = mapped_column(sa.String(200), default="")
    address_line2: Mapped[str] = mapped_column(sa.String(200), default="")
    postcode: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    sector: Mapped[str] = mapped_column(sa.String(80), default="")
    size_band: Mapped[SizeBand | None] = mapped_column(enum_column(SizeBand))
    status: Mapped[OrganisationStatus] = mapped_column(
        enum_column(OrganisationStatus), default=OrganisationStatus.REGISTERED, index=True
    )
    account_owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL", use_alter=True), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id", order_by="User.id"
    )
    account_owner: Mapped[User | None] = relationship(foreign_keys=[account_owner_id])

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trading_name or self.legal_name

    @property
    def country_name(self) -> str:
        """In English: the form documents snapshot (invoices, agreements) and the console shows."""
        return country_name(self.country)

    @property
    def local_country_name(self) -> str:
        """In the reader's language, for partner pages and emails."""
        return local_country_name(self.country)


class OrgRole(enum.Enum):
    """Declared in the order they are shown."""

    OWNER = "owner"
    SIGNATORY = "signatory"
    BILLING = "billing"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return ORG_ROLE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(OrgRole).index(self)


ORG_ROLE_LABELS = {
    OrgRole.OWNER: _l("Owner / admin"),
    OrgRole.SIGNATORY: _l("Legal signatory"),
    OrgRole.BILLING: _l("Billing contact"),
    OrgRole.MEMBER: _l("Member"),
}


class UserOrgRole(db.Model):
    __tablename__ = "user_org_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[OrgRole] = mapped_column(enum_column(OrgRole), primary_key=True)


# The tenancy on the user (auth/models.py declares the column, not the meaning): the organisation a
# partner user belongs to and the roles held in it.
User.organisation = relationship(Organisation, foreign_keys=[User.organisation_id], back_populates="users")
User.role_grants = relationship(
    UserOrgRole, cascade="all, delete-orphan", lazy="selectin", order_by=UserOrgRole.role
)
# The signed-in user comes with both, and with the organisation's account owner (the dashboard's
# contact), in the one query of auth/viewer.py.
add_viewer_options(
    joinedload(User.role_grants),
    # (the owner's own roles are not needed: no second query for them)
    joinedload(User.organisation).joinedload(Organisation.account_owner).lazyload(User.role_grants),
)


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
