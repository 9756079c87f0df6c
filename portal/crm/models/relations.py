"""CRM tables: relations. What staff log about a partner (interactions, internal notes), the tasks
they set themselves (on an organisation, a challenge or a prospect), the one-per-day record of each
officer's task digest, and each officer's secret calendar-feed address (stored hashed)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...auth.models import User
from ...challenges.models import Challenge
from ...core.types import UTCDateTime, enum_column, utcnow
from ...extensions import db
from ...partners.models import Organisation
from .pipeline import Prospect

__all__ = [
    "CalendarFeed",
    "Interaction",
    "InteractionKind",
    "StaffNote",
    "Task",
    "TaskDigest",
    "TaskStatus",
]


class InteractionKind(enum.Enum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return {
            "meeting": "Meeting",
            "call": "Call",
            "email": "Email",
            "event": "Event",
            "visit": "Visit",
        }[self.value]


class Interaction(db.Model):
    """A meeting, call, email, event or visit with a partner, as a staff member logged it."""

    __tablename__ = "crm_interaction"
    __table_args__ = (
        sa.Index("ix_crm_interaction_organisation_day", "organisation_id", "occurred_on"),
        sa.Index("ix_crm_interaction_prospect_day", "prospect_id", "occurred_on"),
        sa.CheckConstraint(
            "organisation_id IS NOT NULL OR prospect_id IS NOT NULL", name="interaction_has_a_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # With an organisation, or with a prospect before the company has an account (once the prospect
    # is linked, the organisation's timeline shows it too).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    prospect_id: Mapped[int | None] = mapped_column(sa.ForeignKey("prospect.id", ondelete="CASCADE"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    attendees: Mapped[str] = mapped_column(sa.String(500), default="")
    summary: Mapped[str] = mapped_column(sa.Text)
    follow_up: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    prospect: Mapped[Prospect | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.label} on {self.occurred_on.isoformat()}"


class StaffNote(db.Model):
    """An internal note on an organisation: staff only, never shown to the partner."""

    __tablename__ = "crm_staff_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"Note {self.id}"


class TaskStatus(enum.Enum):
    OPEN = "open"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"open": "Open", "done": "Done"}[self.value]


class Task(db.Model):
    """Something a staff member has to do by a day, about an organisation, a challenge or a
    prospect (or none of them: a reminder to oneself)."""

    __tablename__ = "crm_task"
    __table_args__ = (
        # "my tasks" (assignee, open, by due date) and the digest (open, due by today)
        sa.Index("ix_crm_task_assignee_status_due", "assignee_id", "status", "due_on"),
        sa.Index("ix_crm_task_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.OPEN)
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    challenge_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("challenge.id", ondelete="CASCADE"), index=True
    )
    prospect_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("prospect.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    organisation: Mapped[Organisation | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    prospect: Mapped[Prospect | None] = relationship()

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.status is TaskStatus.OPEN and self.due_on < today


class TaskDigest(db.Model):
    """One row per staff member and day a task digest went out: the unique key makes the send
    happen once a day, however often and however concurrently `send-task-digests` runs."""

    __tablename__ = "crm_task_digest"
    __table_args__ = (sa.UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    task_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A staff member's secret iCalendar address: only the SHA-256 of its random token is kept.
    Rotating replaces the hash (the old address answers 404); revoking clears it."""

    __tablename__ = "crm_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
