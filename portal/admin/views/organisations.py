"""Console pages for organisations: the list, one organisation (its 360 view: what the partner has
and did, what staff logged, open tasks and notes), its account owner, and the forms of that page."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...agreements import services as agreement_services
from ...agreements.models import AgreementKind
from ...auth.models import User
from ...catalog.models import Lead, SavedSearch
from ...challenges.models import Challenge, ChallengeStatus
from ...core.countries import country_choices
from ...core.errors import DomainError
from ...core.forms import bounded_int
from ...core.models import AuditEvent
from ...crm.forms_relations import InteractionForm, NoteForm, TaskForm
from ...crm.models import InteractionKind
from ...crm.services import relations, tasks, timeline
from ...crm.services.engagement import ENGAGEMENT_DAYS, engagement_of
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
    return render_organisation(_organisation(organisation_id))


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.users), selectinload(Organisation.account_owner))
    )
    if organisation is None:
        abort(404)
    return organisation


def _challenges_of(organisation_id: int) -> list[Challenge]:
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(Challenge.organisation_id == organisation_id, Challenge.status != ChallengeStatus.DRAFT)
            .options(joinedload(Challenge.owner).lazyload(User.role_grants))
            .order_by(Challenge.submitted_at.desc(), Challenge.id.desc())
            .limit(queries.ORGANISATION_PAGE_ROWS)
        )
    )


def _leads_of(organisation_id: int) -> list[Lead]:
    return list(
        db.session.scalars(
            sa.select(Lead)
            .where(Lead.organisation_id == organisation_id)
            .options(joinedload(Lead.technology), joinedload(Lead.assigned_to).lazyload(User.role_grants))
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(queries.ORGANISATION_PAGE_ROWS)
        )
    )


def _saved_searches_of(organisation_id: int) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            sa.select(SavedSearch)
            .where(SavedSearch.organisation_id == organisation_id)
            .options(joinedload(SavedSearch.user).lazyload(User.role_grants))
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
            .limit(queries.ORGANISATION_PAGE_ROWS)
        )
    )


def task_about_choices(challenges: list[Challenge]) -> list[tuple[str, str]]:
    return [("organisation", "The organisation")] + [
        (f"challenge:{c.id}", f"Challenge {c.reference} {c.title}"[:120]) for c in challenges
    ]


def render_organisation(
    organisation: Organisation,
    *,
    interaction_form: InteractionForm | None = None,
    task_form: TaskForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
    staff: list[User] | None = None,
    challenges: list[Challenge] | None = None,
):
    """The organisation's 360 page: profile and account owner, membership, people, applications,
    invoices and payments, agreements, challenges, licensing leads, saved searches, engagement
    (the last 90 days), the relationship timeline, open tasks and staff notes, with the forms to
    log an interaction, set a task and add a note. A fixed number of queries, whatever its size."""
    today = date.today()
    staff = queries.staff_members() if staff is None else staff
    challenges = _challenges_of(organisation.id) if challenges is None else challenges
    if task_form is None:
        task_form = TaskForm(staff, task_about_choices(challenges), formdata=None)
    events = db.session.scalars(
        queries.audit_query().where(AuditEvent.organisation_id == organisation.id).limit(30)
    ).all()
    since = today - timedelta(days=ENGAGEMENT_DAYS)
    return render_template(
        "admin/organisations/organisation.html",
        organisation=organisation,
        events=audit_words.describe(events),
        membership=queries.membership_of(organisation.id),
        invoices=queries.invoices_of(organisation.id),
        applications=queries.applications_of(organisation.id),
        today=today,
        staff=staff,
        agreements=agreement_services.agreements_of(organisation, include_drafts=True),
        agreement_kinds=list(AgreementKind),
        challenges=challenges,
        leads=_leads_of(organisation.id),
        saved_searches=_saved_searches_of(organisation.id),
        engagement=engagement_of(organisation.id, since),
        engagement_since=since,
        timeline=timeline.timeline(organisation),
        tasks=tasks.open_tasks_of_organisation(organisation.id),
        notes=relations.notes_of(organisation.id),
        interaction_form=interaction_form or InteractionForm(formdata=None, occurred_on=today),
        task_form=task_form,
        note_form=note_form or NoteForm(formdata=None),
    ), status


def _put_on_form(form, exc: DomainError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _back(organisation: Organisation, anchor: str):
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id) + f"#{anchor}")


@bp.route("/organisations/<int:organisation_id>/interactions", methods=["POST"])
def crm_log_interaction(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            relations.log_interaction(
                current_user,
                organisation,
                kind=InteractionKind(form.kind.data),
                occurred_on=form.occurred_on.data,
                attendees=form.attendees.data or "",
                summary=form.summary.data or "",
                follow_up=form.follow_up.data or "",
            )
        except DomainError as exc:
            _put_on_form(form, exc)
        else:
            db.session.commit()
            flash(
                f"{InteractionKind(form.kind.data).label} logged on {organisation.display_name}.", "success"
            )
            return _back(organisation, "timeline")
    return render_organisation(organisation, interaction_form=form, status=400)


@bp.route("/organisations/<int:organisation_id>/tasks", methods=["POST"])
def crm_organisation_task(organisation_id: int):
    organisation = _organisation(organisation_id)
    staff = queries.staff_members()
    challenges = _challenges_of(organisation.id)
    form = TaskForm(staff, task_about_choices(challenges))
    if form.validate_on_submit():
        challenge = None
        if form.about.data.startswith("challenge:"):
            challenge = next((c for c in challenges if f"challenge:{c.id}" == form.about.data), None)
        try:
            tasks.create_task(
                current_user,
                title=form.title.data or "",
                due_on=form.due_on.data,
                assignee=db.session.get(User, int(form.assignee_id.data)),
                organisation=organisation,
                challenge=challenge,
                notes=form.notes.data or "",
            )
        except DomainError as exc:
            _put_on_form(form, exc)
        else:
            db.session.commit()
            flash(f"Task set: {' '.join((form.title.data or '').split())}.", "success")
            return _back(organisation, "tasks")
    return render_organisation(organisation, task_form=form, status=400, staff=staff, challenges=challenges)


@bp.route("/organisations/<int:organisation_id>/notes", methods=["POST"])
def crm_add_note(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            relations.add_note(current_user, organisation, form.body.data or "")
        except DomainError as exc:
            _put_on_form(form, exc)
        else:
            db.session.commit()
            flash("Note added.", "success")
            return _back(organisation, "notes")
    return render_organisation(organisation, note_form=form, status=400)


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
