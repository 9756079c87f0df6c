"""Shared set-up for the disclosure tests: researcher accounts and disclosures at each stage."""

from __future__ import annotations

from decimal import Decimal

from portal.innovation.models import Recommendation
from portal.innovation.services import assessment, disclosures
from portal.innovation.services.disclosures import DisclosureData, ExternalShare, InventorShare

from ..challenges.helpers import researcher_account

__all__ = ["assessed", "data", "researcher_account", "submitted"]


def data(
    *shares: tuple[int, str], external: list[tuple[str, str, str]] | None = None, **overrides
) -> DisclosureData:
    values = {
        "title": "Self-healing coating for offshore turbines",
        "description": "A polymer coating with microcapsules that release a healing agent.",
        "problem": "Erosion of turbine blades costs weeks of downtime.",
        "novelty": "The capsules open only under cyclic strain.",
        "inventors": [InventorShare(rid, Decimal(share)) for rid, share in shares],
        "external": [ExternalShare(n, a, Decimal(s)) for n, a, s in (external or [])],
    }
    values.update(overrides)
    return DisclosureData(**values)


def submitted(user, *shares, **overrides):
    disclosure = disclosures.create_draft(user, data(*shares, **overrides))
    disclosures.submit(user, disclosure)
    return disclosure


def assessed(staff, disclosure, recommendation=Recommendation.FILE_PATENT):
    return assessment.assess(
        staff,
        disclosure,
        assessment.AssessmentData(4, 3, 4, 3, 5, recommendation, "We will file a European application."),
    )
