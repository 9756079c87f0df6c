"""Interactions (a meeting, call, email, event or visit with a partner) and staff notes (internal,
never shown to the partner), each logged by a staff member and audited."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from ...partners.models import Organisation
from ..models import Interaction, InteractionKind, Prospect, StaffNote

SUMMARY_MAX = 5000
ATTENDEES_MAX = 500


def log_interaction(
    actor: User,
    organisation: Organisation | None,
    *,
    prospect: Prospect | None = None,
    kind: InteractionKind,
    occurred_on: date,
    summary: str,
    attendees: str = "",
    follow_up: str = "",
    today: date | None = None,
) -> Interaction:
    today = today or date.today()
    summary = summary.strip()
    if not summary:
        raise DomainError("Say in a few words what was discussed.", field="summary")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(f"Keep the summary under {SUMMARY_MAX} characters.", field="summary")
    attendees = " ".join(attendees.split())
    if len(attendees) > ATTENDEES_MAX:
        raise DomainError(f"Keep the attendees under {ATTENDEES_MAX} characters.", field="attendees")
    if occurred_on > today + timedelta(days=1):
        raise DomainError(
            "Log an interaction once it has happened (the date is in the future).", "occurred_on"
        )
    if organisation is None and prospect is not None:
        organisation = prospect.organisation  # a linked prospect's interaction is the organisation's too
    if organisation is None and prospect is None:
        raise DomainError("Log an interaction on an organisation or a prospect.")
    interaction = Interaction(
        organisation_id=organisation.id if organisation else None,
        prospect_id=prospect.id if prospect else None,
        kind=kind,
        occurred_on=occurred_on,
        attendees=attendees,
        summary=summary,
        follow_up=follow_up.strip()[:SUMMARY_MAX],
        created_by_id=actor.id,
    )
    db.session.add(interaction)
    db.session.flush()
    audit.record(
        "interaction.logged",
        actor=actor,
        target=interaction,
        organisation_id=organisation.id if organisation else None,
        prospect_id=prospect.id if prospect else None,
        kind=kind.value,
        occurred_on=occurred_on.isoformat(),
    )
    return interaction


def add_note(actor: User, organisation: Organisation, body: str) -> StaffNote:
    body = body.strip()
    if not body:
        raise DomainError("Write the note first.", field="body")
    if len(body) > SUMMARY_MAX:
        raise DomainError(f"Keep the note under {SUMMARY_MAX} characters.", field="body")
    note = StaffNote(organisation_id=organisation.id, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record("note.added", actor=actor, target=note, organisation_id=organisation.id)
    return note


def notes_of(organisation_id: int, limit: int = 50) -> list[StaffNote]:
    return list(
        db.session.scalars(
            sa.select(StaffNote)
            .where(StaffNote.organisation_id == organisation_id)
            .options(joinedload(StaffNote.author).lazyload(User.role_grants))
            .order_by(StaffNote.created_at.desc(), StaffNote.id.desc())
            .limit(limit)
        )
    )
