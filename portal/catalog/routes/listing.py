"""/technologies (search) and /technologies/<slug> (one listing, as much as the ladder allows)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...extensions import db
from .. import services as catalog
from ..models import Technology
from .blueprint import bp


@bp.route("/technologies")
def index():
    viewer = catalog.viewer_context(current_user)
    query = catalog.parse(request.args)
    results = catalog.find(viewer, query)
    return render_template(
        "catalog/index.html", results=results, query=query, viewer=viewer, params=catalog.query_params
    )


@bp.route("/technologies/<slug>")
def detail(slug: str):
    viewer = catalog.viewer_context(current_user)
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
    return render_template(
        "catalog/detail.html",
        technology=technology,
        level=level,
        Level=catalog.Level,
        viewer=viewer,
        detail_tiers=catalog.tiers_offering(catalog.Level.PARTNER_DETAIL)
        if level < catalog.Level.PARTNER_DETAIL
        else [],
    )
