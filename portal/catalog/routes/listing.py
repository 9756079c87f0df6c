"""/technologies (search) and /technologies/<slug> (one listing, as much as the ladder allows)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from ...core.web import nul_tolerant
from ...extensions import db
from .. import services as catalog
from ..models import FileKind, Technology
from ..services import leads, marketing, results_cache, stats
from ..services.results_cache import SLOT
from .blueprint import bp


@bp.route("/technologies")
@nul_tolerant
def index():
    viewer = catalog.viewer_context(current_user)
    query = catalog.parse(request.args)
    context = {"query": query, "viewer": viewer, "params": catalog.query_params}

    def render_results() -> str:
        results = catalog.find(viewer, query)
        slot = Markup(SLOT)  # noqa: S704 - a constant comment
        return render_template("catalog/_results.html", results=results, per_reader_slot=slot, **context)

    html = results_cache.cached(viewer, catalog.query_params(query), render_results)
    per_reader = render_template("catalog/_save_search.html", **context)
    # Both parts were rendered by autoescaping templates just now (or, the results, earlier):
    page = Markup(html.replace(SLOT, per_reader, 1))  # noqa: S704
    return render_template("catalog/index.html", results_html=page)


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
