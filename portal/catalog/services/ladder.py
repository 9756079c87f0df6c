"""The disclosure ladder: what a reader may see of a technology. One rule, used by every output
(pages, search hits and snippets, facet counts, feeds, sitemaps, exports, emails, PDFs).

- `Level.TEASER` (everyone): reference, title, benefit, TRL, IP status, domain, image, status.
- `Level.PARTNER_DETAIL`: members whose tier's catalog level is "partner details" or above, with
  partner access (active, paid, agreement executed): problem, solution, advantages, applications,
  keywords, patent numbers, licensing options, inventors, lab.
- `Level.DOSSIER`: the organisation also accepted the current NDA and its tier allows dossiers:
  the dossier summary and documents.
- First look: a published technology whose `first_look_until` is still ahead is visible only to
  members of tiers with first-look days (and to staff); to everyone else it does not exist yet.
- Drafts and archived listings exist for staff only (the console, its preview).

`viewer_context(user)` reads the signed-in user once (their tier came with them, auth/viewer.py;
the NDA costs one query and only for a dossier tier), `level_of(viewer, tech)` answers for one
listing and `listed_filter(viewer)` is the same rule as SQL for lists, search and counts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...agreements import gate
from ...core.types import utcnow
from ...extensions import db
from ...membership import services as membership
from ...membership.models import CatalogAccess, Tier
from ..models import LISTED_STATUSES, Technology, TechnologyStatus


class Level(enum.IntEnum):
    HIDDEN = 0
    TEASER = 1
    PARTNER_DETAIL = 2
    DOSSIER = 3

    @property
    def label(self) -> str:
        return {
            0: _("Hidden"),
            1: _("Public teaser"),
            2: _("Partner detail"),
            3: _("Confidential dossier"),
        }[int(self)]


_TIER_LEVEL = {
    CatalogAccess.TEASER: Level.TEASER,
    CatalogAccess.DETAILS: Level.PARTNER_DETAIL,
    CatalogAccess.DOSSIER: Level.DOSSIER,
}


@dataclass(frozen=True)
class Viewer:
    """Who reads the catalog, as far as the ladder cares."""

    level: Level = Level.TEASER  # the most this reader may see of a listed technology
    first_look: bool = False  # sees technologies still in first look
    staff: bool = False
    organisation_id: int | None = None
    user_id: int | None = None
    tier_level: Level = Level.TEASER  # what the tier allows (DOSSIER before the NDA is accepted)

    @property
    def is_partner(self) -> bool:
        return self.organisation_id is not None and not self.staff

    @property
    def needs_nda(self) -> bool:
        """The tier allows dossiers but the organisation has not accepted the current NDA."""
        return self.tier_level is Level.DOSSIER and self.level < Level.DOSSIER


VISITOR = Viewer()


def viewer_context(user: Any, today: date | None = None) -> Viewer:
    """The ladder's view of `user` (a User, or an anonymous user / None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return VISITOR
    if user.is_staff:
        return Viewer(Level.DOSSIER, first_look=True, staff=True, user_id=user.id, tier_level=Level.DOSSIER)
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return Viewer(user_id=user.id)
    current = membership.membership_of(organisation)
    if current is None or not membership.has_partner_access(organisation, today, membership=current):
        return Viewer(organisation_id=organisation.id, user_id=user.id)
    tier = current.tier
    tier_level = _TIER_LEVEL.get(tier.catalog_access, Level.TEASER)
    level = tier_level
    if tier_level is Level.DOSSIER and not gate.has_accepted_current_nda(organisation.id):
        level = Level.PARTNER_DETAIL
    return Viewer(
        level=level,
        first_look=(tier.first_look_days or 0) > 0,
        organisation_id=organisation.id,
        user_id=user.id,
        tier_level=tier_level,
    )


def level_of(viewer: Viewer, technology: Technology, now: datetime | None = None) -> Level:
    """What `viewer` may see of `technology` (HIDDEN: answer 404, as if it did not exist)."""
    if technology.status not in LISTED_STATUSES:
        return Level.DOSSIER if viewer.staff else Level.HIDDEN
    if technology.in_first_look(now) and not viewer.first_look:
        return Level.HIDDEN
    return viewer.level


def listed_filter(viewer: Viewer, now: datetime | None = None) -> sa.ColumnElement[bool]:
    """`level_of(viewer, t) >= TEASER` for catalog lists, as SQL (drafts are the console's)."""
    condition = Technology.status.in_(LISTED_STATUSES)
    if not viewer.first_look:
        condition = sa.and_(
            condition,
            sa.or_(Technology.first_look_until.is_(None), Technology.first_look_until <= (now or utcnow())),
        )
    return condition


def visible_ids(viewer: Viewer, now: datetime | None = None) -> sa.Select:
    """The ids of the technologies `viewer` may see listed, as a SELECT (for search's `ids=`)."""
    return sa.select(Technology.id).where(listed_filter(viewer, now))


def tiers_offering(level: Level) -> list[Tier]:
    """Active tiers whose catalog level reaches `level` (cheapest first): "what joining gives"."""
    accesses = [access for access, tier_level in _TIER_LEVEL.items() if tier_level >= level]
    return list(
        db.session.scalars(
            sa.select(Tier)
            .where(Tier.active.is_(True), Tier.catalog_access.in_(accesses))
            .order_by(Tier.annual_fee_cents, Tier.display_order, Tier.id)
        )
    )


def first_look_tiers() -> list[Tier]:
    return list(
        db.session.scalars(
            sa.select(Tier)
            .where(Tier.active.is_(True), Tier.first_look_days > 0)
            .order_by(Tier.annual_fee_cents, Tier.id)
        )
    )


__all__ = [
    "VISITOR",
    "Level",
    "TechnologyStatus",
    "Viewer",
    "first_look_tiers",
    "level_of",
    "listed_filter",
    "tiers_offering",
    "viewer_context",
    "visible_ids",
]
