"""The technology catalog: listings, the researcher directory, domains, files, licensing leads,
saved searches and what the digests and statistics keep.

Which fields a reader may see is the disclosure ladder's business (`services/ladder.py`): the
teaser fields (reference, title, benefit, TRL, IP status, domain, image) are public once a
listing is published and out of first look; the partner detail fields (problem, solution,
advantages, applications, keywords, patent numbers, licensing options, inventors, lab) need a tier
whose catalog level allows them; the dossier (`dossier_summary` and the dossier files) also needs
the organisation's acceptance of the current NDA.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.i18n import current_language
from ..core.types import UTCDateTime, enum_column, utcnow
from ..extensions import db
from ..partners.models import Organisation


class IpStatus(enum.Enum):
    PATENT_APPLICATION = "patent_application"
    GRANTED_PATENT = "granted_patent"
    PCT_APPLICATION = "pct_application"
    SOFTWARE_COPYRIGHT = "software_copyright"
    KNOW_HOW = "know_how"
    OPEN_SOURCE = "open_source"

    @property
    def label(self) -> str:
        return {
            "patent_application": _("Patent application"),
            "granted_patent": _("Granted patent"),
            "pct_application": _("PCT application"),
            "software_copyright": _("Software copyright"),
            "know_how": _("Know-how"),
            "open_source": _("Open source"),
        }[self.value]


class LicensingOption(enum.Enum):
    EXCLUSIVE = "exclusive"
    NON_EXCLUSIVE = "non_exclusive"
    FIELD_OF_USE = "field_of_use"
    OPTION = "option"
    OPEN_SOURCE_LICENCE = "open_source_licence"
    COLLABORATION = "collaboration"

    @property
    def label(self) -> str:
        return {
            "exclusive": _("Exclusive licence"),
            "non_exclusive": _("Non-exclusive licence"),
            "field_of_use": _("Field-of-use licence"),
            "option": _("Option"),
            "open_source_licence": _("Open source licence"),
            "collaboration": _("Research collaboration"),
        }[self.value]


OPTION_VALUES = frozenset(o.value for o in LicensingOption)


class TechnologyStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNDER_OPTION = "under_option"
    LICENSED = "licensed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {
            "draft": _("Draft"),
            "published": _("Available"),
            "under_option": _("Under option"),
            "licensed": _("Licensed"),
            "archived": _("Archived"),
        }[self.value]

    @property
    def listed(self) -> bool:
        """Shown in the catalog (to whoever the ladder allows)."""
        return self in LISTED_STATUSES


LISTED_STATUSES = (TechnologyStatus.PUBLISHED, TechnologyStatus.UNDER_OPTION, TechnologyStatus.LICENSED)


class Domain(db.Model):
    """A field of application (cybersecurity, FinTech ...); admins manage the list."""

    __tablename__ = "catalog_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # {"fr": "Cybersécurité", "de": "Cybersicherheit"}; English is `name`.
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    display_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return (self.translations or {}).get(language) or self.name

    @property
    def shown_name(self) -> str:
        return self.name_in(current_language())


class Researcher(db.Model):
    """The researcher directory (staff-managed): inventors of technologies, experts for challenges.
    An internal entry is seen by staff only; a public one by everyone the ladder lets see the
    inventors of a listing."""

    __tablename__ = "researcher"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    group: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")  # group / lab
    role: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    expertise: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    profile: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    public: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )  # their portal account
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


technology_inventor = sa.Table(
    "technology_inventor",
    db.metadata,
    sa.Column("technology_id", sa.ForeignKey("technology.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("researcher_id", sa.ForeignKey("researcher.id", ondelete="RESTRICT"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.Index("ix_technology_inventor_researcher", "researcher_id"),
)


class Technology(db.Model):
    __tablename__ = "technology"
    __table_args__ = (
        sa.Index("ix_technology_status_published", "status", "published_at", "id"),
        sa.Index("ix_technology_domain", "domain_id", "status"),
        sa.Index("ix_technology_trl", "trl"),
        # the catalog's default order (newest first) walks this index and stops after a page
        sa.Index("ix_technology_published_at", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)  # T-2026-0042, or imported
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # teaser (public)
    title: Mapped[str] = mapped_column(sa.String(200))
    benefit: Mapped[str] = mapped_column(sa.String(300), default="")
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalog_domain.id", ondelete="RESTRICT"))
    trl: Mapped[int] = mapped_column(default=1)
    ip_status: Mapped[IpStatus] = mapped_column(enum_column(IpStatus), default=IpStatus.KNOW_HOW)
    image_key: Mapped[str | None] = mapped_column(sa.String(120))  # a storage key (public image)
    # partner detail
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    advantages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    applications: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    patent_numbers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    licensing_options: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # LicensingOption values
    lab: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # dossier (NDA)
    dossier_summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # lifecycle
    status: Mapped[TechnologyStatus] = mapped_column(
        enum_column(TechnologyStatus), default=TechnologyStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_look_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    domain: Mapped[Domain | None] = relationship()
    inventors: Mapped[list[Researcher]] = relationship(
        secondary=technology_inventor, order_by=technology_inventor.c.position
    )
    files: Mapped[list[TechnologyFile]] = relationship(
        back_populates="technology", order_by="TechnologyFile.id", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def options(self) -> list[LicensingOption]:
        return [LicensingOption(v) for v in self.licensing_options or [] if v in OPTION_VALUES]

    def in_first_look(self, now: datetime | None = None) -> bool:
        return self.first_look_until is not None and self.first_look_until > (now or utcnow())


class TechnologySequence(db.Model):
    """The last reference number used in a year (T-2026-0042), allocated in the listing's own
    transaction under a row lock."""

    __tablename__ = "technology_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class FileKind(enum.Enum):
    IMAGE = "image"  # public, shown with the teaser
    DOSSIER = "dossier"  # under NDA


class TechnologyFile(db.Model):
    """An uploaded image or dossier document; the bytes live in core.storage under `storage_key`."""

    __tablename__ = "technology_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    technology_id: Mapped[int] = mapped_column(sa.ForeignKey("technology.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FileKind] = mapped_column(enum_column(FileKind))
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    technology: Mapped[Technology] = relationship(back_populates="files")


class LeadStatus(enum.Enum):
    NEW = "new"
    IN_DISCUSSION = "in_discussion"
    TERM_SHEET = "term_sheet"
    LICENSED = "licensed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "new": _("New"),
            "in_discussion": _("In discussion"),
            "term_sheet": _("Term sheet"),
            "licensed": _("Licensed"),
            "declined": _("Declined"),
        }[self.value]


class Lead(db.Model):
    """A partner's licensing interest in a technology, handled by the organisation's account owner."""

    __tablename__ = "licensing_lead"
    __table_args__ = (sa.Index("ix_licensing_lead_status_created", "status", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technology_id: Mapped[int] = mapped_column(
        sa.ForeignKey("technology.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    intended_use: Mapped[str] = mapped_column(sa.Text, default="")
    field_of_use: Mapped[str] = mapped_column(sa.String(200), default="")
    territory: Mapped[str] = mapped_column(sa.String(200), default="")
    timeline: Mapped[str] = mapped_column(sa.String(200), default="")
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[LeadStatus] = mapped_column(enum_column(LeadStatus), default=LeadStatus.NEW)
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    technology: Mapped[Technology] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])

    def __str__(self) -> str:
        return f"lead #{self.id}"


class DigestFrequency(enum.Enum):
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {"daily": _("Daily"), "weekly": _("Weekly")}[self.value]


class SavedSearch(db.Model):
    """A partner user's saved catalog search (the query string's parameters) with its digest."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # q, domain, trl_min ...
    frequency: Mapped[DigestFrequency] = mapped_column(
        enum_column(DigestFrequency), default=DigestFrequency.WEEKLY
    )
    active: Mapped[bool] = mapped_column(default=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return self.name


class DigestEntry(db.Model):
    """A technology announced by a saved search's digest: the unique pair makes each technology
    announced once per saved search, however often the digest job runs."""

    __tablename__ = "digest_entry"
    __table_args__ = (sa.UniqueConstraint("saved_search_id", "technology_id", name="uq_digest_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(sa.ForeignKey("saved_search.id", ondelete="CASCADE"))
    technology_id: Mapped[int] = mapped_column(sa.ForeignKey("technology.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TechnologyDailyStat(db.Model):
    """Views of a listing per day (one row per listing and day, incremented in place)."""

    __tablename__ = "technology_daily_stat"

    technology_id: Mapped[int] = mapped_column(
        sa.ForeignKey("technology.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class CatalogState(db.Model):
    """One row: a token that changes whenever a listing, a domain or a directory entry changes (in
    the same transaction), so every app instance's cache of search results knows when it is stale
    (services/results_cache.py). A random token, not a counter: a rolled-back change never comes back
    as the token of a different catalog."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))
