"""The access world's CRM objects for the relations routes (tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from portal.auth import tokens
from portal.crm.models import CalendarFeed, Interaction, InteractionKind, StaffNote, Task
from portal.extensions import db

SAMPLES: dict[str, Callable[[Any, str], Any]] = {
    "task_id": lambda w, endpoint: w.crm["task"].id,
    "feed_token": lambda w, endpoint: w.crm["feed_token"],
}


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object): an open task of the staff
    user on org_a's challenge (due yesterday), an interaction, a note, and the staff user's live
    calendar feed (its token in `feed_token`)."""
    today = date.today()
    task = Task(
        title="Matrix task",
        due_on=today - timedelta(days=1),
        assignee_id=world.staff.id,
        organisation_id=world.org_a.id,
        challenge_id=world.challenge.id if world.challenge is not None else None,
        created_by_id=world.staff.id,
    )
    interaction = Interaction(
        organisation_id=world.org_a.id,
        kind=InteractionKind.MEETING,
        occurred_on=today,
        attendees="Matrix attendees",
        summary="Matrix meeting",
        created_by_id=world.staff.id,
    )
    note = StaffNote(organisation_id=world.org_a.id, author_id=world.staff.id, body="Matrix note")
    token, token_hash = tokens.random_token()
    feed = CalendarFeed(user_id=world.staff.id, token_hash=token_hash)
    db.session.add_all([task, interaction, note, feed])
    db.session.flush()
    world.crm.update(task=task, interaction=interaction, note=note, feed=feed, feed_token=token)


# --- factories of the relations tests (tests/crm/test_relations*.py, test_tasks*.py) -------------

_n = iter(range(1, 1_000_000))


def make_technology(staff: Any, title: str = "Relations technology") -> Any:
    from portal.catalog import services as catalog
    from portal.catalog.models import TechnologyStatus

    return catalog.create_technology(
        catalog.TechnologyData(title=f"{title} {next(_n)}", benefit="b", problem="p", trl=4, inventor_ids=[]),
        actor=staff,
        status=TechnologyStatus.PUBLISHED,
    )


def make_lead(organisation: Any, technology: Any, **overrides) -> Any:
    from portal.catalog.models import Lead

    lead = Lead(technology_id=technology.id, organisation_id=organisation.id, **overrides)
    db.session.add(lead)
    db.session.flush()
    return lead


def make_challenge(organisation: Any, **overrides) -> Any:
    from portal.challenges.models import Challenge, ChallengeStatus
    from portal.core.types import utcnow

    n = next(_n)
    values = {
        "reference": f"C-R-{n:05d}",
        "organisation_id": organisation.id,
        "title": f"Relations challenge {n}",
        "problem": "A problem.",
        "desired_outcome": "An outcome.",
        "status": ChallengeStatus.SUBMITTED,
        "submitted_at": utcnow(),
    }
    values.update(overrides)
    challenge = Challenge(**values)
    db.session.add(challenge)
    db.session.flush()
    return challenge


def make_task(assignee: Any, due_on: date, **overrides) -> Task:
    values = {"title": f"Task {next(_n)}", "due_on": due_on, "assignee_id": assignee.id}
    values.update(overrides)
    task = Task(**values)
    db.session.add(task)
    db.session.flush()
    return task


def make_interaction(organisation: Any, occurred_on: date, **overrides) -> Interaction:
    values = {
        "organisation_id": organisation.id,
        "kind": InteractionKind.CALL,
        "occurred_on": occurred_on,
        "summary": f"Interaction {next(_n)}",
    }
    values.update(overrides)
    interaction = Interaction(**values)
    db.session.add(interaction)
    db.session.flush()
    return interaction
