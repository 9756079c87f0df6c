"""Request-side helpers for agreement pages, shared by the partner pages and the staff console."""

from __future__ import annotations

from flask import Response, request

from ..core.web import stored_pdf
from . import services, verification
from .forms import SignForm
from .models import Agreement, AgreementStatus


def evidence_from(form: SignForm) -> services.Evidence:
    return services.Evidence(
        full_name=form.full_name.data or "",
        title=form.title.data or "",
        confirmed=bool(form.confirm.data),
        other_name=bool(form.other_name.data),
        shown_sha256=form.document_sha256.data or "",
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string,
    )


def pdf_download(agreement: Agreement) -> Response:
    return stored_pdf(*verification.stored_document(agreement), "agreement")


def finish_execution(agreement: Agreement) -> bool:
    """After the signature is committed: produce the executed PDF (a failure leaves it for a retry).
    True when the agreement is executed and its PDF stored."""
    if agreement.status is not AgreementStatus.EXECUTED:
        return False
    return services.render_executed_after_commit(agreement.id)
