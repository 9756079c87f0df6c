"""Document turnaround: how long an agreement spent with each side at each step.

From the agreement's own timestamps: drafted (`created_at`) -> issued (`issued_at`, the
institution prepares it) -> signed by the partner (the partner's signature, the partner has it)
-> countersigned (the institution's signature, or `executed_at` when no countersignature is
needed: the institution has it). A step not finished yet runs until `now` and says so; a step
that never happens (void before signing) has no duration. The dashboard's medians of the same
steps are SQL aggregates in `kpis.headline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...agreements.models import Agreement, AgreementStatus, SignatoryParty
from ...core.types import utcnow

INSTITUTION = "institution"
PARTNER = "partner"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    holder: str  # INSTITUTION or PARTNER
    started: datetime | None
    ended: datetime | None
    running: bool  # not finished yet: `days` counts to now

    @property
    def holder_label(self) -> str:
        return str(_l("Institution") if self.holder == INSTITUTION else _l("Partner"))

    def days(self, now: datetime) -> float | None:
        if self.started is None:
            return None
        end = self.ended or (now if self.running else None)
        if end is None:
            return None
        return max((end - self.started).total_seconds() / 86400, 0.0)


@dataclass(frozen=True)
class Turnaround:
    steps: list[Step]
    now: datetime

    def total(self, holder: str) -> float:
        return sum(step.days(self.now) or 0.0 for step in self.steps if step.holder == holder)

    @property
    def institution_days(self) -> float:
        return self.total(INSTITUTION)

    @property
    def partner_days(self) -> float:
        return self.total(PARTNER)


def of_agreement(agreement: Agreement, now: datetime | None = None) -> Turnaround:
    """The steps of one agreement (its signatures must be loaded: no query here)."""
    now = now or utcnow()
    signed = {s.party: s.signed_at for s in agreement.signatures}
    partner_at = signed.get(SignatoryParty.PARTNER)
    institution_at = signed.get(SignatoryParty.INSTITUTION)
    if institution_at is None and not agreement.countersignature_required:
        institution_at = agreement.executed_at
    open_ = agreement.status.is_open
    issued_at = agreement.issued_at
    steps = [
        Step(
            "issued",
            str(_l("Issued")),
            INSTITUTION,
            agreement.created_at,
            issued_at,
            running=open_ and issued_at is None,
        ),
        Step(
            "signed",
            str(_l("Signed by the partner")),
            PARTNER,
            issued_at,
            partner_at,
            running=open_ and issued_at is not None and partner_at is None,
        ),
    ]
    if agreement.countersignature_required or institution_at is not None:
        steps.append(
            Step(
                "countersigned",
                str(_l("Countersigned")),
                INSTITUTION,
                partner_at,
                institution_at,
                running=agreement.status is AgreementStatus.PARTNER_SIGNED and institution_at is None,
            )
        )
    return Turnaround(steps, now)
