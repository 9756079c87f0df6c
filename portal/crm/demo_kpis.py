"""Demo data for the KPI dashboard: the programme's targets and a history of partners that joined
over the last two years (memberships with their activation in the audit trail, a few renewals,
catalog views), so that the dashboard and the funder report have something to show.

Idempotent: each partner is looked up by its name, the targets by their metric, the views by day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..catalog.models import Technology, TechnologyDailyStat
from ..core.models import AuditEvent
from ..extensions import db
from ..membership import services as membership_services
from ..membership.models import InvoiceStatus, Membership, MembershipStatus, Payment, Tier
from ..partners.models import Organisation, OrganisationStatus
from .models.targets import ProgrammeTarget, TargetMetric

# name, country, tier, days since activation, days from sign-up to activation
PARTNERS = [
    ("Halvorsen Subsea AS", "NO", "partner", 690, 41),
    ("Brightwater Analytics Ltd", "GB", "associate", 640, 18),
    ("Vandermeer Foods B.V.", "NL", "partner", 610, 33),
    ("Lumen Photonics GmbH", "DE", "strategic", 585, 62),
    ("Atelier Verre SAS", "FR", "associate", 540, 12),
    ("Polder Water Technologies B.V.", "NL", "associate", 515, 25),
    ("Castellan Materials S.p.A.", "IT", "partner", 480, 47),
    ("Nordhavn Logistics A/S", "DK", "associate", 455, 21),
    ("Rijnmond Chemicals B.V.", "NL", "strategic", 430, 70),
    ("Kestrel Aerospace Ltd", "GB", "partner", 400, 38),
    ("Delft Sensor Systems B.V.", "NL", "partner", 370, 29),
    ("Iberia Solar S.L.", "ES", "associate", 345, 15),
    ("Vltava Robotics s.r.o.", "CZ", "associate", 320, 27),
    ("Zeeland Offshore B.V.", "NL", "associate", 300, 19),
    ("Alpine Medtech AG", "CH", "partner", 280, 55),
    ("Utrecht Health Data B.V.", "NL", "associate", 250, 14),
    ("Baltic Battery UAB", "LT", "associate", 230, 23),
    ("Groningen Hydrogen B.V.", "NL", "partner", 200, 36),
    ("Lisboa Marine Lda", "PT", "associate", 170, 17),
    ("Eindhoven Precision B.V.", "NL", "strategic", 150, 88),
    ("Wiener Mobility GmbH", "AT", "associate", 120, 22),
    ("Twente Composites B.V.", "NL", "associate", 95, 11),
    ("Helsinki Quantum Oy", "FI", "partner", 70, 31),
    ("Limburg Agritech B.V.", "NL", "associate", 45, 9),
    ("Gdansk Shipyards Digital Sp. z o.o.", "PL", "associate", 20, 16),
]
LAPSED = {"Atelier Verre SAS", "Nordhavn Logistics A/S"}  # did not renew

TARGETS = [
    (TargetMetric.PARTNERSHIPS, "Programme plan 2027", 20, date(2025, 1, 1), 70, date(2027, 12, 31)),
    (TargetMetric.INTERNATIONAL_SHARE, "Programme plan 2027", 30, date(2025, 1, 1), 50, date(2027, 12, 31)),
    (TargetMetric.COUNTRIES, "Programme plan 2027", 6, date(2025, 1, 1), 15, date(2027, 12, 31)),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day + timedelta(days=365)


def seed(staff_users: list) -> int:
    """Creates the demo records of this part once; returns how many were created."""
    created = 0
    today = date.today()
    actor = staff_users[0] if staff_users else None
    existing = {t.metric for t in db.session.scalars(sa.select(ProgrammeTarget))}
    for metric, label, baseline, baseline_on, value, target_on in TARGETS:
        if metric in existing:
            continue
        db.session.add(
            ProgrammeTarget(
                metric=metric,
                label=label,
                baseline_value=baseline,
                baseline_on=baseline_on,
                target_value=value,
                target_on=target_on,
                created_by_id=getattr(actor, "id", None),
            )
        )
        created += 1

    tiers = {t.slug: t for t in db.session.scalars(sa.select(Tier))}
    known = set(
        db.session.scalars(
            sa.select(Organisation.legal_name).where(Organisation.legal_name.in_([p[0] for p in PARTNERS]))
        )
    )
    for name, country, slug, active_days, lead_days in PARTNERS:
        tier = tiers.get(slug)
        if name in known or tier is None:
            continue
        activated = today - timedelta(days=active_days)
        signed_up = activated - timedelta(days=lead_days)
        start = activated
        end = _one_year_after(start) - timedelta(days=1)
        lapsed = name in LAPSED
        ended: list[tuple[date, date]] = []  # the paid periods before the current one
        while not lapsed and end < today:  # renewed every year since
            ended.append((start, end))
            start = end + timedelta(days=1)
            end = _one_year_after(start) - timedelta(days=1)
        organisation = Organisation(
            legal_name=name,
            country=country,
            status=OrganisationStatus.LAPSED if lapsed else OrganisationStatus.MEMBER,
            account_owner=staff_users[1 + len(name) % 2] if len(staff_users) > 2 else None,
            created_at=_at(signed_up, 9),
        )
        db.session.add(organisation)
        db.session.flush()
        membership = Membership(
            organisation_id=organisation.id,
            tier_id=tier.id,
            status=MembershipStatus.LAPSED if lapsed else MembershipStatus.ACTIVE,
            period_start=activated,
            period_end=end,
            agreement_required=False,
            created_at=_at(activated - timedelta(days=14)),
        )
        db.session.add(membership)
        db.session.flush()
        db.session.add(
            AuditEvent(
                action="membership.activated",
                created_at=_at(activated, 11),
                target_type="membership",
                target_id=membership.id,
                target_label=f"{tier.name} membership",
                organisation_id=organisation.id,
                details={"demo": True},
            )
        )
        created += 2
        for period in ended:  # the renewal history: each past period invoiced and paid
            paid_on = period[0]
            invoice = membership_services.issue_invoice(
                membership, today=paid_on, period=period, announce=False
            )
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = _at(paid_on + timedelta(days=12))
            db.session.add(
                Payment(
                    invoice_id=invoice.id,
                    amount_cents=invoice.total_cents,
                    received_on=paid_on + timedelta(days=12),
                    reference="Demo transfer",
                )
            )
            created += 1

    technology_ids = list(db.session.scalars(sa.select(Technology.id).order_by(Technology.id).limit(12)))
    if technology_ids:
        start = today - timedelta(days=364)
        have = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TechnologyDailyStat)
            .where(TechnologyDailyStat.day >= start)
        )
        if not have:
            for offset in range(0, 365, 7):
                day = start + timedelta(days=offset)
                for index, technology_id in enumerate(technology_ids):
                    views = (offset * 7 + index * 13) % 23 + 3
                    db.session.add(TechnologyDailyStat(technology_id=technology_id, day=day, views=views))
                    created += 1
    db.session.flush()
    return created
