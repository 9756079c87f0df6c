"""Console pages for relations (issue 13): "My tasks" (overdue first, then due; filters), completing
and reopening a task, a challenge's tasks, the secret calendar-feed address of one's tasks, and
the renewals ending in 30 / 60 / 90 days with their engagement and risk. The organisation page
(its timeline, interactions, tasks and notes) lives in organisations.py."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...challenges.models import Challenge, ChallengeStatus
from ...core.errors import DomainError
from ...core.links import link
from ...core.permissions import safe_next
from ...crm.forms_relations import TaskForm
from ...crm.models import Task
from ...crm.services import calendar, engagement, tasks
from ...extensions import db
from .. import PER_PAGE, bp, page_number, queries
from ..paging import paginate


def task_filters() -> tasks.TaskFilters:
    status = request.args.get("status", "open")[:10]
    when = request.args.get("when", "")[:10]
    about = request.args.get("about", "")[:20]
    return tasks.TaskFilters(
        status=status if status in tasks.STATUS_CHOICES else "open",
        when=when if when in tasks.WHEN_CHOICES else "",
        about=about if about in tasks.ABOUT_CHOICES else "",
        assignee=request.args.get("assignee", "")[:10],
    )


@bp.route("/tasks")
def crm_tasks():
    filters, today = task_filters(), date.today()
    page = paginate(tasks.tasks_query(filters, current_user.id, today), page_number(), PER_PAGE)
    return render_template(
        "admin/crm/relations/tasks.html",
        page=page,
        filters=filters,
        today=today,
        staff=queries.staff_members(),
        when_choices=tasks.WHEN_CHOICES,
        status_choices=tasks.STATUS_CHOICES,
        about_choices=tasks.ABOUT_CHOICES,
    )


def _task(task_id: int) -> Task:
    return db.get_or_404(Task, task_id)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def crm_task_complete(task_id: int):
    task = _task(task_id)
    if tasks.complete_task(current_user, task):
        db.session.commit()
        flash(f"Done: {task.title}.", "success")
    else:
        flash("That task was already done.", "info")
    return redirect(safe_next(request.form.get("next"), url_for("admin.crm_tasks")))


@bp.route("/tasks/<int:task_id>/reopen", methods=["POST"])
def crm_task_reopen(task_id: int):
    task = _task(task_id)
    if tasks.reopen_task(current_user, task):
        db.session.commit()
        flash(f"Open again: {task.title}.", "success")
    else:
        flash("That task is open already.", "info")
    return redirect(safe_next(request.form.get("next"), url_for("admin.crm_tasks")))


@bp.route("/challenges/<int:challenge_id>/tasks", methods=["GET", "POST"])
def crm_challenge_tasks(challenge_id: int):
    challenge = db.session.scalar(
        sa.select(Challenge)
        .where(Challenge.id == challenge_id, Challenge.status != ChallengeStatus.DRAFT)
        .options(joinedload(Challenge.organisation))
    )
    if challenge is None:
        abort(404)
    staff = queries.staff_members()
    form = TaskForm(staff) if request.method == "POST" else TaskForm(staff, formdata=None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                tasks.create_task(
                    current_user,
                    title=form.title.data or "",
                    due_on=form.due_on.data,
                    assignee=db.session.get(User, int(form.assignee_id.data)),
                    challenge=challenge,
                    notes=form.notes.data or "",
                )
            except DomainError as exc:
                target = getattr(form, exc.field or "", None)
                (target.errors.append if target is not None else form.form_errors.append)(exc.message)
            else:
                db.session.commit()
                flash("Task set.", "success")
                return redirect(url_for("admin.crm_challenge_tasks", challenge_id=challenge.id))
        status = 400
    return render_template(
        "admin/crm/relations/challenge_tasks.html",
        challenge=challenge,
        tasks=tasks.open_tasks_of_challenge(challenge.id),
        form=form,
        today=date.today(),
    ), status


# --- the calendar feed ----------------------------------------------------------------------------


def _calendar_page(feed_url: str | None = None):
    return render_template(
        "admin/crm/relations/calendar.html", feed=calendar.feed_of(current_user), feed_url=feed_url
    )


@bp.route("/calendar-feed")
def crm_calendar():
    return _calendar_page()


@bp.route("/calendar-feed/issue", methods=["POST"])
def crm_calendar_issue():
    """Make (or rotate) the address. Shown once, on this answer: only its hash is kept."""
    token = calendar.issue_feed(current_user)
    db.session.commit()
    return _calendar_page(feed_url=link("crm.task_feed", feed_token=token))


@bp.route("/calendar-feed/revoke", methods=["POST"])
def crm_calendar_revoke():
    if calendar.revoke_feed(current_user):
        db.session.commit()
        flash("The calendar address is turned off: calendars using it get nothing more.", "success")
    else:
        flash("There was no calendar address to turn off.", "info")
    return redirect(url_for("admin.crm_calendar"))


# --- renewals --------------------------------------------------------------------------------------


@bp.route("/renewals")
def crm_renewals():
    today = date.today()
    within = request.args.get("within", "90")
    within_days = int(within) if within in ("30", "60", "90") else 90
    owner = request.args.get("owner", "")[:10]
    owner_id = current_user.id if owner == "me" else None
    page = paginate(engagement.renewals_query(today, within_days, owner_id), page_number(), PER_PAGE)
    rows = engagement.assess(page.items, today)
    return render_template(
        "admin/crm/relations/renewals.html",
        page=page,
        rows=rows,
        today=today,
        within=within_days,
        owner=owner,
        windows=engagement.WINDOWS,
    )
