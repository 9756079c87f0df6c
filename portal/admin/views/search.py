"""The console's one search box: organisations, people, technologies, researchers, prospects and
challenges that contain the words, a few of each, with a link to each full list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import render_template, request, url_for
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...catalog.models import Researcher, Technology
from ...challenges.models import Challenge, ChallengeStatus
from ...crm.models import Prospect
from ...extensions import db
from ...partners.models import Organisation
from .. import bp
from ..queries import contains

PER_KIND = 8


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    name: str
    hits: list[Hit] = field(default_factory=list)
    more_url: str | None = None  # the full list, filtered by the same words


def _group(name: str, stmt: sa.Select, hit: Callable[[object], Hit], more_url: str | None) -> Group:
    rows = db.session.scalars(stmt.limit(PER_KIND + 1)).unique().all()
    return Group(name, [hit(r) for r in rows[:PER_KIND]], more_url if len(rows) > PER_KIND else None)


def search_console(q: str) -> list[Group]:
    """One bounded query per kind (at most PER_KIND + 1 rows each), whatever the data's size."""
    groups = [
        _group(
            "Organisations",
            sa.select(Organisation)
            .where(
                contains(
                    q,
                    Organisation.legal_name,
                    Organisation.trading_name,
                    Organisation.website,
                    Organisation.vat_number,
                )
            )
            .order_by(Organisation.legal_name),
            lambda o: Hit(
                o.legal_name,
                f"{o.country} · {o.status.label}",
                url_for("admin.organisation_detail", organisation_id=o.id),
            ),
            url_for("admin.organisations", q=q),
        ),
        _group(
            "People",
            sa.select(User)
            .where(contains(q, User.full_name, User.email))
            .options(joinedload(User.organisation))
            .order_by(User.full_name),
            lambda u: Hit(
                u.full_name,
                f"{u.email} · {u.organisation.legal_name if u.organisation else 'TTO'}",
                url_for("admin.user_detail", user_id=u.id),
            ),
            url_for("admin.users", q=q),
        ),
        _group(
            "Technologies",
            sa.select(Technology)
            .where(contains(q, Technology.reference, Technology.title))
            .order_by(Technology.reference),
            lambda t: Hit(
                f"{t.reference} {t.title}",
                t.status.label,
                url_for("admin.technology_detail", technology_id=t.id),
            ),
            url_for("admin.technologies", q=q),
        ),
        _group(
            "Researchers",
            sa.select(Researcher)
            .where(contains(q, Researcher.name, Researcher.group, Researcher.email))
            .order_by(Researcher.name),
            lambda r: Hit(r.name, r.group, url_for("admin.researcher_form", researcher_id=r.id)),
            url_for("admin.researchers", q=q),
        ),
        _group(
            "Prospects",
            sa.select(Prospect)
            .where(
                contains(q, Prospect.company, Prospect.contact_name, Prospect.contact_email, Prospect.website)
            )
            .order_by(Prospect.company),
            lambda p: Hit(
                p.company,
                f"{p.stage.label} · {p.country or 'no country'}",
                url_for("admin.prospect_detail", prospect_id=p.id),
            ),
            url_for("admin.prospects", q=q),
        ),
        _group(
            "R&D challenges",
            sa.select(Challenge)
            .where(
                Challenge.status != ChallengeStatus.DRAFT, contains(q, Challenge.reference, Challenge.title)
            )
            .options(joinedload(Challenge.organisation))
            .order_by(Challenge.id.desc()),
            lambda c: Hit(
                f"{c.reference} {c.title}",
                f"{c.organisation.legal_name} · {c.status.label}",
                url_for("admin.challenge_detail", challenge_id=c.id),
            ),
            None,
        ),
    ]
    return [g for g in groups if g.hits]


@bp.route("/search")
def search():
    q = request.args.get("q", "").replace("\x00", "").strip()[:100]
    groups = search_console(q) if len(q) >= 2 else []
    return render_template("admin/search.html", q=q, groups=groups)
