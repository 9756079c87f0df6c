"""Questions other features ask about agreements (read-only; no import of other use cases).

- Has this organisation an executed partnership agreement? (the membership access rule)
- Has it accepted the current NDA? (confidential catalog dossiers)
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..core.database import prepared
from ..extensions import db
from .models import Agreement, AgreementKind, AgreementStatus, AgreementTemplate, TemplateStatus


def current_template(kind: AgreementKind, language: str = "en", today: date | None = None):
    """The latest published version in force today, or None."""
    return db.session.scalar(
        sa.select(AgreementTemplate)
        .where(
            AgreementTemplate.kind == kind,
            AgreementTemplate.language == language,
            AgreementTemplate.status == TemplateStatus.PUBLISHED,
            AgreementTemplate.effective_on <= (today or date.today()),
        )
        .order_by(AgreementTemplate.version.desc())
        .limit(1)
    )


@prepared
def _partnership_executed() -> sa.Select:
    return (
        sa.select(Agreement.id)
        .where(
            Agreement.organisation_id == sa.bindparam("organisation_id"),
            Agreement.kind == AgreementKind.PARTNERSHIP,
            Agreement.status == AgreementStatus.EXECUTED,
        )
        .limit(1)
    )


def partnership_executed(organisation_id: int) -> bool:
    return db.session.scalar(_partnership_executed(), {"organisation_id": organisation_id}) is not None


def nda_acceptance(
    organisation_id: int, language: str = "en", template: AgreementTemplate | None = None
) -> Agreement | None:
    """The organisation's executed NDA on the current NDA version (`template` when the caller has
    it already), if any."""
    template = template or current_template(AgreementKind.NDA, language)
    if template is None or template.id is None:  # the shipped text, not yet saved: none accepted
        return None
    return db.session.scalar(
        sa.select(Agreement)
        .where(
            Agreement.organisation_id == organisation_id,
            Agreement.template_id == template.id,
            Agreement.status == AgreementStatus.EXECUTED,
        )
        .order_by(Agreement.executed_at.desc())
        .limit(1)
    )


def has_accepted_current_nda(organisation_id: int, language: str = "en") -> bool:
    """The NDA gate: a new NDA version asks again."""
    return nda_acceptance(organisation_id, language) is not None
