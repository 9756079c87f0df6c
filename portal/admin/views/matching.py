"""Console matchmaking: paste a problem, get the technologies and researchers that fit, and why."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from ...catalog import services as catalog
from ...catalog.models import Domain
from ...core.forms import bounded_int
from ...extensions import db
from ...matching import services as matching
from .. import bp

MAX_TEXT = 4000  # a GET form: the text travels in the URL


@bp.route("/matching")
def matching_page():
    text = request.args.get("text", "")[: MAX_TEXT + 1]
    too_long = len(text) > MAX_TEXT
    domain_id = bounded_int(request.args.get("domain"), minimum=1)
    target_trl = bounded_int(request.args.get("trl"), minimum=1)
    if target_trl is not None and target_trl > 9:
        target_trl = None
    result = None
    if text.strip() and not too_long:
        result = matching.match_text(
            text, viewer=catalog.viewer_context(current_user), domain_id=domain_id, target_trl=target_trl
        )
    domains = db.session.scalars(sa.select(Domain).order_by(Domain.display_order, Domain.name)).all()
    return render_template(
        "admin/matching/index.html",
        text=text,
        too_long=too_long,
        max_text=MAX_TEXT,
        domain_id=domain_id,
        target_trl=target_trl,
        domains=domains,
        result=result,
    )
