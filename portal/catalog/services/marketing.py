"""Public marketing of what is public only: the one-page technology brief (PDF), the Atom feed of
newly published technologies, the sitemap and the page's structured data (Open Graph, JSON-LD).

Everything here is built from the teaser fields (`teaser_values`) and for the visitor's view of
the catalog (`VISITOR`): whoever reads or fetches them, a partner's level never widens them, and
a technology still in first look is in none of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ...core import pdf
from ...core.links import link
from ...core.types import utcnow
from ...extensions import db
from ..models import Technology, TechnologyStatus
from .ladder import VISITOR, listed_filter

# What each technology readiness level means, in a few words (EU Horizon scale).
TRL_SCALE = {
    1: _l("basic principles observed"),
    2: _l("technology concept formulated"),
    3: _l("experimental proof of concept"),
    4: _l("technology validated in the lab"),
    5: _l("technology validated in a relevant environment"),
    6: _l("technology demonstrated in a relevant environment"),
    7: _l("prototype demonstrated in an operational environment"),
    8: _l("system complete and qualified"),
    9: _l("actual system proven in an operational environment"),
}

FEED_SIZE = 50
SITEMAP_LIMIT = 45_000  # under the protocol's 50,000 URLs per file


def trl_meaning(trl: int) -> str:
    return str(TRL_SCALE.get(int(trl or 0), ""))


def teaser_values(technology: Technology) -> dict[str, Any]:
    """The public face of a listing as plain values (the brief, the feed, the page's metadata)."""
    return {
        "reference": technology.reference,
        "title": technology.title,
        "benefit": technology.benefit,
        "trl": technology.trl,
        "trl_meaning": trl_meaning(technology.trl),
        "ip_status": str(technology.ip_status.label),
        "domain": technology.domain.shown_name if technology.domain else "",
        "status": str(technology.status.label),
        "url": link("catalog.detail", slug=technology.slug),
        "published_at": technology.published_at,
    }


def brief_pdf(technology: Technology) -> bytes:
    """The one-page non-confidential brief: teaser fields, the institution, whom to contact."""
    cfg = current_app.config
    context = {
        "technology": teaser_values(technology),
        "institution": cfg["INSTITUTION_NAME"],
        "programme": cfg["PROGRAMME_NAME"],
        "contact_email": cfg["CONTACT_EMAIL"],
        "tiers_url": link("membership.tiers"),
        "generated_on": utcnow().date(),
    }
    return pdf.render_pdf("technology_brief.html", context)


def _public() -> sa.ColumnElement[bool]:
    # What a visitor may see listed (no first look), and published at some point.
    return sa.and_(listed_filter(VISITOR), Technology.published_at.is_not(None))


def feed_technologies(limit: int = FEED_SIZE) -> list[Technology]:
    """The newest public technologies (teaser fields read only)."""
    return list(
        db.session.scalars(
            sa.select(Technology)
            .where(_public(), Technology.status == TechnologyStatus.PUBLISHED)
            .options(selectinload(Technology.domain))
            .order_by(Technology.published_at.desc(), Technology.id.desc())
            .limit(limit)
        )
    )


def sitemap_entries(limit: int = SITEMAP_LIMIT) -> list[tuple[str, datetime]]:
    """(slug, last change) of every public listing."""
    return [
        (slug, updated)
        for slug, updated in db.session.execute(
            sa.select(Technology.slug, Technology.updated_at)
            .where(_public())
            .order_by(Technology.published_at.desc(), Technology.id.desc())
            .limit(limit)
        )
    ]


def structured_data(technology: Technology) -> dict[str, Any]:
    """schema.org JSON-LD of the listing: teaser fields only."""
    values = teaser_values(technology)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": values["title"],
        "description": values["benefit"],
        "identifier": values["reference"],
        "url": values["url"],
        "category": values["domain"] or None,
        "brand": {"@type": "Organization", "name": current_app.config["INSTITUTION_NAME"]},
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "Technology readiness level", "value": values["trl"]},
            {"@type": "PropertyValue", "name": "IP status", "value": values["ip_status"]},
        ],
    }
    return {key: value for key, value in data.items() if value is not None}
