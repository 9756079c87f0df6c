"""Demo data for the innovation area: 20 invention disclosures at every stage by the demo researchers
(challenges' RESEARCHER_ACCOUNTS with their co-inventors from the catalog's directory), 12 patent
families with realistic dates relative to today (several deadlines inside 90 days), some of them
linked to seeded technologies. Idempotent: each disclosure is found again by its title, each
family by its docket reference."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..auth.models import User
from ..catalog.models import Researcher, Technology
from ..challenges.demo_data import RESEARCHER_ACCOUNTS
from ..core.types import utcnow
from ..extensions import db
from .models import (
    ApplicationKind,
    ApplicationStatus,
    Assessment,
    Disclosure,
    DisclosureInventor,
    DisclosureStatus,
    ExternalInventor,
    IpRecord,
    IpRecordKind,
    PatentApplication,
    PatentFamily,
    Recommendation,
)
from .services.deadlines import add_months
from .services.disclosures import next_reference

D = DisclosureStatus
R = Recommendation

# title, status, recommendation, days since submission, planned publication in days (or None),
# external co-inventor (name, affiliation) or None
# fmt: off
DISCLOSURES = [
    ("Lattice-based signatures for smart meters", D.ASSESSED, R.FILE_PATENT, 400, None, None),
    ("Streaming detector for lateral movement in SOC logs", D.ASSESSED, R.FILE_PATENT, 380, None, None),
    ("Graph embedding for card-not-present fraud", D.ASSESSED, R.FILE_PATENT, 350, None, ("Dr Jonas Weber", "Banque Européenne de Paiement")),  # noqa: E501
    ("Verified compiler pass for smart contracts", D.ASSESSED, R.COPYRIGHT_KNOW_HOW, 300, None, None),
    ("Side-channel resistant AES on RISC-V", D.ASSESSED, R.FILE_PATENT, 280, None, None),
    ("Differentially private census tables", D.ASSESSED, R.PUBLISH, 250, None, None),
    ("Battery-free BLE tag for pallets", D.ASSESSED, R.FILE_PATENT, 220, None, ("Ing. Clara Rossi", "Politecnico di Milano")),  # noqa: E501
    ("Federated anomaly scoring for payment networks", D.ASSESSED, R.FILE_PATENT, 200, None, None),
    ("Self-calibrating lidar for warehouse robots", D.ASSESSED, R.FILE_PATENT, 150, None, None),
    ("Zero-knowledge age check for online shops", D.ASSESSED, R.FILE_PATENT, 120, None, None),
    ("Low-power intrusion sensor firmware", D.RETURNED, R.RETURN, 180, None, None),
    ("Heuristic for DeFi liquidation bots", D.RETURNED, R.RETURN, 90, None, None),
    ("Quantum-safe key exchange for car keys", D.SUBMITTED, None, 12, 25, None),
    ("Explainable alerts for bank transaction monitoring", D.SUBMITTED, None, 9, 45, None),
    ("Privacy budget planner for statistics offices", D.SUBMITTED, None, 6, 120, None),
    ("Tamper-evident logging on microcontrollers", D.SUBMITTED, None, 4, None, ("Dr Lea Novak", "TU Graz")),
    ("Model-checked upgrade proxies", D.SUBMITTED, None, 2, None, None),
    ("Acoustic leak detection for district heating", D.DRAFT, None, 0, 50, None),
    ("Synthetic transaction graphs for testing", D.DRAFT, None, 0, None, None),
    ("Hardware root of trust for drones", D.DRAFT, None, 0, None, None),
]
# fmt: on

SCORES = [
    (4, 4, 5, 4, 4),
    (5, 3, 4, 4, 3),
    (4, 4, 4, 3, 5),
    (3, 3, 4, 2, 4),
    (5, 4, 3, 4, 4),
    (3, 2, 3, 2, 4),
]


def _families(today: date) -> list[tuple[str, int, list[tuple]]]:
    """(docket, index of the disclosure, applications). Each application: (kind, office, country,
    number, publication number, filing date, priority date, grant date, status). Dates are chosen
    so that the priority year, a PCT national phase and several annuities fall inside 90 days."""
    P, PCT, NAT = ApplicationKind.PRIORITY, ApplicationKind.PCT, ApplicationKind.NATIONAL
    F, PUB, GR, NP = (
        ApplicationStatus.FILED,
        ApplicationStatus.PUBLISHED,
        ApplicationStatus.GRANTED,
        ApplicationStatus.NATIONAL_PHASE,
    )

    def ago(months: int, days: int = 0) -> date:
        return add_months(today, -months) + timedelta(days=days)

    p1, p2, p3 = ago(12, 20), ago(12, 55), ago(12, 85)  # priority years ending in 20, 55 and 85 days
    p4 = ago(30, 40)  # PCT national phase in 40 days
    p5 = ago(30, 75)
    p6, p7 = ago(26), ago(50)
    p8, p9 = ago(8), ago(4)
    p10, p11, p12 = ago(70, 10), ago(38), ago(2)
    # fmt: off
    return [
        ("PF-DEMO-01", 0, [(P, "LU", "LU", "LU503101", "", p1, None, None, F)]),
        ("PF-DEMO-02", 1, [(P, "EP", "", "EP25170123.4", "", p2, None, None, F)]),
        ("PF-DEMO-03", 2, [(P, "DE", "DE", "DE102025104512.7", "", p3, None, None, F)]),
        ("PF-DEMO-04", 4, [(P, "EP", "", "EP23181234.1", "EP4480012A1", p4, None, None, PUB),
                           (PCT, "WO", "", "PCT/EP2024/061122", "WO2024/223344", add_months(p4, 12), p4, None, PUB)]),  # noqa: E501
        ("PF-DEMO-05", 6, [(P, "GB", "GB", "GB2309876.5", "GB2620011A", p5, None, None, PUB),
                           (PCT, "WO", "", "PCT/GB2024/050777", "WO2024/198765", add_months(p5, 12), p5, None, PUB)]),  # noqa: E501
        ("PF-DEMO-06", 7, [(P, "EP", "", "EP24150987.3", "EP4590001A1", p6, None, None, PUB),
                           (PCT, "WO", "", "PCT/EP2025/050111", "", add_months(p6, 12), p6, None, NP),
                           (NAT, "US", "US", "US19/004321", "", add_months(p6, 30), p6, None, F)]),
        ("PF-DEMO-07", 8, [(P, "EP", "", "EP22170001.9", "EP4270001B1", p7, None, add_months(p7, 40), GR),
                           (NAT, "DE", "DE", "DE602022001234.5", "", p7, None, add_months(p7, 40), GR),
                           (NAT, "FR", "FR", "FR4270001", "", p7, None, add_months(p7, 40), GR)]),
        ("PF-DEMO-08", 9, [(P, "LU", "LU", "LU508800", "", p8, None, None, F)]),
        ("PF-DEMO-09", 2, [(P, "EP", "", "EP26190077.2", "", p9, None, None, F)]),
        ("PF-DEMO-10", 1, [(P, "US", "US", "US16/998877", "US2021/0123456A1", p10, None, add_months(p10, 30), GR)]),  # noqa: E501
        ("PF-DEMO-11", 4, [(P, "EP", "", "EP23201010.5", "EP4512345A1", p11, None, None, PUB)]),
        ("PF-DEMO-12", 9, [(P, "EP", "", "EP26150002.0", "", p12, None, None, F)]),
    ]
    # fmt: on


def _people() -> tuple[list[tuple[Researcher, User]], list[Researcher]]:
    accounts = []
    for name in RESEARCHER_ACCOUNTS:
        entry = db.session.scalar(sa.select(Researcher).where(Researcher.name == name))
        if entry is not None and entry.user_id is not None:
            accounts.append((entry, db.session.get(User, entry.user_id)))
    others = list(
        db.session.scalars(
            sa.select(Researcher)
            .where(Researcher.name.not_in(RESEARCHER_ACCOUNTS))
            .order_by(Researcher.id)
            .limit(12)
        )
    )
    return accounts, others


def seed(staff_users: list) -> int:
    """Creates the demo records once; returns how many were created."""
    accounts, others = _people()
    if not accounts or not staff_users:
        return 0
    officer = staff_users[1] if len(staff_users) > 1 else staff_users[0]
    today = date.today()
    now = utcnow()
    created = 0
    existing = {d.title: d for d in db.session.scalars(sa.select(Disclosure))}
    linked = set(
        db.session.scalars(sa.select(Disclosure.technology_id).where(Disclosure.technology_id.is_not(None)))
    )
    free_technologies = [
        t
        for t in db.session.scalars(sa.select(Technology).order_by(Technology.id).limit(40))
        if t.id not in linked
    ]
    disclosures: list[Disclosure] = []
    for index, (title, status, recommendation, days, publication, external) in enumerate(DISCLOSURES):
        disclosure = existing.get(title)
        if disclosure is None:
            entry, user = accounts[index % len(accounts)]
            submitted_at = now - timedelta(days=days)
            disclosure = Disclosure(
                reference=next_reference(submitted_at.year),
                title=title,
                description=f"{title}: how it works, the set-up in the lab and the first measurements.",
                problem="Today's solutions are too slow, too costly or leak data; partners asked for better.",
                novelty="No published method combines these steps; our trials found the key parameter.",
                public_funding="FNR CORE C24/IS/0000" if index % 3 == 0 else "",
                partner_funding="Industrial PhD with a partner company" if index % 4 == 1 else "",
                conception_date=(submitted_at - timedelta(days=120)).date(),
                planned_publication_date=today + timedelta(days=publication) if publication else None,
                planned_publications="Conference paper submitted" if publication else "",
                software_data="Prototype code in the lab's GitLab" if index % 2 else "",
                status=status,
                author_id=user.id,
                officer_id=officer.id if status is not D.DRAFT else None,
                submitted_at=submitted_at if status is not D.DRAFT else None,
            )
            co = others[index % len(others)] if others else None
            shares = [(entry, Decimal("60") if co else Decimal("100"))]
            if co is not None:
                shares.append((co, Decimal("40") if external is None else Decimal("25")))
            if external is not None:
                disclosure.external_inventors = [
                    ExternalInventor(
                        name=external[0],
                        affiliation=external[1],
                        share=Decimal("40") if co is None else Decimal("15"),
                    )
                ]
            disclosure.inventors = [
                DisclosureInventor(
                    researcher_id=r.id,
                    share=share,
                    position=position,
                    confirmed_at=submitted_at
                    if status is not D.DRAFT and (position == 0 or index % 3)
                    else None,
                    confirmed_by_id=r.user_id
                    if status is not D.DRAFT and (position == 0 or index % 3)
                    else None,
                )
                for position, (r, share) in enumerate(shares)
            ]
            if recommendation is not None:
                scores = SCORES[index % len(SCORES)]
                disclosure.assessment = Assessment(
                    novelty=scores[0],
                    inventive_step=scores[1],
                    market=scores[2],
                    ip_strength=scores[3],
                    team=scores[4],
                    recommendation=recommendation,
                    assessed_by_id=officer.id,
                    assessed_at=submitted_at + timedelta(days=21),
                    note="Thank you for the clear disclosure; we discussed the next steps with you.",
                )
            db.session.add(disclosure)
            db.session.flush()
            created += 1
            if status is D.ASSESSED and index in (0, 1, 2, 4, 6, 8) and free_technologies:
                disclosure.technology_id = free_technologies.pop(0).id
            if recommendation is R.COPYRIGHT_KNOW_HOW:
                db.session.add(
                    IpRecord(
                        kind=IpRecordKind.SOFTWARE_COPYRIGHT,
                        disclosure_id=disclosure.id,
                        title=f"{title} (source code)",
                        registration="Deposited with the notary, v1.2",
                        record_date=submitted_at.date(),
                        created_by_id=officer.id,
                    )
                )
                created += 1
        disclosures.append(disclosure)
    db.session.flush()
    families = set(db.session.scalars(sa.select(PatentFamily.reference)))
    for reference, index, applications in _families(today):
        if reference in families:
            continue
        disclosure = disclosures[index]
        family = PatentFamily(
            reference=reference, title=disclosure.title, disclosure_id=disclosure.id, officer_id=officer.id
        )
        family.applications = [
            PatentApplication(
                kind=kind,
                office=office,
                country=country,
                application_number=number,
                publication_number=publication,
                filing_date=filing,
                priority_date=priority,
                grant_date=grant,
                status=status,
            )
            for kind, office, country, number, publication, filing, priority, grant, status in applications
        ]
        db.session.add(family)
        created += 1
    db.session.flush()
    return created
