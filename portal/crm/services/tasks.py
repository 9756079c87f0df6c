"""Tasks: set one on an organisation, a challenge or a prospect for a staff member; complete and
reopen it; "my tasks"; and the daily digest of due and overdue tasks (once per officer and day,
however often and however concurrently `send-task-digests` runs). Every staff action is audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_ngettext
from sqlalchemy.orm import joinedload

from ...auth.models import PlatformRole, User
from ...challenges.models import Challenge
from ...core import audit
from ...core.database import begin_write, insert_if_absent
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ...partners.models import Organisation
from ..models import Task, TaskDigest, TaskStatus

TITLE_MAX = 200


def _assignee():
    """The assignee's name for a list: without re-reading their roles (User.role_grants loads
    by select-in for each new row; the page's staff list has them already)."""
    return joinedload(Task.assignee).lazyload(User.role_grants)


def _check_assignee(assignee: User | None) -> User:
    if assignee is None or not assignee.active or not assignee.is_staff:
        raise DomainError("Choose a staff member to do it.", field="assignee_id")
    return assignee


def create_task(
    actor: User,
    *,
    title: str,
    due_on: date,
    assignee: User | None,
    organisation: Organisation | None = None,
    challenge: Challenge | None = None,
    prospect_id: int | None = None,
    notes: str = "",
) -> Task:
    """A new open task. A task on a challenge is also on the challenge's organisation."""
    title = " ".join(title.split())
    if not title:
        raise DomainError("Say what has to be done.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Keep the title under {TITLE_MAX} characters.", field="title")
    assignee = _check_assignee(assignee)
    if challenge is not None:
        if organisation is not None and challenge.organisation_id != organisation.id:
            raise DomainError("That challenge belongs to another organisation.", field="about")
        organisation_id = challenge.organisation_id
    else:
        organisation_id = organisation.id if organisation is not None else None
    task = Task(
        title=title,
        notes=notes.strip(),
        due_on=due_on,
        assignee_id=assignee.id,
        organisation_id=organisation_id,
        challenge_id=challenge.id if challenge is not None else None,
        prospect_id=prospect_id,
        created_by_id=actor.id,
    )
    db.session.add(task)
    db.session.flush()
    audit.record(
        "task.created",
        actor=actor,
        target=task,
        organisation_id=organisation_id,
        assignee=assignee.email,
        due_on=due_on.isoformat(),
        challenge_id=task.challenge_id,
        prospect_id=prospect_id,
    )
    return task


def complete_task(actor: User, task: Task) -> bool:
    """Done; False (and nothing recorded) when it already was."""
    if task.status is TaskStatus.DONE:
        return False
    task.status = TaskStatus.DONE
    task.completed_at = utcnow()
    task.completed_by_id = actor.id
    audit.record("task.completed", actor=actor, target=task, organisation_id=task.organisation_id)
    db.session.flush()
    return True


def reopen_task(actor: User, task: Task) -> bool:
    """Open again; False when it was open."""
    if task.status is TaskStatus.OPEN:
        return False
    task.status = TaskStatus.OPEN
    task.completed_at = None
    task.completed_by_id = None
    audit.record("task.reopened", actor=actor, target=task, organisation_id=task.organisation_id)
    db.session.flush()
    return True


# --- lists ------------------------------------------------------------------------------------

WHEN_CHOICES = {
    "": "Any day",
    "overdue": "Overdue",
    "today": "Due today",
    "week": "Due in the next 7 days",
    "later": "Due later",
}
STATUS_CHOICES = {"open": "Open", "done": "Done", "all": "Open and done"}
ABOUT_CHOICES = {
    "": "Anything",
    "organisation": "Organisations",
    "challenge": "Challenges",
    "prospect": "Prospects",
}


@dataclass
class TaskFilters:
    status: str = "open"
    when: str = ""
    about: str = ""
    assignee: str = ""  # "" = me, "all" = anyone, or a staff user's id


def tasks_query(filters: TaskFilters, viewer_id: int, today: date) -> sa.Select:
    """Open tasks by due date (so overdue ones come first, then today's, then later); done tasks
    most recently completed first. With the organisation, challenge and assignee of each row."""
    stmt = sa.select(Task).options(joinedload(Task.organisation), joinedload(Task.challenge), _assignee())
    if filters.assignee == "all":
        pass
    elif filters.assignee.isdigit() and len(filters.assignee) < 10:
        stmt = stmt.where(Task.assignee_id == int(filters.assignee))
    else:
        stmt = stmt.where(Task.assignee_id == viewer_id)
    if filters.status == "done":
        stmt = stmt.where(Task.status == TaskStatus.DONE)
    elif filters.status != "all":
        stmt = stmt.where(Task.status == TaskStatus.OPEN)
    if filters.when == "overdue":
        stmt = stmt.where(Task.due_on < today)
    elif filters.when == "today":
        stmt = stmt.where(Task.due_on == today)
    elif filters.when == "week":
        stmt = stmt.where(Task.due_on >= today, Task.due_on <= today + timedelta(days=7))
    elif filters.when == "later":
        stmt = stmt.where(Task.due_on > today + timedelta(days=7))
    if filters.about == "organisation":
        stmt = stmt.where(Task.organisation_id.is_not(None), Task.challenge_id.is_(None))
    elif filters.about == "challenge":
        stmt = stmt.where(Task.challenge_id.is_not(None))
    elif filters.about == "prospect":
        stmt = stmt.where(Task.prospect_id.is_not(None))
    done_last = sa.case((Task.status == TaskStatus.OPEN, 0), else_=1)
    return stmt.order_by(
        done_last,
        sa.case((Task.status == TaskStatus.OPEN, Task.due_on), else_=None).asc(),
        Task.completed_at.desc(),
        Task.id,
    )


def open_tasks_of_organisation(organisation_id: int, limit: int = 50) -> list[Task]:
    return list(
        db.session.scalars(
            sa.select(Task)
            .where(Task.organisation_id == organisation_id, Task.status == TaskStatus.OPEN)
            .options(_assignee(), joinedload(Task.challenge))
            .order_by(Task.due_on, Task.id)
            .limit(limit)
        )
    )


def open_tasks_of_challenge(challenge_id: int, limit: int = 50) -> list[Task]:
    return list(
        db.session.scalars(
            sa.select(Task)
            .where(Task.challenge_id == challenge_id)
            .options(_assignee())
            .order_by(sa.case((Task.status == TaskStatus.OPEN, 0), else_=1), Task.due_on, Task.id)
            .limit(limit)
        )
    )


def open_tasks_of_user(user_id: int) -> list[Task]:
    """Every open task of a staff member (the calendar feed), by due date."""
    return list(
        db.session.scalars(
            sa.select(Task)
            .where(Task.assignee_id == user_id, Task.status == TaskStatus.OPEN)
            .options(joinedload(Task.organisation), joinedload(Task.challenge))
            .order_by(Task.due_on, Task.id)
        )
    )


def count_due(user_id: int, today: date) -> int:
    """Open tasks due today or earlier: the navigation's badge."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Task.id)).where(
                Task.assignee_id == user_id, Task.status == TaskStatus.OPEN, Task.due_on <= today
            )
        )
        or 0
    )


# --- the daily digest ---------------------------------------------------------------------------


@dataclass
class DigestReport:
    sent: int = 0
    already: int = 0
    recipients: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"task digests sent {self.sent}, already sent today {self.already}"


def send_task_digests(today: date | None = None) -> DigestReport:
    """Each active staff member with open tasks due today or overdue gets one email listing them,
    at most once per day: the (user, day) row is claimed with INSERT ... ON CONFLICT DO NOTHING in
    the same transaction as the queued email, so a second run (or a concurrent one, which waits for
    the first's commit) sends nothing. Someone with nothing due gets nothing."""
    today = today or date.today()
    report = DigestReport()
    begin_write()  # SQLite: take the write lock first (a concurrent run waits, then finds them sent)
    due = db.session.scalars(
        sa.select(Task)
        .join(User, User.id == Task.assignee_id)
        .where(
            Task.status == TaskStatus.OPEN,
            Task.due_on <= today,
            User.active.is_(True),
            User.platform_role.in_([PlatformRole.STAFF, PlatformRole.ADMIN]),
        )
        .options(joinedload(Task.assignee), joinedload(Task.organisation), joinedload(Task.challenge))
        .order_by(Task.assignee_id, Task.due_on, Task.id)
    ).all()
    by_user: dict[int, list[Task]] = defaultdict(list)
    for task in due:
        by_user[task.assignee_id].append(task)
    for tasks in by_user.values():
        user = tasks[0].assignee
        if not insert_if_absent(TaskDigest, user_id=user.id, day=today, task_count=len(tasks)):
            report.already += 1
            continue
        overdue = [t for t in tasks if t.due_on < today]
        due_today = [t for t in tasks if t.due_on == today]
        notify(
            [user.email],
            "task_digest",
            subject=lazy_ngettext(
                "%(num)d task due today or overdue", "%(num)d tasks due today or overdue", len(tasks)
            ),
            user=user,
            overdue=[_digest_line(t, today) for t in overdue],
            due_today=[_digest_line(t, today) for t in due_today],
            tasks_url=link("admin.crm_tasks"),
        )
        report.sent += 1
        report.recipients.append(user.email)
    db.session.flush()
    return report


def _digest_line(task: Task, today: date) -> dict:
    """Plain values for the email (no ORM objects in templates rendered outside a request)."""
    about = ""
    if task.challenge is not None:
        about = f"{task.challenge.reference} {task.challenge.title}"
    elif task.organisation is not None:
        about = task.organisation.display_name
    return {
        "title": task.title,
        "about": about,
        "due_on": task.due_on,
        "days_late": (today - task.due_on).days,
        "url": link("admin.crm_tasks"),
    }
