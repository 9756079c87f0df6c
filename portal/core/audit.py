"""Audit rows, written in the same transaction as the action they describe."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from ..extensions import db
from .models import AuditEvent


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    action: str,
    *,
    actor: Any | None = None,
    target: Any | None = None,
    organisation_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        target_label=str(target)[:255] if target is not None else None,
        organisation_id=organisation_id
        if organisation_id is not None
        else getattr(target, "organisation_id", None),
        details=details,
        ip=client_ip(),
        request_id=getattr(g, "request_id", None) if has_request_context() else None,
    )
    db.session.add(event)
    return event
