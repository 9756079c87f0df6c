"""Shared data, no tests: a fixed programme for the KPI tests, every figure worked out by hand.

The institution is in NL (SELLER_COUNTRY). The range is the year 2025; "today" is later.

partner country tier signed up         activated          status            paid up to
A       NL      T1   2024-11-01 10:00  2024-12-01 10:00   active            2026-11-30 (renewed 2025-11-30)
B       DE      T2   2025-01-01 00:00  2025-01-11 00:00   active            2026-01-10 (10 days)
C       FR      T1   2025-03-01 00:00  2025-03-21 00:00   active            2026-03-20 (20 days)
D       NL      T2   2025-05-01 00:00  2025-06-10 00:00   lapsed            2025-09-30 (40 days)
E       BE      T1   2025-11-01 23:59  2025-12-31 23:59   active            2026-12-30 (60 days, last minute)
F       DE      T1   2025-12-01 00:00  2026-01-01 00:00   active            2026-12-31 (the day after)
G       NL      T1   2025-02-01        never              awaiting payment  -
H       US      T1   2024-05-01        2024-06-01         lapsed            2026-02-28 (paid through the year)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from portal.agreements.models import AgreementSignature, AgreementStatus, SignatoryParty
from portal.catalog import services as catalog
from portal.catalog.models import Lead, LeadStatus, TechnologyDailyStat, TechnologyStatus
from portal.challenges.models import Challenge, ChallengeStatus
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.membership.models import InvoiceStatus, Membership, MembershipStatus

from ..support.factories import make_agreement, make_invoice, make_organisation, make_tier


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


T1_FEE, T2_FEE = 10_000_00, 25_000_00


@dataclass
class Programme:
    tiers: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)
    agreements: dict = field(default_factory=dict)
    memberships: dict = field(default_factory=dict)


def add_partner(key, country, tier, signed_up, activated, status, period_end, programme=None):
    organisation = make_organisation(
        legal_name=f"Partner {key} Ltd", country=country, created_at=at(signed_up)
    )
    membership = Membership(
        organisation_id=organisation.id,
        tier_id=tier.id,
        status=status,
        period_start=date(2024, 1, 1),
        period_end=period_end,
        agreement_required=False,
        created_at=at(activated) if activated else at(signed_up),
    )
    db.session.add(membership)
    db.session.flush()
    if activated:
        db.session.add(
            AuditEvent(
                action="membership.activated",
                created_at=at(activated),
                target_type="membership",
                target_id=membership.id,
                organisation_id=organisation.id,
                details={},
            )
        )
    if programme is not None:
        programme.partners[key] = organisation
        programme.memberships[key] = membership
    return organisation, membership


def _signature(agreement, party, when):
    db.session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            party=party,
            user_email="signer@example.com",
            full_name="A Signer",
            title="Director",
            statement="I sign.",
            signed_at=at(when),
            document_sha256=hashlib.sha256(b"x").hexdigest(),
        )
    )


def make_programme() -> Programme:
    p = Programme()
    t1 = make_tier(name="Associate T1", annual_fee_cents=T1_FEE, display_order=1)
    t2 = make_tier(name="Partner T2", annual_fee_cents=T2_FEE, display_order=2)
    p.tiers = {"T1": t1, "T2": t2}
    S = MembershipStatus
    add_partner("A", "NL", t1, "2024-11-01 10:00", "2024-12-01 10:00", S.ACTIVE, date(2026, 11, 30), p)
    add_partner("B", "DE", t2, "2025-01-01 00:00", "2025-01-11 00:00", S.ACTIVE, date(2026, 1, 10), p)
    add_partner("C", "FR", t1, "2025-03-01 00:00", "2025-03-21 00:00", S.ACTIVE, date(2026, 3, 20), p)
    add_partner("D", "NL", t2, "2025-05-01 00:00", "2025-06-10 00:00", S.LAPSED, date(2025, 9, 30), p)
    add_partner("E", "BE", t1, "2025-11-01 23:59", "2025-12-31 23:59", S.ACTIVE, date(2026, 12, 30), p)
    add_partner("F", "DE", t1, "2025-12-01 00:00", "2026-01-01 00:00", S.ACTIVE, date(2026, 12, 31), p)
    add_partner("G", "NL", t1, "2025-02-01 00:00", None, S.AWAITING_PAYMENT, None, p)
    add_partner("H", "US", t1, "2024-05-01 00:00", "2024-06-01 00:00", S.LAPSED, date(2026, 2, 28), p)
    a = p.partners["A"]
    # A's first period, paid, ended in the range and was followed by another: renewed.
    make_invoice(
        a,
        membership_id=p.memberships["A"].id,
        status=InvoiceStatus.PAID,
        period_start=date(2024, 12, 1),
        period_end=date(2025, 11, 30),
    )
    # An open (unpaid) invoice is no period of membership.
    make_invoice(
        a, membership_id=p.memberships["A"].id, status=InvoiceStatus.OPEN, period_end=date(2025, 6, 30)
    )

    # Challenges submitted in 2025: answers after 1, 3 and 8 days (median 3), one unanswered.
    C = ChallengeStatus
    for n, (status, submitted, answered) in enumerate(
        [
            (C.SCREENING, "2025-02-01 00:00", "2025-02-02 00:00"),
            (C.CLOSED, "2025-03-01 00:00", "2025-03-04 00:00"),
            (C.MATCHING, "2025-06-01 00:00", "2025-06-09 00:00"),
            (C.SUBMITTED, "2025-12-31 23:00", None),
            (C.SCREENING, "2026-01-01 00:00", "2026-01-02 00:00"),  # the day after the range
            (C.DRAFT, None, None),
        ]
    ):
        db.session.add(
            Challenge(
                reference=f"C-KPI-{n}",
                organisation_id=a.id,
                title=f"Challenge {n}",
                status=status,
                submitted_at=at(submitted) if submitted else None,
                first_answer_at=at(answered) if answered else None,
            )
        )

    # Licensing: views on 2025-06-01 (10) and 2025-12-31 (5) count, 2026-01-01 (7) does not.
    technology = catalog.create_technology(
        catalog.TechnologyData(title="KPI technology", benefit="Counts.", problem="Counting.", trl=4),
        actor=None,
        status=TechnologyStatus.PUBLISHED,
    )
    for day, views in ((date(2025, 6, 1), 10), (date(2025, 12, 31), 5), (date(2026, 1, 1), 7)):
        db.session.add(TechnologyDailyStat(technology_id=technology.id, day=day, views=views))
    licensed = Lead(
        technology_id=technology.id,
        organisation_id=a.id,
        status=LeadStatus.LICENSED,
        created_at=at("2025-04-01 09:00"),
        updated_at=at("2025-12-31 12:00"),
    )
    open_lead = Lead(
        technology_id=technology.id,
        organisation_id=p.partners["B"].id,
        created_at=at("2025-05-01 09:00"),
        updated_at=at("2025-05-01 09:00"),
    )
    late = Lead(
        technology_id=technology.id,
        organisation_id=p.partners["C"].id,
        status=LeadStatus.LICENSED,
        created_at=at("2026-01-01 00:00"),
        updated_at=at("2026-01-02 00:00"),
    )
    db.session.add_all([licensed, open_lead, late])
    db.session.flush()
    # one term sheet (source lead:<id>) in the range; an agreement from an application is none
    make_agreement(
        a,
        status=AgreementStatus.DRAFT,
        source=f"lead:{licensed.id}",
        created_at=at("2025-07-01 00:00"),
        issued_at=None,
    )
    make_agreement(
        a,
        status=AgreementStatus.DRAFT,
        source="application:1",
        created_at=at("2025-07-01 00:00"),
        issued_at=None,
    )

    # Turnaround: issued after 2, 4, 1 days (median 2); signed by the partner after 5, 1, 10 days
    # (median 5); countersigned after 1 and 3 days (median 2; the third is still waiting).
    for key, created, issued, partner, institution, status in (
        ("ag1", "2025-03-01 00:00", "2025-03-03 00:00", "2025-03-08 00:00", "2025-03-09 00:00", "executed"),
        ("ag2", "2025-04-01 00:00", "2025-04-05 00:00", "2025-04-06 00:00", "2025-04-09 00:00", "executed"),
        ("ag3", "2025-05-01 00:00", "2025-05-02 00:00", "2025-05-12 00:00", None, "partner_signed"),
    ):
        agreement = make_agreement(
            a, status=AgreementStatus(status), created_at=at(created), issued_at=at(issued)
        )
        _signature(agreement, SignatoryParty.PARTNER, partner)
        if institution:
            _signature(agreement, SignatoryParty.INSTITUTION, institution)
            agreement.executed_at = at(institution)
        p.agreements[key] = agreement
    db.session.flush()
    return p
