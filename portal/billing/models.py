"""Stripe bookkeeping: processed webhook events and checkout attempts (our idempotency keys)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class StripeEvent(db.Model):
    """An event id is inserted (ON CONFLICT DO NOTHING) in the same transaction as its effect."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(80))
    created: Mapped[int] = mapped_column(sa.BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckoutAttempt(db.Model):
    """One stored attempt per membership and tier: its id is the idempotency key of the Checkout
    Session, so a double click (or a retry) opens the same session."""

    __tablename__ = "checkout_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("tier.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    stripe_session_id: Mapped[str | None] = mapped_column(sa.String(255))
    url: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
