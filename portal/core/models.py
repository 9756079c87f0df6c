"""Cross-cutting tables: the audit log, the email outbox and the full-text search documents."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, enum_column, utcnow


class AuditEvent(db.Model):
    """Append-only record of staff actions and of security-relevant state changes."""

    __tablename__ = "audit_event"
    # A user's or an object's history in the console (target_type, target_id).
    __table_args__ = (sa.Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column()
    target_label: Mapped[str | None] = mapped_column(sa.String(255))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    request_id: Mapped[str | None] = mapped_column(sa.String(36))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise RuntimeError("audit events are append-only")


class EmailStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Email(db.Model):
    """Outbox: written in the same transaction as the change that causes the mail."""

    __tablename__ = "email"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    template: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[EmailAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EmailAttachment.id"
    )


class EmailAttachment(db.Model):
    """A file sent with an outbox email (for example the invoice PDF for a billing mailbox)."""

    __tablename__ = "email_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(sa.ForeignKey("email.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class SearchDocument(db.Model):
    """One document of a full-text index (`portal.core.search`), keyed by index name and the id of
    the indexed row (a technology, a challenge ...). Written only through `portal.core.search`:
    the engine's index beside it (FTS5 table on SQLite, `search_vector` column + GIN index on
    PostgreSQL, both outside this model) is kept in step by that module."""

    __tablename__ = "search_document"
    __table_args__ = (sa.UniqueConstraint("index_name", "doc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    index_name: Mapped[str] = mapped_column(sa.String(40))
    doc_id: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str | None] = mapped_column(sa.String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchWord(db.Model):
    """The vocabulary of one full-text index: every folded word its documents contain, with the
    number of documents containing it. Kept in step by `portal.core.search` in the same statement
    group as the documents (per index, so a word of one index never appears in another's
    vocabulary); read for typo correction."""

    __tablename__ = "search_word"

    index_name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    doc_count: Mapped[int] = mapped_column(default=0)
