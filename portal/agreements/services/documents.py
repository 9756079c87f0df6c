"""The executed PDF: rendered after the signatures are committed, retried until stored."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from ...core import audit, pdf
from ...core.database import begin_write, lock_for_update
from ...core.links import link
from ...core.types import utcnow
from ...extensions import db
from .. import rendering
from ..models import (
    Agreement,
)
from ..templates import template_info

log = logging.getLogger("liaison.agreements")


def _signature_values(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "party": s.party.value,
            "full_name": s.full_name,
            "title": s.title,
            "user_email": s.user_email,
            "signed_at": s.signed_at.strftime("%d %B %Y, %H:%M:%S UTC"),
            "ip": s.ip,
            "user_agent": s.user_agent,
            "document_sha256": s.document_sha256,
            "statement": s.statement,
        }
        for s in agreement.signatures
    ]


def executed_document(agreement: Agreement) -> bytes:
    """The executed PDF: the same terms with the signature blocks filled and a certificate page."""
    assert agreement.executed_at is not None
    return rendering.render_document(
        agreement.template.body,
        agreement.params,
        template_info(agreement.template),
        signatures=_signature_values(agreement),
        certificate={
            "document_sha256": agreement.pdf_sha256,
            "executed_at": agreement.executed_at.strftime("%d %B %Y, %H:%M:%S"),
            "verify_url": link("agreements.verify"),
            "countersigned": agreement.countersignature_required,
        },
    )


def render_executed(agreement: Agreement) -> bool:
    """Produce and store the executed PDF; on failure keep everything and leave it for a retry.

    The PDF is rendered first (reads only, no lock held for its few hundred milliseconds), then
    stored in a write transaction of its own under a lock on the agreement (`begin_write`: on SQLite
    the write lock, so a simultaneous writer is queued for, not a "database is locked" error). The
    caller commits. Two renders at once store one PDF."""
    if agreement.executed_at is None or agreement.executed_sha256 is not None:
        return False
    try:
        data: bytes | None = executed_document(agreement)
    except Exception:
        data = None
        log.exception("rendering the executed PDF of %s failed", agreement.number)
    begin_write()  # ends the read; `agreement` is read again below, under the lock
    lock_for_update(agreement)
    if agreement.executed_sha256 is not None:
        return False  # another request stored it meanwhile
    agreement.render_attempts = (agreement.render_attempts or 0) + 1
    if data is None:
        log.warning(
            "executed PDF of %s left for a retry (attempt %s)", agreement.number, agreement.render_attempts
        )
        return False
    agreement.executed_pdf = data
    agreement.executed_sha256 = pdf.sha256(data)
    agreement.executed_rendered_at = utcnow()
    audit.record("agreement.executed_pdf_stored", target=agreement, sha256=agreement.executed_sha256)
    return True


def render_pending() -> dict[str, int]:
    """Retry every executed agreement whose PDF is missing; one commit per agreement."""
    report = {"rendered": 0, "failed": 0}
    ids = db.session.scalars(
        sa.select(Agreement.id).where(Agreement.executed_at.is_not(None), Agreement.executed_sha256.is_(None))
    ).all()
    for agreement_id in ids:
        agreement = db.session.get(Agreement, agreement_id)
        ok = agreement is not None and render_executed(agreement)
        db.session.commit()
        report["rendered" if ok else "failed"] += 1
    return report
