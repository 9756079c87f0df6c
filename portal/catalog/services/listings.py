"""Writing listings: create, update, publish, archive, and keep the search indexes in step.

Two search indexes (core/search.py), written in the listing's own transaction:
- `technology_teaser`: the teaser fields only (title, benefit, reference, domain, IP status).
  Readers below partner detail search this one, so a word that is only in a partner field never
  finds a listing, never shows in a snippet and never changes a count for them.
- `technology`: every text field partners may see (never the dossier).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit, search
from ...core.database import next_in_sequence
from ...core.errors import DomainError
from ...core.types import utcnow
from ...extensions import db
from ..models import (
    OPTION_VALUES,
    Domain,
    IpStatus,
    Researcher,
    Technology,
    TechnologySequence,
    TechnologyStatus,
)

TEASER_INDEX = "technology_teaser"
DETAIL_INDEX = "technology"


def next_reference(year: int) -> str:
    return f"T-{year}-{next_in_sequence(TechnologySequence, year):04d}"


def slugify(text: str, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "technology"


def unique_slug(title: str, reference: str, own_id: int | None = None) -> str:
    base = slugify(title)
    for candidate in (base, f"{base}-{slugify(reference, 30)}"):
        clash = db.session.scalar(sa.select(Technology.id).where(Technology.slug == candidate))
        if clash is None or clash == own_id:
            return candidate
    return f"{base}-{own_id or utcnow().strftime('%f')}"


@dataclass
class TechnologyData:
    """What staff (or the CSV import) write about a listing."""

    title: str
    benefit: str = ""
    problem: str = ""
    solution: str = ""
    advantages: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    domain_id: int | None = None
    trl: int = 1
    ip_status: IpStatus = IpStatus.KNOW_HOW
    patent_numbers: list[str] = field(default_factory=list)
    licensing_options: list[str] = field(default_factory=list)
    lab: str = ""
    dossier_summary: str = ""
    inventor_ids: list[int] = field(default_factory=list)
    first_look_days: int | None = None  # None: leave the first-look window as it is

    def check(self) -> None:
        if not self.title.strip():
            raise DomainError(_("A technology needs a title."), "title")
        if not 1 <= int(self.trl) <= 9:
            raise DomainError(_("The TRL is a number from 1 to 9."), "trl")
        unknown = [o for o in self.licensing_options if o not in OPTION_VALUES]
        if unknown:
            raise DomainError(
                _("Unknown licensing option: %(options)s", options=", ".join(unknown)), "licensing_options"
            )


_COPIED = [f.name for f in fields(TechnologyData) if f.name not in ("inventor_ids", "first_look_days")]


def _clean_list(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = " ".join(str(value).split())
        if value and value not in seen:
            seen.append(value)
    return seen


def _apply(technology: Technology, data: TechnologyData) -> None:
    data.check()
    for name in _COPIED:
        value = getattr(data, name)
        if isinstance(value, list):
            value = _clean_list(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(technology, name, value)
    technology.inventors = _inventors(data.inventor_ids)
    if data.first_look_days is not None:
        start = technology.published_at or utcnow()
        technology.first_look_until = (
            start + timedelta(days=data.first_look_days) if data.first_look_days else None
        )


def _inventors(ids: list[int]) -> list[Researcher]:
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(sa.select(Researcher).where(Researcher.id.in_(ids)))}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def create_technology(
    data: TechnologyData,
    *,
    actor=None,
    reference: str | None = None,
    status: TechnologyStatus = TechnologyStatus.DRAFT,
    now: datetime | None = None,
) -> Technology:
    now = now or utcnow()
    reference = (reference or "").strip() or next_reference(now.year)
    if db.session.scalar(sa.select(Technology.id).where(Technology.reference == reference)) is not None:
        raise DomainError(_("The reference %(reference)s is taken.", reference=reference), "reference")
    technology = Technology(reference=reference, slug="", created_by_id=getattr(actor, "id", None))
    technology.status = TechnologyStatus.DRAFT
    db.session.add(technology)
    _apply(technology, data)
    technology.slug = unique_slug(technology.title, reference)
    db.session.flush()
    if status is not TechnologyStatus.DRAFT:
        set_status(technology, status, actor=actor, now=now, audited=False)
    index_technology(technology)
    audit.record("technology.created", actor=actor, target=technology, reference=reference)
    return technology


def update_technology(technology: Technology, data: TechnologyData, *, actor=None) -> list[str]:
    """Apply `data`; returns the names of the fields that changed (audited)."""
    before = {name: getattr(technology, name) for name in _COPIED}
    inventors_before = [r.id for r in technology.inventors]
    _apply(technology, data)
    changed = [name for name in _COPIED if getattr(technology, name) != before[name]]
    if [r.id for r in technology.inventors] != inventors_before:
        changed.append("inventors")
    if "title" in changed:
        technology.slug = unique_slug(technology.title, technology.reference, technology.id)
    db.session.flush()
    index_technology(technology)
    if changed:
        audit.record("technology.updated", actor=actor, target=technology, fields=changed)
    return changed


def set_status(
    technology: Technology,
    status: TechnologyStatus,
    *,
    actor=None,
    now: datetime | None = None,
    first_look_days: int | None = None,
    audited: bool = True,
) -> None:
    """Publish, put under option, mark licensed, archive or return to draft. Publishing the first
    time stamps the publication date and, with `first_look_days`, opens the first-look window."""
    now = now or utcnow()
    previous = technology.status
    listed = status not in (TechnologyStatus.DRAFT, TechnologyStatus.ARCHIVED)
    if listed and not technology.benefit.strip():
        raise DomainError(_("Write the one-line benefit before publishing."), "benefit")
    if status in (TechnologyStatus.PUBLISHED,) and technology.published_at is None:
        technology.published_at = now
        if first_look_days:
            technology.first_look_until = now + timedelta(days=first_look_days)
    technology.status = status
    db.session.flush()
    index_technology(technology)
    if audited and previous is not status:
        audit.record(
            "technology.status_changed",
            actor=actor,
            target=technology,
            before=previous.value,
            after=status.value,
        )


def index_technology(technology: Technology) -> None:
    domain = db.session.get(Domain, technology.domain_id) if technology.domain_id else None
    domain_names = (
        " ".join(filter(None, [domain.name, *(domain.translations or {}).values()])) if domain else ""
    )
    search.index_document(
        TEASER_INDEX,
        technology.id,
        title=technology.title,
        summary=technology.benefit,
        body=" ".join([technology.reference, domain_names]),
    )
    search.index_document(
        DETAIL_INDEX,
        technology.id,
        title=technology.title,
        summary=technology.benefit,
        body="\n".join(
            [
                technology.reference,
                domain_names,
                technology.problem,
                technology.solution,
                *technology.advantages,
                *technology.applications,
                *technology.keywords,
                technology.lab,
            ]
        ),
    )


def remove_from_index(technology_id: int) -> None:
    search.remove_document(TEASER_INDEX, technology_id)
    search.remove_document(DETAIL_INDEX, technology_id)
