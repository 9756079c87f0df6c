"""The researcher directory and the domains: staff write researchers, admins write domains.

Each function takes the acting user, checks the rule, flushes and audits; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from ..models import Domain, Researcher, Technology, technology_inventor
from .listings import index_technology

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGES = ("fr", "de")


def _clean_list(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = " ".join(str(value).split())
        if value and value.casefold() not in {s.casefold() for s in seen}:
            seen.append(value)
    return seen


# --- researchers -------------------------------------------------------------------------------


@dataclass
class ResearcherData:
    name: str
    email: str = ""
    group: str = ""
    role: str = ""
    expertise: list[str] = field(default_factory=list)
    profile: str = ""
    public: bool = True

    def cleaned(self) -> ResearcherData:
        data = ResearcherData(
            name=" ".join(self.name.split()),
            email=self.email.strip(),
            group=" ".join(self.group.split()),
            role=" ".join(self.role.split()),
            expertise=_clean_list(self.expertise),
            profile=self.profile.strip(),
            public=bool(self.public),
        )
        if not data.name:
            raise DomainError(_("Give the researcher's name."), "name")
        if data.email and not EMAIL.fullmatch(data.email):
            raise DomainError(_("Enter an email address like name@university.edu."), "email")
        return data


_RESEARCHER_FIELDS = ("name", "email", "group", "role", "expertise", "profile", "public")


def create_researcher(actor, data: ResearcherData) -> Researcher:
    data = data.cleaned()
    researcher = Researcher(**{name: getattr(data, name) for name in _RESEARCHER_FIELDS})
    db.session.add(researcher)
    db.session.flush()
    audit.record("researcher.created", actor=actor, target=researcher)
    return researcher


def update_researcher(actor, researcher: Researcher, data: ResearcherData) -> list[str]:
    data = data.cleaned()
    changed = [name for name in _RESEARCHER_FIELDS if getattr(researcher, name) != getattr(data, name)]
    for name in changed:
        setattr(researcher, name, getattr(data, name))
    db.session.flush()
    if changed:
        audit.record("researcher.updated", actor=actor, target=researcher, fields=changed)
    return changed


def listings_of(researcher_id: int) -> list[Technology]:
    return list(
        db.session.scalars(
            sa.select(Technology)
            .join(technology_inventor, technology_inventor.c.technology_id == Technology.id)
            .where(technology_inventor.c.researcher_id == researcher_id)
            .order_by(Technology.reference)
        )
    )


def delete_researcher(actor, researcher: Researcher) -> None:
    """Only a researcher who is no listing's inventor may go (the listings would lose a name)."""
    inventor_of = listings_of(researcher.id)
    if inventor_of:
        raise DomainError(
            _(
                "%(name)s is an inventor of %(references)s; remove them from those listings first, "
                "or make the entry internal.",
                name=researcher.name,
                references=", ".join(t.reference for t in inventor_of[:5]),
            )
        )
    audit.record("researcher.deleted", actor=actor, target=researcher)
    db.session.delete(researcher)
    db.session.flush()


def find_or_create_researcher(actor, name: str, group: str = "") -> tuple[Researcher, bool]:
    """The directory entry of that name (case-insensitive, the oldest), or a new one."""
    name = " ".join(name.split())
    found = db.session.scalar(
        sa.select(Researcher)
        .where(sa.func.lower(Researcher.name) == name.lower())
        .order_by(Researcher.id)
        .limit(1)
    )
    if found is not None:
        return found, False
    return create_researcher(actor, ResearcherData(name=name, group=group)), True


# --- domains -------------------------------------------------------------------------------------


@dataclass
class DomainData:
    name: str
    slug: str
    translations: dict[str, str] = field(default_factory=dict)
    display_order: int = 0
    active: bool = True

    def cleaned(self) -> DomainData:
        data = DomainData(
            name=" ".join(self.name.split()),
            slug=self.slug.strip().lower(),
            translations={
                lang: " ".join(str(text).split())
                for lang, text in (self.translations or {}).items()
                if lang in LANGUAGES and str(text).strip()
            },
            display_order=int(self.display_order or 0),
            active=bool(self.active),
        )
        if not data.name:
            raise DomainError(_("Give the domain's name."), "name")
        if not SLUG.fullmatch(data.slug):
            raise DomainError(
                _("A slug is lower-case letters, digits and single hyphens, like cyber-security."), "slug"
            )
        return data


_DOMAIN_FIELDS = ("name", "slug", "translations", "display_order", "active")


def _check_unique(data: DomainData, own_id: int | None) -> None:
    clash = db.session.scalar(
        sa.select(Domain).where(
            sa.or_(Domain.slug == data.slug, sa.func.lower(Domain.name) == data.name.lower()),
            Domain.id != (own_id or 0),
        )
    )
    if clash is not None:
        if clash.slug == data.slug:
            raise DomainError(
                _("The slug %(slug)s is taken by %(name)s.", slug=data.slug, name=clash.name), "slug"
            )
        raise DomainError(_("A domain named %(name)s exists already.", name=clash.name), "name")


def create_domain(actor, data: DomainData) -> Domain:
    data = data.cleaned()
    _check_unique(data, None)
    domain = Domain(**{name: getattr(data, name) for name in _DOMAIN_FIELDS})
    db.session.add(domain)
    db.session.flush()
    audit.record("domain.created", actor=actor, target=domain)
    return domain


def update_domain(actor, domain: Domain, data: DomainData) -> list[str]:
    data = data.cleaned()
    _check_unique(data, domain.id)
    changed = [name for name in _DOMAIN_FIELDS if getattr(domain, name) != getattr(data, name)]
    for name in changed:
        setattr(domain, name, getattr(data, name))
    db.session.flush()
    if {"name", "translations"} & set(changed):
        # The domain's names are searchable in its listings.
        for technology in db.session.scalars(sa.select(Technology).where(Technology.domain_id == domain.id)):
            index_technology(technology)
    if changed:
        audit.record("domain.updated", actor=actor, target=domain, fields=changed)
    return changed


def delete_domain(actor, domain: Domain) -> None:
    used = db.session.scalar(sa.select(sa.func.count(Technology.id)).where(Technology.domain_id == domain.id))
    if used:
        raise DomainError(
            _(
                "%(count)s listing(s) are in %(name)s; move them to another domain first, or make this one "
                "inactive.",
                count=used,
                name=domain.name,
            )
        )
    audit.record("domain.deleted", actor=actor, target=domain)
    db.session.delete(domain)
    db.session.flush()


def find_domain(text: str) -> Domain | None:
    """A domain by its name or slug, case-insensitive (the CSV import)."""
    value = " ".join(text.split()).lower()
    if not value:
        return None
    return db.session.scalar(
        sa.select(Domain)
        .where(sa.or_(sa.func.lower(Domain.slug) == value, sa.func.lower(Domain.name) == value))
        .order_by(Domain.id)
        .limit(1)
    )
