"""The NDA gate's acceptance page: the current mutual NDA, accepted once per organisation and
version by a signatory (click-through standard terms, executed on acceptance)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from ..auth.models import User
from ..core import pdf
from ..core.database import lock_for_update
from ..core.errors import DomainError
from ..core.types import utcnow
from ..partners.models import Organisation
from . import gate, rendering
from .models import Agreement, AgreementKind, AgreementStatus, AgreementTemplate, TemplateStatus
from .services import Evidence, Terms, build_params, create_agreement, is_signatory_of, sign_as_partner
from .templates import ensure_default_template, shipped_text


def current_nda(language: str = "en") -> AgreementTemplate:
    return ensure_default_template(AgreementKind.NDA, language)


def nda_for_reading(language: str = "en") -> AgreementTemplate:
    """The NDA in force, or (before any exists) the shipped text, unsaved: reading changes nothing."""
    template = gate.current_template(AgreementKind.NDA, language)
    if template is not None:
        return template
    return AgreementTemplate(
        kind=AgreementKind.NDA,
        version=1,
        language="en",
        title=AgreementKind.NDA.label,
        effective_on=date.today(),
        body=shipped_text(AgreementKind.NDA),
        status=TemplateStatus.PUBLISHED,
    )


def nda_preview_html(
    organisation: Organisation, template: AgreementTemplate
) -> tuple[Markup, dict[str, Any]]:
    """The NDA text as the signatory reads it on the page, and the snapshot it was made from."""
    params = build_params(organisation, AgreementKind.NDA, "(assigned on acceptance)", nda_terms())
    return rendering.render_body(template.body, params), params


def text_fingerprint(text: str) -> str:
    return pdf.sha256(text.encode("utf-8"))


def nda_terms() -> Terms:
    return Terms(
        title="Mutual Non-Disclosure Agreement",
        term_months=36,
        purpose="evaluating technologies of the Institution and possible collaborations, licences or "
        "research projects between the parties",
    )


def accept_nda(
    user: User, organisation: Organisation, template: AgreementTemplate, evidence: Evidence
) -> Agreement:
    """The NDA gate's acceptance: an NDA generated from the current version, signed by the partner's
    signatory and executed at once (the institution's standard terms). Once per version."""
    if not is_signatory_of(user, organisation.id):
        raise DomainError(_("Only a signatory of your organisation can accept the NDA."))
    existing = gate.nda_acceptance(organisation.id, template.language)
    if existing is not None and existing.template_id == template.id:
        raise DomainError(_("Your organisation has already accepted this NDA."))
    if gate.current_template(AgreementKind.NDA, template.language) != template:
        raise DomainError(
            _("A new version of the NDA was published while you were reading. Read it, then accept.")
        )
    if evidence.shown_sha256 != text_fingerprint(nda_preview_html(organisation, template)[0]):
        raise DomainError(_("The NDA text changed since you opened it. Read the current text, then accept."))
    # Lock per organisation: concurrent acceptances serialise on the organisation row.
    lock_for_update(organisation)
    if gate.nda_acceptance(organisation.id, template.language) is not None:
        raise DomainError(_("Your organisation has already accepted this NDA."))
    agreement = create_agreement(
        user, organisation, AgreementKind.NDA, nda_terms(), source="nda-gate", countersignature_required=False
    )
    agreement.status = AgreementStatus.ISSUED
    agreement.issued_at = utcnow()
    sign_as_partner(
        user,
        agreement,
        dataclasses.replace(evidence, shown_sha256=agreement.pdf_sha256),
    )
    return agreement
