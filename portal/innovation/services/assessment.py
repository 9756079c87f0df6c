"""The staff assessment of a submitted disclosure: five scores from 1 to 5, a recommendation and a
note for the inventors. The decision is audited, the disclosure's status changes (returned to the
inventors, or assessed for the TTO to pursue) and the inventors are emailed."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ..models import Assessment, Disclosure, DisclosureStatus, Recommendation
from .disclosures import recipients

SCORES = ("novelty", "inventive_step", "market", "ip_strength", "team")


@dataclass
class AssessmentData:
    novelty: int
    inventive_step: int
    market: int
    ip_strength: int
    team: int
    recommendation: Recommendation
    note: str = ""


def assess(actor: User, disclosure: Disclosure, data: AssessmentData) -> Assessment:
    if not actor.is_staff:
        raise DomainError("Only staff assess disclosures.")
    if disclosure.status is not DisclosureStatus.SUBMITTED:
        raise DomainError("Only a submitted disclosure waiting for assessment can be assessed.")
    for name in SCORES:
        value = getattr(data, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise DomainError("Each score is a whole number from 1 to 5.", name)
    assessment = Assessment(
        disclosure=disclosure,
        **{name: getattr(data, name) for name in SCORES},
        recommendation=data.recommendation,
        note=data.note.strip(),
        assessed_by_id=actor.id,
        assessed_at=utcnow(),
    )
    db.session.add(assessment)
    disclosure.status = (
        DisclosureStatus.RETURNED
        if data.recommendation is Recommendation.RETURN
        else DisclosureStatus.ASSESSED
    )
    if disclosure.officer_id is None:
        disclosure.officer_id = actor.id
    db.session.flush()
    audit.record(
        "disclosure.assessed",
        actor=actor,
        target=disclosure,
        recommendation=data.recommendation.value,
        scores={name: getattr(data, name) for name in SCORES},
    )
    notify(
        recipients(disclosure),
        "disclosure_assessed",
        subject=_l("Your invention disclosure %(reference)s was assessed", reference=disclosure.reference),
        disclosure_reference=disclosure.reference,
        disclosure_title=disclosure.title,
        recommendation=data.recommendation,
        note=assessment.note,
        disclosure_url=link("innovation.invention_detail", disclosure_id=disclosure.id),
    )
    return assessment
