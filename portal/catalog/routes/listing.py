"""/technologies (search) and /technologies/<slug> (one listing, as much as the ladder allows)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from ...extensions import db
from .. import services as catalog
from ..models import FileKind, Technology
from ..services import leads, marketing, stats
from .blueprint import bp


@bp.route("/technologies")
def index():
    viewer = catalog.viewer_context(current_user)
    query = catalog.parse(request.args)
    results = catalog.find(viewer, query)
    return render_template(
        "catalog/index.html", results=results, query=query, viewer=viewer, params=catalog.query_params
    )


def listing_or_404(slug: str, viewer: catalog.Viewer) -> tuple[Technology, catalog.Level]:
    """The technology of `slug` and the viewer's level on it; 404 when the ladder hides it."""
    technology = db.session.scalar(
        sa.select(Technology)
        .where(Technology.slug == slug[:120])
        .options(
            selectinload(Technology.domain),
            selectinload(Technology.inventors),
            selectinload(Technology.files),
        )
    )
    if technology is None:
        abort(404)
    level = catalog.level_of(viewer, technology)
    if level is catalog.Level.HIDDEN:
        abort(404)
    return technology, level


@bp.route("/technologies/<slug>")
def detail(slug: str):
    viewer = catalog.viewer_context(current_user)
    technology, level = listing_or_404(slug, viewer)
    lead = (
        leads.latest_lead(viewer.organisation_id, technology.id)
        if viewer.is_partner and level >= catalog.Level.PARTNER_DETAIL
        else None
    )
    html = render_template(
        "catalog/detail.html",
        technology=technology,
        level=level,
        Level=catalog.Level,
        viewer=viewer,
        detail_tiers=catalog.tiers_offering(catalog.Level.PARTNER_DETAIL)
        if level < catalog.Level.PARTNER_DETAIL
        else [],
        dossier_tiers=catalog.tiers_offering(catalog.Level.DOSSIER)
        if level < catalog.Level.DOSSIER and not viewer.needs_nda and not viewer.staff
        else [],
        lead=lead,
        images=[f for f in technology.files if f.kind is FileKind.IMAGE],
        dossier_files=[f for f in technology.files if f.kind is FileKind.DOSSIER]
        if level >= catalog.Level.DOSSIER
        else [],
        trl_meaning=marketing.trl_meaning(technology.trl),
        canonical_url=marketing.teaser_values(technology)["url"],
        structured_data=marketing.structured_data(technology),
    )
    if not viewer.staff:
        _count_view(technology.id)
    return html


def _count_view(technology_id: int) -> None:
    """After the page is rendered (the commit expires what it read): a busy database loses the
    count, never the page."""
    try:
        stats.count_view(technology_id)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
