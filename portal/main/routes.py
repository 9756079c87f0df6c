"""Pages that compose the areas: the landing page, the partner dashboard, the brand stylesheet, /healthz."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..agreements import services as agreements
from ..core.permissions import partner_required
from ..core.templating import brand_colour
from ..extensions import db
from ..membership import services as membership
from ..partners import services as partners

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", user=current_user)


@bp.route("/dashboard")
@partner_required
def dashboard():
    organisation = current_user.organisation
    current = membership.membership_of(organisation)
    return render_template(
        "main/dashboard.html",
        organisation=organisation,
        member_count=len(partners.members(organisation)),
        membership=current,
        application=membership.latest_application(organisation),
        has_access=membership.has_partner_access(organisation, membership=current),
        to_sign=agreements.awaiting_signature(organisation),
    )


@bp.route("/brand.css")
def brand_css():
    """The institution's colours as CSS variables (a stylesheet, so the CSP needs no inline style)."""
    primary, accent = brand_colour("BRAND_PRIMARY"), brand_colour("BRAND_ACCENT")
    css = f":root{{--brand-primary:{primary};--brand-accent:{accent};}}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
