"""Shared set-up for the licensing tests: a technology, a partner organisation with its lead and an
executed licence term sheet, licences and spin-offs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.agreements.models import AgreementStatus
from portal.catalog import services as catalog
from portal.catalog.models import Lead, LeadStatus, Researcher, TechnologyStatus
from portal.catalog.services import leads as lead_rules
from portal.core.types import utcnow
from portal.extensions import db
from portal.innovation.models.licensing import LicenceStatus, ReportFrequency
from portal.innovation.services import licences

from ..support.factories import make_organisation, make_partner

_n = iter(range(1, 1_000_000))


def make_technology(staff, title: str = "Licensing technology"):
    return catalog.create_technology(
        catalog.TechnologyData(title=f"{title} {next(_n)}", benefit="b", problem="p", trl=5, inventor_ids=[]),
        actor=staff,
        status=TechnologyStatus.PUBLISHED,
    )


def make_researcher(name: str = "Dr Founder") -> Researcher:
    researcher = Researcher(name=f"{name} {next(_n)}", group="Lab")
    db.session.add(researcher)
    db.session.flush()
    return researcher


def executed_term_sheet(staff, **org):
    """A partner's lead on a new technology, its term sheet issued through the lead rules (real
    parameters and PDF), then marked executed (the signing itself is the agreements' tests)."""
    organisation = make_organisation(**org)
    owner = make_partner(organisation=organisation)
    technology = make_technology(staff)
    lead = Lead(
        technology_id=technology.id,
        organisation_id=organisation.id,
        created_by_id=owner.id,
        intended_use="Coatings",
        field_of_use="Marine coatings",
        territory="Nordic countries",
        status=LeadStatus.IN_DISCUSSION,
    )
    db.session.add(lead)
    db.session.flush()
    agreement, _ = lead_rules.issue_term_sheet(staff, lead)
    agreement.status = AgreementStatus.EXECUTED
    agreement.executed_at = utcnow()
    db.session.flush()
    return owner, lead, agreement


def make_licence(staff, organisation, technology=None, **values):
    data = licences.LicenceData(
        organisation_id=organisation.id,
        technology_id=(technology or make_technology(staff)).id,
        start_on=values.pop("start_on", date(2026, 1, 15)),
        status=values.pop("status", LicenceStatus.ACTIVE),
        report_frequency=values.pop("report_frequency", ReportFrequency.HALF_YEARLY),
        royalty_rate=values.pop("royalty_rate", Decimal("3.5")),
    )
    for key, value in values.items():
        setattr(data, key, value)
    return licences.create_licence(staff, data)
