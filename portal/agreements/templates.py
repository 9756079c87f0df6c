"""Agreement templates: the shipped texts, versions, editing with preview, publishing.

A published version never changes; new agreements use the latest published version whose
effective date has come (`gate.current_template`). Services flush; callers commit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..core import audit
from ..core.database import insert_if_absent
from ..core.errors import DomainError
from ..core.i18n import current_language
from ..core.types import utcnow
from ..extensions import db
from . import gate, rendering, sandbox_check
from .models import AgreementKind, AgreementTemplate, TemplateStatus

DEFAULTS = Path(__file__).resolve().parent / "defaults"


LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "nl": "Nederlands"}


def templates_by_kind() -> dict[AgreementKind, list[AgreementTemplate]]:
    rows = db.session.scalars(
        sa.select(AgreementTemplate).order_by(
            AgreementTemplate.kind, AgreementTemplate.language, AgreementTemplate.version.desc()
        )
    )
    grouped: dict[AgreementKind, list[AgreementTemplate]] = {kind: [] for kind in AgreementKind}
    for template in rows:
        grouped[template.kind].append(template)
    return grouped


def shipped_text(kind: AgreementKind) -> str:
    """The text Liaison ships for a kind (version 1 until staff publish their own)."""
    return (DEFAULTS / f"{kind.value}.html").read_text(encoding="utf-8")


def ensure_default_template(kind: AgreementKind, language: str = "en") -> AgreementTemplate:
    """The template in force, or version 1 from the text shipped with Liaison (created once)."""
    template = gate.current_template(kind, language)
    if template is None and language == "en":
        _store_shipped_version(kind)
        template = gate.current_template(kind, language)
    if template is None:
        raise DomainError(
            _(
                "There is no %(kind)s in %(language)s published and in force.",
                kind=kind.display_label if current_language() == "de" else kind.display_label.lower(),
                language=LANGUAGES.get(language, language),
            )
        )
    return template


def _store_shipped_version(kind: AgreementKind) -> None:
    """Version 1 of a kind is the shipped English text, stored the first time it is needed."""
    if _latest_version(kind, "en") == 0:
        insert_if_absent(
            AgreementTemplate,
            kind=kind,
            version=1,
            language="en",
            title=kind.label,
            effective_on=date.today(),
            body=shipped_text(kind),
            change_note="Initial text shipped with Liaison",
            status=TemplateStatus.PUBLISHED,
            created_at=utcnow(),
            published_at=utcnow(),
        )


def _latest_version(kind: AgreementKind, language: str) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.max(AgreementTemplate.version)).where(
                AgreementTemplate.kind == kind, AgreementTemplate.language == language
            )
        )
        or 0
    )


def new_template_version(actor: User, kind: AgreementKind, language: str) -> AgreementTemplate:
    """A draft copied from the latest version (or the shipped text); one open draft at a time."""
    if language not in LANGUAGES:
        raise DomainError(_("Choose one of the languages offered."), field="language")
    if language == "en":
        _store_shipped_version(kind)  # the shipped text stays version 1, whatever drafts follow
    draft = db.session.scalar(
        sa.select(AgreementTemplate).where(
            AgreementTemplate.kind == kind,
            AgreementTemplate.language == language,
            AgreementTemplate.status == TemplateStatus.DRAFT,
        )
    )
    if draft is not None:
        return draft
    latest = db.session.scalar(
        sa.select(AgreementTemplate)
        .where(AgreementTemplate.kind == kind, AgreementTemplate.language == language)
        .order_by(AgreementTemplate.version.desc())
        .limit(1)
    )
    template = AgreementTemplate(
        kind=kind,
        language=language,
        version=(latest.version if latest else 0) + 1,
        title=latest.title if latest else kind.label,
        body=latest.body if latest else shipped_text(kind),
        effective_on=date.today(),
        status=TemplateStatus.DRAFT,
        created_by_id=actor.id,
    )
    db.session.add(template)
    db.session.flush()
    audit.record("agreement_template.drafted", actor=actor, target=template)
    return template


def save_template(
    actor: User, template: AgreementTemplate, *, title: str, body: str, effective_on: date, change_note: str
) -> None:
    if template.is_published:
        raise DomainError(_("A published version never changes. Start a new version to edit the text."))
    check_text(body)
    template.title = title.strip()
    template.body = body
    template.effective_on = effective_on
    template.change_note = change_note.strip()
    audit.record("agreement_template.saved", actor=actor, target=template)


def check_text(body: str) -> None:
    """Refuse a text that does not render with example values and with empty values, or that needs
    too much time or memory (checked in a limited child process before the app ever renders it)."""
    sandbox_check.check(body, [rendering.sample_params(), rendering.sparse_params()])


def preview_template(body: str, template: AgreementTemplate) -> bytes:
    """A PDF of a (possibly unsaved) text with example values, marked PREVIEW."""
    check_text(body)
    params = rendering.sample_params()
    params["agreement"] = {**params["agreement"], "kind": template.kind.value, "title": template.title}
    return rendering.render_document(body, params, template_info(template), watermark="PREVIEW")


def publish_template(actor: User, template: AgreementTemplate) -> None:
    if template.is_published:
        raise DomainError(_("This version is already published."))
    preview_template(template.body, template)  # the whole document must render, not only the body
    template.status = TemplateStatus.PUBLISHED
    template.published_at = utcnow()
    template.published_by_id = actor.id
    audit.record(
        "agreement_template.published", actor=actor, target=template, effective_on=str(template.effective_on)
    )


def template_info(template: AgreementTemplate) -> dict[str, Any]:
    return {
        "title": template.title,
        "version": template.version,
        "language": template.language,
        "effective_on": template.effective_on,  # a date: printed in the document's language
    }
