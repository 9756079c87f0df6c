"""The executed PDF: rendered after the signatures are committed, retried until stored."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit, pdf
from ...core.database import begin_write, lock_for_update
from ...core.links import link
from ...core.types import utcnow
from ...extensions import db
from .. import rendering
from ..models import (
    Agreement,
    SignatoryParty,
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
            "signed_at": rendering.long_datetime(s.signed_at),
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
    with rendering.in_document_language(agreement.template.language):  # its dates as its labels
        return rendering.render_document(
            agreement.template.body,
            agreement.params,
            template_info(agreement.template),
            signatures=_signature_values(agreement),
            certificate={
                "document_sha256": agreement.pdf_sha256,
                "executed_at": rendering.long_datetime(agreement.executed_at),
                "verify_url": link("agreements.verify"),
                "countersigned": agreement.countersignature_required,
                "standing": standing_line(agreement),
            },
        )


def readable_text(agreement: Agreement):
    """The agreement's terms as HTML for its page: the same rendering of the same template and
    snapshot the PDF is made from (sanitised by `rendering.render_body`), in the document's language,
    so a signatory reads what they sign without downloading it (issue 10, point 7)."""
    with rendering.in_document_language(agreement.template.language):
        return rendering.render_body(agreement.template.body, agreement.params)


def standing_line(agreement: Agreement) -> str:
    """ "Countersigned under the standing authorisation of <name>, given <date>." or "", in the
    current language (the certificate's: the agreement's; /verify's: the reader's). The signature's
    stored statement keeps the English wording of `signing.standing_statement`, as evidence."""
    signature = agreement.signature_of(SignatoryParty.INSTITUTION)
    if signature is None or signature.standing is None:
        return ""
    standing = signature.standing
    return _(
        "Countersigned under the standing authorisation of %(name)s, given %(day)s.",
        name=standing.signer_name,
        day=rendering.long_date(standing.given_at),
    )


def _due(agreement: Agreement | None) -> bool:
    return agreement is not None and agreement.executed_at is not None and agreement.executed_sha256 is None


def _render(agreement: Agreement) -> bytes | None:
    try:
        return executed_document(agreement)
    except Exception:
        log.exception("rendering the executed PDF of %s failed", agreement.number)
        return None


def _store(agreement: Agreement, data: bytes | None) -> bool:
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


def render_executed(agreement: Agreement) -> bool:
    """Produce and store the executed PDF in the caller's transaction (the caller commits); on
    failure keep everything and leave it for a retry."""
    if not _due(agreement):
        return False
    return _store(agreement, _render(agreement))


def render_executed_after_commit(agreement_id: int) -> bool:
    """The same for a caller whose own transaction is committed (the countersignature, the retry
    job): the PDF is rendered with no lock held for its few hundred milliseconds, then stored in a
    write transaction of its own under a lock on the agreement (`begin_write`: on SQLite the write
    lock, so a simultaneous writer is queued for, not a "database is locked" error), and committed.
    Two renders at once store one PDF."""
    agreement = db.session.get(Agreement, agreement_id)
    if not _due(agreement):
        return False
    data = _render(agreement)
    begin_write()  # ends the read; the agreement is read again under the lock
    agreement = db.session.get(Agreement, agreement_id)
    lock_for_update(agreement)
    stored = _due(agreement) and _store(agreement, data)
    db.session.commit()
    return stored


def render_pending() -> dict[str, int]:
    """Retry every executed agreement whose PDF is missing; one commit per agreement."""
    report = {"rendered": 0, "failed": 0}
    ids = db.session.scalars(
        sa.select(Agreement.id).where(Agreement.executed_at.is_not(None), Agreement.executed_sha256.is_(None))
    ).all()
    db.session.commit()
    for agreement_id in ids:
        ok = render_executed_after_commit(agreement_id)
        report["rendered" if ok else "failed"] += 1
    return report
