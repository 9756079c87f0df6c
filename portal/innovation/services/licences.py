"""Licences: recorded from an executed licence term sheet (agreements of kind licence whose source
is "lead:<id>", one licence per term sheet, the lead becomes "licensed") or entered by staff;
their milestones; their status. The reporting schedule and its reminders are in `reporting`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ...agreements.models import Agreement, AgreementKind, AgreementStatus
from ...auth.models import User
from ...catalog.models import Lead, LeadStatus, Technology
from ...catalog.services import leads as lead_rules
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...extensions import db
from ...partners.models import Organisation
from ..models.licensing import (
    CURRENCIES,
    Exclusivity,
    Licence,
    LicenceMilestone,
    LicenceReport,
    LicenceStatus,
    ReportFrequency,
    ReportStatus,
    SpinOff,
)
from . import reporting

MAX_CENTS = 10**15  # ten trillion in any currency: beyond it, a typing mistake
MAX_RATE = Decimal("100")

# The moves staff may make (a terminated or expired licence stays closed).
TRANSITIONS: dict[LicenceStatus, tuple[LicenceStatus, ...]] = {
    LicenceStatus.DRAFT: (LicenceStatus.ACTIVE, LicenceStatus.TERMINATED),
    LicenceStatus.ACTIVE: (LicenceStatus.TERMINATED, LicenceStatus.EXPIRED),
    LicenceStatus.TERMINATED: (),
    LicenceStatus.EXPIRED: (),
}


@dataclass
class LicenceData:
    organisation_id: int | None
    technology_id: int | None
    start_on: date | None
    end_on: date | None = None
    ip_rights: str = ""
    patent_family_id: int | None = None
    field_of_use: str = ""
    territory: str = ""
    exclusivity: Exclusivity = Exclusivity.NON_EXCLUSIVE
    currency: str = "EUR"
    upfront_fee_cents: int = 0
    royalty_rate: Decimal | None = None
    minimum_annual_royalty_cents: int = 0
    report_frequency: ReportFrequency = ReportFrequency.HALF_YEARLY
    officer_id: int | None = None
    notes: str = ""
    status: LicenceStatus = LicenceStatus.DRAFT
    term_sheet_id: int | None = None
    lead_id: int | None = None
    extra: dict = field(default_factory=dict)


FIELDS = (
    "organisation_id",
    "technology_id",
    "start_on",
    "end_on",
    "ip_rights",
    "patent_family_id",
    "field_of_use",
    "territory",
    "exclusivity",
    "currency",
    "upfront_fee_cents",
    "royalty_rate",
    "minimum_annual_royalty_cents",
    "report_frequency",
    "officer_id",
    "notes",
)


def to_cents(amount: Decimal | None) -> int:
    """A typed amount (two decimals at most, checked by the form) as integer cents; empty is 0."""
    return 0 if amount is None else int((amount * 100).to_integral_value())


def check_money(cents: int, field_name: str) -> None:
    if cents < 0:
        raise DomainError(_("Enter an amount of zero or more."), field_name)
    if cents >= MAX_CENTS:
        raise DomainError(_("Enter a smaller amount."), field_name)


def check_percent(value: Decimal | None, field_name: str) -> None:
    if value is None:
        return
    if value < 0 or value > MAX_RATE:
        raise DomainError(_("Enter a percentage between 0 and 100."), field_name)
    if value.as_tuple().exponent < -3:  # type: ignore[operator]
        raise DomainError(_("Use at most three decimals."), field_name)


def _validate(data: LicenceData) -> tuple[Organisation, Technology]:
    organisation = db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if organisation is None:
        raise DomainError(_("Choose the licensee organisation."), "organisation_id")
    technology = db.session.get(Technology, data.technology_id) if data.technology_id else None
    if technology is None:
        raise DomainError(_("Choose the licensed technology."), "technology_id")
    if data.start_on is None:
        raise DomainError(_("Enter the day the licence starts."), "start_on")
    if data.end_on is not None and data.end_on <= data.start_on:
        raise DomainError(_("The licence must end after it starts."), "end_on")
    if data.currency not in CURRENCIES:
        raise DomainError(_("Choose a currency."), "currency")
    check_money(data.upfront_fee_cents, "upfront_fee")
    check_money(data.minimum_annual_royalty_cents, "minimum_annual_royalty")
    check_percent(data.royalty_rate, "royalty_rate")
    if data.officer_id is not None:
        officer = db.session.get(User, data.officer_id)
        if officer is None or not officer.is_staff or not officer.active:
            raise DomainError(_("The responsible officer must be an active member of staff."), "officer_id")
    return organisation, technology


def _apply(licence: Licence, data: LicenceData) -> list[str]:
    changed = []
    for name in FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(licence, name) != value:
            setattr(licence, name, value)
            changed.append(name)
    return changed


def create_licence(actor: User, data: LicenceData) -> Licence:
    """A licence entered by staff (or from a term sheet: `record_from_term_sheet`), with its
    reporting schedule. Audited."""
    organisation, technology = _validate(data)
    licence = Licence(
        created_by_id=actor.id,
        status=data.status,
        term_sheet_id=data.term_sheet_id,
        lead_id=data.lead_id,
        start_on=data.start_on,
    )
    _apply(licence, data)
    if licence.officer_id is None and organisation.account_owner_id is not None:
        licence.officer_id = organisation.account_owner_id
    db.session.add(licence)
    db.session.flush()
    reporting.sync_schedule(licence)
    audit.record(
        "licence.created",
        actor=actor,
        target=licence,
        technology=technology.reference,
        **({"term_sheet": licence.term_sheet.number} if licence.term_sheet_id and licence.term_sheet else {}),
    )
    return licence


def update_licence(actor: User, licence: Licence, data: LicenceData) -> list[str]:
    _validate(data)
    changed = _apply(licence, data)
    if changed:
        db.session.flush()
        if {"start_on", "end_on", "report_frequency"} & set(changed):
            reporting.sync_schedule(licence)
        audit.record("licence.updated", actor=actor, target=licence, fields=changed)
    return changed


def set_status(actor: User, licence: Licence, status: LicenceStatus, note: str = "") -> None:
    previous = licence.status
    if status not in TRANSITIONS[previous]:
        raise DomainError(
            _(
                "A licence that is %(before)s cannot become %(after)s.",
                before=previous.label.lower(),
                after=status.label.lower(),
            ),
            "status",
        )
    licence.status = status
    db.session.flush()
    audit.record(
        "licence.status_changed",
        actor=actor,
        target=licence,
        before=previous.value,
        after=status.value,
        **({"note": note.strip()} if note.strip() else {}),
    )


# --- from an executed term sheet --------------------------------------------------------------


def lead_of_term_sheet(agreement: Agreement) -> Lead | None:
    """The lead a licence term sheet came from (source "lead:<id>"), if it still exists."""
    source = agreement.source or ""
    if not source.startswith("lead:") or not source[5:].isdigit():
        return None
    lead = db.session.get(Lead, int(source[5:]))
    return lead if lead is not None and lead.organisation_id == agreement.organisation_id else None


def check_term_sheet(agreement: Agreement) -> None:
    if agreement.kind is not AgreementKind.LICENCE:
        raise DomainError(_("Only a licence term sheet becomes a licence."))
    if agreement.status is not AgreementStatus.EXECUTED:
        raise DomainError(_("The term sheet must be executed (signed by both parties) first."))


def licence_of_term_sheet(agreement_id: int) -> Licence | None:
    return db.session.scalar(sa.select(Licence).where(Licence.term_sheet_id == agreement_id))


def prefill_from_term_sheet(agreement: Agreement) -> LicenceData:
    """The licence as the executed term sheet and its lead say it: licensee, technology, field of
    use, territory, exclusivity, term."""
    check_term_sheet(agreement)
    lead = lead_of_term_sheet(agreement)
    terms = (agreement.params or {}).get("terms", {})
    dates = (agreement.params or {}).get("agreement", {})
    start = _iso(dates.get("start_iso")) or (agreement.executed_at.date() if agreement.executed_at else None)
    months = int(dates.get("term_months") or 0)
    end = reporting.add_months(start, months) if start and months else None
    return LicenceData(
        organisation_id=agreement.organisation_id,
        technology_id=lead.technology_id if lead else None,
        start_on=start,
        end_on=end,
        field_of_use=(lead.field_of_use if lead and lead.field_of_use else terms.get("field_of_use", ""))[
            :200
        ],
        territory=(lead.territory if lead and lead.territory else terms.get("territory", ""))[:200],
        exclusivity=Exclusivity.EXCLUSIVE if terms.get("exclusive") else Exclusivity.NON_EXCLUSIVE,
        officer_id=lead.assigned_to_id if lead else None,
        term_sheet_id=agreement.id,
        lead_id=lead.id if lead else None,
    )


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def record_from_term_sheet(
    actor: User, agreement: Agreement, data: LicenceData | None = None
) -> tuple[Licence, bool]:
    """The licence of an executed term sheet, prefilled (or as staff corrected it in `data`), active,
    its lead moved to "licensed". Idempotent: a second call (a double click, two staff at once)
    returns the licence already recorded. Returns (licence, created)."""
    check_term_sheet(agreement)
    lock_for_update(agreement)
    existing = licence_of_term_sheet(agreement.id)
    if existing is not None:
        return existing, False
    prefill = prefill_from_term_sheet(agreement)
    data = data or prefill
    data.term_sheet_id, data.lead_id = agreement.id, prefill.lead_id
    if data.organisation_id != agreement.organisation_id:
        raise DomainError(
            _("The licensee is the organisation that signed the term sheet."), "organisation_id"
        )
    if data.status is LicenceStatus.DRAFT:
        data.status = LicenceStatus.ACTIVE
    licence = create_licence(actor, data)
    lead = db.session.get(Lead, prefill.lead_id) if prefill.lead_id else None
    if lead is not None:
        mark_lead_licensed(actor, lead)
    return licence, True


def mark_lead_licensed(actor: User, lead: Lead) -> None:
    """The catalog's lead rules move the lead (audited, the partner is emailed); a lead already
    licensed stays so, a lead the rules cannot move (new, declined) is moved through discussion."""
    if lead.status is LeadStatus.LICENSED:
        return
    if LeadStatus.LICENSED not in lead_rules.TRANSITIONS[lead.status]:
        lead_rules.set_status(actor, lead, LeadStatus.IN_DISCUSSION)
    lead_rules.set_status(actor, lead, LeadStatus.LICENSED)


def term_sheets_waiting(limit: int = 20) -> list[Agreement]:
    """Executed licence term sheets with no licence yet (the console's "Record the licence" list)."""
    return list(
        db.session.scalars(
            sa.select(Agreement)
            .outerjoin(Licence, Licence.term_sheet_id == Agreement.id)
            .where(
                Agreement.kind == AgreementKind.LICENCE,
                Agreement.status == AgreementStatus.EXECUTED,
                Licence.id.is_(None),
            )
            .options(joinedload(Agreement.organisation))
            .order_by(Agreement.executed_at.desc(), Agreement.id.desc())
            .limit(limit)
        )
    )


# --- milestones -------------------------------------------------------------------------------


def add_milestone(
    actor: User, licence: Licence, description: str, amount_cents: int, due_on: date | None
) -> LicenceMilestone:
    description = " ".join((description or "").split())
    if not description:
        raise DomainError(_("Describe the milestone."), "description")
    check_money(amount_cents, "amount")
    milestone = LicenceMilestone(
        licence_id=licence.id, description=description[:300], amount_cents=amount_cents, due_on=due_on
    )
    db.session.add(milestone)
    db.session.flush()
    audit.record(
        "licence.milestone_added",
        actor=actor,
        target=licence,
        milestone=milestone.description,
        amount=amount_cents,
        due_on=due_on.isoformat() if due_on else None,
    )
    return milestone


def remove_milestone(actor: User, licence: Licence, milestone_id: int | None) -> None:
    milestone = next((m for m in licence.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise DomainError(_("Choose the milestone to remove."), "milestone_id")
    licence.milestones.remove(milestone)
    db.session.flush()
    audit.record("licence.milestone_removed", actor=actor, target=licence, milestone=milestone.description)


# --- what pages and the lineage read ----------------------------------------------------------


def licences_of(organisation_id: int) -> list[Licence]:
    """The organisation's licences (not drafts), with technology and reports: the partner pages
    and the dashboard card, in two queries."""
    return list(
        db.session.scalars(
            sa.select(Licence)
            .where(Licence.organisation_id == organisation_id, Licence.status != LicenceStatus.DRAFT)
            .options(joinedload(Licence.technology), selectinload(Licence.reports))
            .order_by(Licence.start_on.desc(), Licence.id.desc())
        )
    )


def licences_for_technologies(technology_ids: Iterable[int]) -> dict[int, list[Licence]]:
    """Every licence of each technology (id -> licences, oldest first), with the licensee and the
    term sheet: one query whatever the number of technologies (the lineage)."""
    ids = sorted(set(technology_ids))
    found: dict[int, list[Licence]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        sa.select(Licence)
        .where(Licence.technology_id.in_(ids))
        .options(joinedload(Licence.organisation), joinedload(Licence.term_sheet))
        .order_by(Licence.start_on, Licence.id)
    )
    for licence in rows:
        found[licence.technology_id].append(licence)
    return found


def spinoffs_for_technologies(technology_ids: Iterable[int]) -> dict[int, list[SpinOff]]:
    """Every spin-off built on each technology (directly, or through its licence), id -> spin-offs,
    with founders: two queries whatever the number of technologies (the lineage)."""
    ids = sorted(set(technology_ids))
    found: dict[int, list[SpinOff]] = {i: [] for i in ids}
    if not ids:
        return found
    licensed = sa.select(Licence.id).where(Licence.technology_id.in_(ids))
    rows = db.session.scalars(
        sa.select(SpinOff)
        .where(sa.or_(SpinOff.technology_id.in_(ids), SpinOff.licence_id.in_(licensed)))
        .options(joinedload(SpinOff.licence), selectinload(SpinOff.founders))
        .order_by(SpinOff.name, SpinOff.id)
    )
    for spin_off in rows:
        keys = {spin_off.technology_id, spin_off.licence.technology_id if spin_off.licence else None}
        for key in keys:
            if key in found:
                found[key].append(spin_off)
    return found


def open_reports(licences: Iterable[Licence], today: date | None = None) -> list[LicenceReport]:
    """The reports to send now: of active licences, for a period that has ended, not yet sent or
    received; soonest due first (the licences' reports are loaded)."""
    today = today or date.today()
    return sorted(
        (
            r
            for licence in licences
            if licence.status is LicenceStatus.ACTIVE
            for r in licence.reports
            if r.status is ReportStatus.DUE and r.period_end < today
        ),
        key=lambda r: (r.due_on, r.id),
    )
