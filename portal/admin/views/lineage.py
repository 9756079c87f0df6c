"""Console pages of the lineage of a technology and of a licence (issue 14, item 7): the tree from
the invention disclosure to the licences and spin-offs, drawn as nested lists, and the timeline.
Read-only pages; everything is loaded by services/lineage.py in a constant number of queries."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from ...catalog.models import Technology
from ...extensions import db
from ...innovation.services import lineage as lineage_services
from .. import bp


@bp.route("/innovation/technologies/<int:technology_id>/lineage")
def technology_lineage(technology_id: int):
    technology = db.session.scalar(sa.select(Technology).where(Technology.id == technology_id))
    if technology is None:
        abort(404)
    lineage = lineage_services.technology_lineage(technology)
    return render_template(
        "admin/innovation/lineage.html",
        lineage=lineage,
        technology=technology,
        kind_labels=lineage_services.KIND_LABELS,
    )


@bp.route("/licences/<int:licence_id>/lineage")
def licence_lineage(licence_id: int):
    licence = lineage_services.load_licence(licence_id)
    if licence is None:
        abort(404)
    lineage = lineage_services.licence_lineage(licence)
    return render_template(
        "admin/innovation/lineage_licence.html",
        lineage=lineage,
        licence=licence,
        kind_labels=lineage_services.KIND_LABELS,
    )
