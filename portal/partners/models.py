"""The organisation: a partner company, the tenant that owns everything a partner sees."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import pycountry
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class OrganisationStatus(enum.Enum):
    REGISTERED = "registered"  # signed up, no membership yet
    APPLICANT = "applicant"
    MEMBER = "member"
    LAPSED = "lapsed"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SizeBand(enum.Enum):
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-249"
    LARGE = "250-999"
    ENTERPRISE = "1000+"

    @property
    def label(self) -> str:
        return f"{self.value} employees"


SECTORS = [
    "Advanced manufacturing",
    "Agri-food",
    "Automotive and mobility",
    "Chemicals and materials",
    "Construction and built environment",
    "Consumer goods",
    "Defence and security",
    "Digital and software",
    "Energy and utilities",
    "Environmental services",
    "Financial services",
    "Healthcare and medical devices",
    "Life sciences and pharma",
    "Logistics and transport",
    "Media and creative",
    "Public sector",
    "Space and aerospace",
    "Telecommunications",
    "Other",
]


class Organisation(db.Model):
    __tablename__ = "organisation"

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
        sa.ForeignKey("user.id", ondelete="SET NULL", use_alter=True)
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
        return country_name(self.country)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", code)


def country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


def is_country_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
