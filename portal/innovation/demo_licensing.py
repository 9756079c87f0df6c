"""Demo data for the innovation area: licensing. Five licences on seeded technologies for the demo
partners (one recorded from a Kumo lead whose term sheet is signed and countersigned here, one
with a report due within 30 days), with milestones and reporting schedules; two spin-offs with
founders and a funding round each (one already a partner organisation). Idempotent: a second run
finds the records and adds nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..agreements import services as agreements
from ..auth.models import User
from ..catalog.models import LISTED_STATUSES, Lead, LeadStatus, Researcher, Technology
from ..catalog.services import leads as lead_rules
from ..extensions import db
from ..partners.models import Organisation
from .models.licensing import (
    Exclusivity,
    Licence,
    LicenceStatus,
    ReportFrequency,
    SpinOffStatus,
)
from .services import licences, reporting, spinoffs

MARK = "Demo licence"


def _organisation(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.legal_name == name))


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _evidence(user: User, agreement) -> agreements.Evidence:
    return agreements.Evidence(
        user.full_name,
        user.job_title or "Director",
        True,
        agreement.pdf_sha256,
        "192.0.2.10",
        "Liaison demo data",
    )


def _from_lead(admin: User, kumo: Organisation, technology: Technology) -> Licence | None:
    """Kumo's interest becomes a term sheet, signed by Kumo and countersigned, then the licence."""
    signer = _user("owner@kumo.example")
    if signer is None:
        return None
    lead = Lead(
        technology_id=technology.id,
        organisation_id=kumo.id,
        created_by_id=signer.id,
        assigned_to_id=kumo.account_owner_id,
        intended_use="Self-cleaning coatings for our composite panels.",
        field_of_use="Composite building panels",
        territory="Japan and South Korea",
        timeline="Pilot line in 2027",
        status=LeadStatus.IN_DISCUSSION,
    )
    db.session.add(lead)
    db.session.flush()
    term_sheet, _created = lead_rules.issue_term_sheet(admin, lead)
    agreements.issue(admin, term_sheet)
    agreements.sign_as_partner(signer, term_sheet, _evidence(signer, term_sheet))
    agreements.countersign(admin, term_sheet, _evidence(admin, term_sheet))
    agreements.render_executed(term_sheet)
    data = licences.prefill_from_term_sheet(term_sheet)
    data.ip_rights = f"Patent application covering {technology.title}; associated know-how."
    data.upfront_fee_cents, data.royalty_rate = 1_500_000, Decimal("3.5")
    data.minimum_annual_royalty_cents = 500_000
    data.currency = "EUR"
    data.notes = MARK
    licence, _ = licences.record_from_term_sheet(admin, term_sheet, data)
    return licence


def seed(staff_users: list) -> int:
    """Creates the demo records once; returns how many were created."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Licence).where(Licence.notes == MARK)):
        return 0
    admin = staff_users[0]
    acme, nordlicht, kumo = (
        _organisation("Acme Robotics GmbH"),
        _organisation("Nordlicht Energy AS"),
        _organisation("Kumo Materials K.K."),
    )
    technologies = list(
        db.session.scalars(
            sa.select(Technology)
            .where(Technology.status.in_(LISTED_STATUSES))
            .order_by(Technology.reference)
            .limit(8)
        )
    )
    if None in (acme, nordlicht, kumo) or len(technologies) < 8:
        return 0
    today = date.today()
    created = 0
    if _from_lead(admin, kumo, technologies[0]) is not None:
        created += 1

    def make(organisation: Organisation, technology: Technology, **values) -> Licence:
        data = licences.LicenceData(
            organisation_id=organisation.id, technology_id=technology.id, start_on=values.pop("start_on")
        )
        for key, value in values.items():
            setattr(data, key, value)
        data.notes = MARK
        return licences.create_licence(admin, data)

    # Acme: exclusive, half-yearly reports, the first one due in two weeks.
    acme_start = reporting.add_months(today - timedelta(days=15), -6)
    acme_licence = make(
        acme,
        technologies[1],
        start_on=acme_start,
        end_on=reporting.add_months(acme_start, 60),
        ip_rights="European patent application and the control software (copyright).",
        field_of_use="Industrial robot grippers",
        territory="European Union and Switzerland",
        exclusivity=Exclusivity.EXCLUSIVE,
        upfront_fee_cents=2_500_000,
        royalty_rate=Decimal("4"),
        minimum_annual_royalty_cents=1_000_000,
        report_frequency=ReportFrequency.HALF_YEARLY,
        status=LicenceStatus.ACTIVE,
        officer_id=acme.account_owner_id,
    )
    licences.add_milestone(
        admin, acme_licence, "First commercial sale", 5_000_000, acme_start + timedelta(days=540)
    )
    licences.add_milestone(
        admin, acme_licence, "CE marking of the gripper", 2_000_000, acme_start + timedelta(days=365)
    )
    # Nordlicht: non-exclusive, yearly reports, two years in (the first report received).
    nordlicht_start = reporting.add_months(today, -26)
    nordlicht_licence = make(
        nordlicht,
        technologies[2],
        start_on=nordlicht_start,
        end_on=reporting.add_months(nordlicht_start, 84),
        ip_rights="Know-how and the simulation software.",
        field_of_use="Offshore wind maintenance",
        territory="Norway, Denmark and the United Kingdom",
        exclusivity=Exclusivity.NON_EXCLUSIVE,
        currency="NOK",
        upfront_fee_cents=10_000_000,
        royalty_rate=Decimal("2.25"),
        report_frequency=ReportFrequency.YEARLY,
        status=LicenceStatus.ACTIVE,
    )
    db.session.refresh(nordlicht_licence, ["reports"])
    for report in nordlicht_licence.reports:
        if report.due_on < today:
            reporting.mark_received(admin, report)
    # Acme: a sole licence being negotiated outside the portal (draft).
    make(
        acme,
        technologies[3],
        start_on=today + timedelta(days=30),
        field_of_use="Warehouse automation",
        territory="Worldwide",
        exclusivity=Exclusivity.SOLE,
        upfront_fee_cents=1_000_000,
        royalty_rate=Decimal("3"),
        report_frequency=ReportFrequency.QUARTERLY,
    )
    # Kumo: an earlier licence, terminated.
    kumo_old = make(
        kumo,
        technologies[4],
        start_on=reporting.add_months(today, -40),
        end_on=reporting.add_months(today, -4),
        field_of_use="Battery separators",
        territory="Japan",
        exclusivity=Exclusivity.NON_EXCLUSIVE,
        currency="JPY",
        upfront_fee_cents=300_000_000,
        royalty_rate=Decimal("1.5"),
        report_frequency=ReportFrequency.YEARLY,
        status=LicenceStatus.ACTIVE,
    )
    licences.set_status(admin, kumo_old, LicenceStatus.TERMINATED, "Kumo moved to another chemistry.")
    created += 4

    founders = list(db.session.scalars(sa.select(Researcher).order_by(Researcher.id).limit(4)))
    lumen = spinoffs.create_spin_off(
        admin,
        spinoffs.SpinOffData(
            name="Lumen Sense GmbH",
            founder_ids=[r.id for r in founders[:2]],
            incorporated_on=today - timedelta(days=400),
            technology_id=technologies[5].id,
            equity_percent=Decimal("10"),
            support="Proof-of-concept fund (EUR 50,000), 18 months in the incubator, business coaching.",
            status=SpinOffStatus.ACTIVE,
        ),
    )
    spinoffs.add_round(
        admin,
        lumen,
        today - timedelta(days=120),
        "Seed",
        150_000_000,
        "EUR",
        "Alpine Ventures, two business angels",
    )
    spinoffs.become_partner(admin, lumen, country="LU")
    tidal = spinoffs.create_spin_off(
        admin,
        spinoffs.SpinOffData(
            name="Tidewater Analytics Sàrl",
            founder_ids=[r.id for r in founders[2:4]],
            incorporated_on=today - timedelta(days=60),
            technology_id=technologies[6].id,
            equity_percent=Decimal("7.5"),
            support="Innovation voucher and office space at the science park.",
            status=SpinOffStatus.INCORPORATED,
        ),
    )
    spinoffs.add_round(
        admin, tidal, today - timedelta(days=20), "Pre-seed", 35_000_000, "EUR", "University venture fund"
    )
    created += 2
    db.session.flush()
    return created
