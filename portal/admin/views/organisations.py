"""Console pages for organisations: the list, one organisation, its account owner."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...agreements import services as agreement_services
from ...agreements.models import AgreementKind
from ...auth.models import User
from ...core.countries import country_choices
from ...core.errors import DomainError
from ...core.forms import bounded_int
from ...core.models import AuditEvent
from ...extensions import db
from ...partners import services as partner_services
from ...partners.models import Organisation, OrganisationStatus
from .. import PER_PAGE, audit_words, bp, page_number, queries, sorting_of
from ..paging import paginate


def organisation_filters() -> queries.OrganisationFilters:
    return queries.OrganisationFilters(
        q=request.args.get("q", "")[:100],
        country=request.args.get("country", "")[:2],
        status=request.args.get("status", "")[:40],
        owner=request.args.get("owner", "")[:10],
    )


@bp.route("/organisations")
def organisations():
    filters, sorting = organisation_filters(), sorting_of(queries.ORGANISATION_SORT)
    page = paginate(queries.organisations_query(filters, sorting), page_number(), PER_PAGE)
    return render_template(
        "admin/organisations/organisations.html",
        page=page,
        sorting=sorting,
        member_counts=queries.member_counts([o.id for o in page.items]),
        filters=filters,
        statuses=list(OrganisationStatus),
        countries=country_choices(),
    )


@bp.route("/organisations/<int:organisation_id>")
def organisation_detail(organisation_id: int):
    organisation = db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.users), selectinload(Organisation.account_owner))
    )
    if organisation is None:
        abort(404)
    events = db.session.scalars(
        queries.audit_query().where(AuditEvent.organisation_id == organisation.id).limit(30)
    ).all()
    return render_template(
        "admin/organisations/organisation.html",
        organisation=organisation,
        events=audit_words.describe(events),
        membership=queries.membership_of(organisation.id),
        invoices=queries.invoices_of(organisation.id),
        applications=queries.applications_of(organisation.id),
        today=date.today(),
        staff=queries.staff_members(),
        agreements=agreement_services.agreements_of(organisation, include_drafts=True),
        agreement_kinds=list(AgreementKind),
    )


@bp.route("/organisations/<int:organisation_id>/account-owner", methods=["POST"])
def assign_account_owner(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    submitted = request.form.get("account_owner_id", "")
    officer_id = bounded_int(submitted, minimum=1)
    if submitted and officer_id is None:
        flash("Choose the account owner from the list.", "danger")
        return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
    officer = db.session.get(User, officer_id) if officer_id else None
    try:
        partner_services.assign_account_owner(current_user, organisation, officer)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            f"{officer.full_name} now looks after {organisation.display_name}."
            if officer
            else f"{organisation.display_name} has no account owner now.",
            "success",
        )
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
