"""Public marketing of the public teaser only: /technologies/<slug>/brief.pdf, the Atom feed of
newly published technologies and /sitemap.xml. Built for a visitor whoever asks (services/marketing)."""

from __future__ import annotations

from flask import Response, render_template

from ...core.links import link
from ...core.types import utcnow
from ...extensions import limiter
from .. import services as catalog
from ..services import marketing
from .blueprint import bp
from .listing import listing_or_404

PUBLIC_PAGES = ("main.index", "membership.tiers", "catalog.index", "agreements.verify")


@bp.route("/technologies/<slug>/brief.pdf")
@limiter.limit("30 per minute")  # each one is a WeasyPrint render (about 0.3 s)
def brief(slug: str):
    # The visitor's view: a listing in first look (or a draft) has no public brief.
    technology, _level = listing_or_404(slug, catalog.VISITOR)
    response = Response(marketing.brief_pdf(technology), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{technology.reference}.pdf"'
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


@bp.route("/technologies/feed.atom")
def feed():
    technologies = marketing.feed_technologies()
    entries = [marketing.teaser_values(t) | {"updated": t.published_at} for t in technologies]
    body = render_template(
        "catalog/feed.atom.html",
        entries=entries,
        updated=(entries[0]["updated"] if entries else utcnow()),
        feed_url=link("catalog.feed"),
        catalog_url=link("catalog.index"),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


@bp.route("/sitemap.xml")
def sitemap():
    body = render_template(
        "catalog/sitemap.xml",
        pages=[link(endpoint) for endpoint in PUBLIC_PAGES],
        technologies=[
            (link("catalog.detail", slug=slug), updated) for slug, updated in marketing.sitemap_entries()
        ],
    )
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
