"""Issue 13, item 4: tasks on an organisation and on a challenge, "my tasks" (overdue first, then
due; filters), complete and reopen (audited), and the daily digest: once per officer and day
however often the command runs, again the next day, nothing for someone with nothing due."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent, Email
from portal.crm.models import Task, TaskDigest, TaskStatus
from portal.crm.services import tasks as service
from portal.extensions import db

from ..support.browser import Browser, emails_to, location, text
from ..support.factories import commit, make_organisation, make_staff
from ..support.world_relations import make_challenge, make_task

TODAY = date.today()


@pytest.fixture
def officer(ctx):
    user = make_staff(email="oscar@tto.example", full_name="Oscar Officer")
    commit()
    return user


@pytest.fixture
def colleague(ctx):
    user = make_staff(email="priya@tto.example", full_name="Priya Colleague")
    commit()
    return user


@pytest.fixture
def console(app, officer):
    browser = Browser(app)
    browser.login_staff(officer)
    return browser


def test_a_task_on_an_organisation_from_its_page(console, officer, colleague):
    organisation = make_organisation(legal_name="Task Works")
    commit()
    response = console.post(
        f"/admin/organisations/{organisation.id}/tasks",
        {
            "title": "Send  the offer",
            "due_on": "2027-01-15",
            "assignee_id": str(colleague.id),
            "about": "organisation",
        },
    )
    assert response.status_code == 302 and location(response) == f"/admin/organisations/{organisation.id}"
    task = db.session.scalar(sa.select(Task))
    assert (task.title, task.due_on, task.assignee_id, task.organisation_id, task.challenge_id) == (
        "Send the offer",
        date(2027, 1, 15),
        colleague.id,
        organisation.id,
        None,
    )
    assert task.status is TaskStatus.OPEN and task.prospect_id is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "task.created"))
    assert event.actor_id == officer.id and event.details["assignee"] == colleague.email


def test_a_task_on_a_challenge_from_the_organisation_page_and_the_challenge_page(console, colleague):
    organisation = make_organisation()
    challenge = make_challenge(organisation, title="Sort the bins")
    other = make_challenge(make_organisation())
    commit()
    response = console.post(
        f"/admin/organisations/{organisation.id}/tasks",
        {
            "title": "Shortlist researchers",
            "due_on": "2027-01-15",
            "assignee_id": str(colleague.id),
            "about": f"challenge:{challenge.id}",
        },
    )
    assert response.status_code == 302
    # another organisation's challenge is not a choice on this page
    refused = console.post(
        f"/admin/organisations/{organisation.id}/tasks",
        {
            "title": "Sneaky",
            "due_on": "2027-01-15",
            "assignee_id": str(colleague.id),
            "about": f"challenge:{other.id}",
        },
    )
    assert refused.status_code == 400 and "Not a valid choice" in text(refused)
    page = f"/admin/challenges/{challenge.id}/tasks"
    assert "Shortlist researchers" in text(console.get(page))
    response = console.post(
        page, {"title": "Call the researchers", "due_on": "2027-01-20", "assignee_id": str(colleague.id)}
    )
    assert response.status_code == 302 and location(response) == page
    rows = db.session.scalars(sa.select(Task).order_by(Task.id)).all()
    assert [(t.challenge_id, t.organisation_id) for t in rows] == [(challenge.id, organisation.id)] * 2
    assert "Call the researchers" in text(console.get(page))
    assert console.get("/admin/challenges/999999/tasks").status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "", "due_on": "2027-01-01"}, "Say what has to be done."),
        ({"title": "x", "due_on": "2027-13-01"}, "date"),
        ({"title": "x", "due_on": ""}, "Enter the day it is due."),
        ({"title": "x" * 201, "due_on": "2027-01-01"}, "At most"),
        ({"title": "x", "due_on": "2027-01-01", "assignee_id": "99999"}, "Not a valid choice"),
        ({"title": "x", "due_on": "2027-01-01", "assignee_id": ""}, "Choose who does it."),
    ],
)
def test_bad_tasks_are_refused_with_a_message(console, colleague, form, message):
    organisation = make_organisation()
    commit()
    data = {"assignee_id": str(colleague.id), "about": "organisation", **form}
    response = console.post(f"/admin/organisations/{organisation.id}/tasks", data)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Task.id))) == 0


def test_a_deactivated_colleague_cannot_be_given_a_task(officer, colleague):
    colleague.active = False
    with pytest.raises(service.DomainError):
        service.create_task(officer, title="x", due_on=TODAY, assignee=colleague)


def test_my_tasks_overdue_first_then_by_due_date_with_filters(console, officer, colleague):
    organisation = make_organisation(legal_name="Filter Works")
    challenge = make_challenge(organisation)
    make_task(officer, TODAY + timedelta(days=3), title="Later one", organisation_id=organisation.id)
    make_task(officer, TODAY, title="Today one", challenge_id=challenge.id, organisation_id=organisation.id)
    make_task(officer, TODAY - timedelta(days=5), title="Very late one")
    make_task(officer, TODAY - timedelta(days=1), title="Late one", organisation_id=organisation.id)
    make_task(officer, TODAY + timedelta(days=30), title="Far one")
    make_task(officer, TODAY - timedelta(days=9), title="Done one", status=TaskStatus.DONE)
    make_task(colleague, TODAY, title="Colleague's one")
    commit()

    def titles(query: str = "") -> list[str]:
        found = re.findall(r'<td class="text-break">([^<]+)', text(console.get(f"/admin/tasks{query}")))
        return [html.unescape(t) for t in found]

    assert titles() == ["Very late one", "Late one", "Today one", "Later one", "Far one"]
    page = text(console.get("/admin/tasks"))
    assert "Overdue by 5 days" in page and "Due today" in page
    assert titles("?when=overdue") == ["Very late one", "Late one"]
    assert titles("?when=today") == ["Today one"]
    assert titles("?when=week") == ["Today one", "Later one"]
    assert titles("?when=later") == ["Far one"]
    assert titles("?about=challenge") == ["Today one"]
    assert titles("?about=organisation") == ["Late one", "Later one"]
    assert titles("?status=done") == ["Done one"]
    assert titles("?status=all")[-1] == "Done one"
    assert titles(f"?assignee={colleague.id}") == ["Colleague's one"]
    assert "Colleague's one" in titles("?assignee=all")
    assert titles("?status=odd&when=odd&about=odd&assignee=odd") == titles()  # odd values: the default


def test_complete_and_reopen_are_audited_and_go_back(console, officer):
    task = make_task(officer, TODAY, title="Finish me")
    commit()
    response = console.post(f"/admin/tasks/{task.id}/complete", {"next": "/admin/tasks?when=today"})
    assert location(response) == "/admin/tasks?when=today"
    db.session.expire_all()
    assert task.status is TaskStatus.DONE and task.completed_by_id == officer.id
    assert console.post(f"/admin/tasks/{task.id}/complete").status_code == 302  # twice: nothing more
    response = console.post(f"/admin/tasks/{task.id}/reopen", {"next": "https://evil.example/"})
    assert location(response) == "/admin/tasks"  # no open redirect
    db.session.expire_all()
    assert task.status is TaskStatus.OPEN and task.completed_at is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.target_type == "task").order_by(AuditEvent.id)
    ).all()
    assert actions == ["task.completed", "task.reopened"]
    assert console.post("/admin/tasks/999999/complete").status_code == 404


# --- the daily digest ------------------------------------------------------------------------------


def run(app, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["portal", "send-task-digests", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def digests(address: str) -> list[Email]:
    return [e for e in emails_to(address) if e.template == "task_digest"]


def test_the_digest_goes_once_a_day_and_only_to_whoever_has_something_due(app, officer, colleague):
    idle = make_staff(email="idle@tto.example")
    day = date(2027, 2, 10)
    make_task(officer, day - timedelta(days=2), title="Overdue call")
    make_task(officer, day, title="Today's visit")
    make_task(officer, day + timedelta(days=1), title="Tomorrow's memo")
    make_task(officer, day - timedelta(days=4), title="Done already", status=TaskStatus.DONE)
    make_task(idle, day + timedelta(days=5), title="Not yet due")
    commit()
    assert "sent 1" in run(app, day)
    assert "sent 0, already sent today 1" in run(app, day)  # twice the same day: nothing more
    sent = digests(officer.email)
    assert len(sent) == 1
    body = sent[0].body_text
    assert "2 tasks due today or overdue" in sent[0].subject
    assert "Overdue call" in body and "2 days late" in body and "Today's visit" in body
    assert "Tomorrow's memo" not in body and "Done already" not in body
    assert body.index("Overdue call") < body.index("Today's visit")
    assert digests(idle.email) == [] and digests(colleague.email) == []
    run(app, day + timedelta(days=1))  # the next day: again (the memo is due now)
    assert len(digests(officer.email)) == 2
    assert "Tomorrow's memo" in digests(officer.email)[-1].body_text
    assert db.session.scalar(sa.select(sa.func.count(TaskDigest.id))) == 2


def test_the_digest_is_in_the_officers_language(app, officer):
    officer.locale = "fr"
    make_task(officer, date(2027, 2, 10), title="Appeler Kumo")
    commit()
    run(app, date(2027, 2, 10))
    (email,) = digests(officer.email)
    assert "Appeler Kumo" in email.body_text


@pytest.fixture
def real_app(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_simultaneous_runs_send_one_digest(real_app):
    """Four digest jobs at the same instant on separate connections: one email, one record."""
    from ..support.concurrency import run_simultaneously

    with real_app.app_context():
        officer = make_staff(email="racer@tto.example")
        make_task(officer, date(2027, 3, 1), title="Concurrent")
        db.session.commit()

    def job(_: int) -> int:
        with real_app.app_context():
            try:
                sent = service.send_task_digests(date(2027, 3, 1)).sent
                db.session.commit()
                return sent
            finally:
                db.session.remove()

    assert sorted(run_simultaneously(4, job)) == [0, 0, 0, 1]
    with real_app.app_context():
        assert len(digests("racer@tto.example")) == 1
        assert db.session.scalar(sa.select(sa.func.count(TaskDigest.id))) == 1
