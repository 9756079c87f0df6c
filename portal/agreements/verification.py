"""Reading stored agreement PDFs (hash checked) and `/verify`: is this a genuine executed agreement?"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import pdf
from ..extensions import db
from .models import Agreement, AgreementStatus
from .rendering import long_date
from .services.documents import standing_line


def stored_document(agreement: Agreement) -> tuple[bytes | None, str | None, str]:
    """The executed PDF when there is one, else the document for signature: bytes, the SHA-256
    recorded when it was made (checked on read by `core.web.stored_pdf`), and a file name."""
    if agreement.executed_sha256 is not None:
        return agreement.executed_pdf, agreement.executed_sha256, f"{agreement.number}-executed.pdf"
    return agreement.pdf, agreement.pdf_sha256, f"{agreement.number}-for-signature.pdf"


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    message: str
    agreement: Agreement | None = None


NOT_FOUND = Verdict(
    False, _l("This is not a genuine executed agreement issued through this portal, or it was altered.")
)


def verify_bytes(data: bytes) -> Verdict:
    return verify_hash(pdf.sha256(data))


def verify_hash(digest: str, number: str | None = None) -> Verdict:
    digest = digest.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return NOT_FOUND
    stmt = sa.select(Agreement).where(Agreement.executed_sha256 == digest)
    if number is not None:
        stmt = stmt.where(Agreement.number == number.strip().upper())
    agreement = db.session.scalar(stmt.limit(1))
    if agreement is not None:
        template = agreement.template
        version = _(
            "%(title)s, version %(version)s (%(language)s)",
            title=template.title,
            version=template.version,
            language=template.language,
        )
        message = _(
            "Genuine: executed agreement %(number)s, on the terms “%(terms)s”, executed on %(day)s.",
            number=agreement.number,
            terms=version,
            day=long_date(agreement.executed_at),
        )
        standing = standing_line(agreement)
        if standing:
            message += " " + standing
        if agreement.status is AgreementStatus.SUPERSEDED:
            message += " " + _("It has since been superseded (%(reason)s)", reason=agreement.end_reason)
        return Verdict(True, message, agreement)
    offered = sa.select(Agreement).where(Agreement.pdf_sha256 == digest)
    if number is not None:
        offered = offered.where(Agreement.number == number.strip().upper())
    unsigned = db.session.scalar(offered.limit(1))
    if unsigned is not None:
        if unsigned.status is AgreementStatus.VOID:
            state = _("it was voided and never executed.")
        elif unsigned.status is AgreementStatus.DRAFT:
            state = _("it is a draft.")
        else:
            state = _("the executed copy carries a certificate page.")
        return Verdict(
            False,
            _(
                "This is the copy of %(number)s issued for signature, not an executed agreement: %(state)s",
                number=unsigned.number,
                state=state,
            ),
        )
    return NOT_FOUND
