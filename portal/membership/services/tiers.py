"""Tiers: what the programme sells (fees, benefits, limits), managed by admins."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ...auth.models import User
from ...core import audit
from ...core.database import prepared
from ...core.errors import DomainError
from ...extensions import db
from ..models import (
    Tier,
)


@prepared
def _active_tiers() -> sa.Select:
    return sa.select(Tier).where(Tier.active.is_(True)).order_by(Tier.display_order, Tier.annual_fee_cents)


def active_tiers() -> list[Tier]:
    return list(db.session.scalars(_active_tiers()))


def all_tiers() -> list[Tier]:
    return list(db.session.scalars(sa.select(Tier).order_by(Tier.display_order, Tier.annual_fee_cents)))


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def save_tier(actor: User, tier: Tier | None, values: dict) -> Tier:
    """Create (tier=None) or update a tier from validated form values."""
    slug = values["slug"].strip().lower()
    if not SLUG.match(slug):
        raise DomainError(
            _("Use lower-case letters, digits and hyphens, like “strategic-partner”."), field="slug"
        )
    clash = db.session.scalar(sa.select(Tier).where(Tier.slug == slug, Tier.id != (tier.id if tier else -1)))
    if clash is not None:
        raise DomainError(_("The tier “%(tier)s” already uses this slug.", tier=clash.name), field="slug")
    created = tier is None
    tier = tier or Tier()
    tier.name = values["name"].strip()
    tier.slug = slug
    tier.annual_fee_cents = values["annual_fee_cents"]
    tier.currency = values.get("currency") or "EUR"
    tier.description = (values.get("description") or "").strip()
    tier.benefits = _lines(values.get("benefits"))
    tier.translations = {
        language: {
            "description": (values.get(f"description_{language}") or "").strip(),
            "benefits": _lines(values.get(f"benefits_{language}")),
        }
        for language in TRANSLATED
        if (values.get(f"description_{language}") or "").strip() or _lines(values.get(f"benefits_{language}"))
    }
    tier.seat_limit = values.get("seat_limit")
    tier.challenge_limit = values.get("challenge_limit")
    tier.catalog_access = values["catalog_access"]
    tier.first_look_days = values.get("first_look_days") or 0
    tier.stripe_price_id = (values.get("stripe_price_id") or "").strip()
    tier.active = bool(values.get("active"))
    tier.display_order = values.get("display_order") or 0
    db.session.add(tier)
    db.session.flush()
    audit.record("tier.created" if created else "tier.updated", actor=actor, target=tier, slug=slug)
    return tier


# The languages besides English a tier's texts are written in (the portal's others).
TRANSLATED = ("fr", "de")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
