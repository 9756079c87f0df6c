"""Pages that compose the areas: the landing page, the partner dashboard, the brand stylesheet, /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template
from flask_login import current_user

from ..agreements import services as agreements
from ..catalog.services import leads as catalog_leads
from ..challenges import services as challenges
from ..core.errors import RETRY_AFTER_SECONDS
from ..core.health import health
from ..core.permissions import partner_required
from ..core.templating import brand_colour
from ..innovation.services import licences as innovation_licences
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
    application = membership.latest_application(organisation)
    licensed = innovation_licences.licences_of(organisation.id)
    return render_template(
        "main/dashboard.html",
        organisation=organisation,
        member_count=partners.member_count(organisation),
        membership=current,
        application=application,
        steps=membership.journey(organisation, current_user, application, current),
        has_access=membership.has_partner_access(organisation, membership=current),
        to_sign=agreements.awaiting_signature(organisation),
        leads=catalog_leads.leads_of(organisation.id),
        challenges=challenges.recent_of(organisation.id),
        licences=licensed,
        licence_reports=innovation_licences.open_reports(licensed),
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
    """200 when the database answers and takes writes and the disks have room; else 503 and why."""
    body, healthy = health()
    response = jsonify(body)
    if not healthy:
        response.status_code = 503
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response
