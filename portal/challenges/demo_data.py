# ruff: noqa: E501 - the demo table below reads best one challenge per entry, unwrapped
"""Demo challenges: fifteen realistic problems of the demo companies across the domains, in every
state of the workflow, some with a conversation, proposals and researchers' answers; and three
researcher accounts linked to directory entries. Idempotent: looked up by organisation and title."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..auth.models import PlatformRole, User
from ..catalog.models import Domain, Researcher, Technology
from ..core.types import utcnow
from ..extensions import db
from ..partners.models import Organisation
from . import services
from .models import (
    BudgetBand,
    Challenge,
    ChallengeEvent,
    ChallengeMessage,
    ChallengeShare,
    ChallengeStatus,
    Collaboration,
    Confidentiality,
    ProposalKind,
    ResearcherAnswer,
)

S = ChallengeStatus
RESEARCHER_ACCOUNTS = ("Lukas Brandt", "Aiko Yamamoto", "Mei Lin Tan")
PATH = [S.DRAFT, S.SUBMITTED, S.SCREENING, S.MATCHING, S.PROPOSAL, S.IN_PROJECT, S.CLOSED]

# (organisation, domain slug, status, days since submission, title, problem, outcome, constraints, TRL,
#  budget, collaboration, confidentiality)
# fmt: off
CHALLENGES = [
    ("Acme Robotics GmbH", "robotics", S.CLOSED, 9, "Pick mixed parts from a cluttered bin",
     "Our cells stop whenever parts in a bin overlap or are shiny; an operator has to sort them by hand.",
     "A gripper and vision set-up that picks 95 % of mixed, reflective parts without a stop.",
     "Cycle time under 6 seconds; existing six-axis arms.", 6, BudgetBand.FROM_100K, Collaboration.JOINT_PROJECT,
     Confidentiality.TTO_ONLY),
    ("Acme Robotics GmbH", "autonomous-vehicles", S.SCREENING, 6, "Localise mobile robots in a changing warehouse",
     "Our transport robots lose their position when shelves are moved; re-mapping takes a day each time.",
     "Robots that keep their position to 5 cm while the layout changes.",
     "No ceiling markers; lidar and cameras on board.", 5, BudgetBand.FROM_25K, Collaboration.CONTRACT_RESEARCH,
     Confidentiality.NAMED_RESEARCHERS),
    ("Acme Robotics GmbH", "cybersecurity", S.MATCHING, 20, "Detect intrusions on the shop-floor network",
     "Our robot controllers talk over an old fieldbus; we cannot see when someone injects commands.",
     "An intrusion detection sensor for the fieldbus that our service team can operate.",
     "No change to the controllers' firmware.", 7, BudgetBand.FROM_100K, Collaboration.LICENCE,
     Confidentiality.NAMED_RESEARCHERS),
    ("Acme Robotics GmbH", "ai-and-data", S.PROPOSAL, 35, "Predict gearbox wear from motor currents",
     "Gearboxes fail without warning and stop a line for a shift.",
     "A warning two weeks before a failure, from data we already log.",
     "Runs on the cell's edge computer.", 6, BudgetBand.FROM_25K, Collaboration.CONTRACT_RESEARCH,
     Confidentiality.OPEN_CALL),
    ("Acme Robotics GmbH", "software-engineering", S.IN_PROJECT, 80, "Verify our safety PLC code automatically",
     "Every change to the safety logic takes two weeks of manual review.", "Automated checks our auditors accept.",
     "IEC 61508 context.", 5, BudgetBand.FROM_100K, Collaboration.FELLOWSHIP, Confidentiality.TTO_ONLY),
    ("Acme Robotics GmbH", "iot", S.DRAFT, 0, "Battery-free sensors on rotating parts",
     "Cables to sensors on rotating tools break.", "", "", None, None, None, Confidentiality.TTO_ONLY),
    ("Nordlicht Energy AS", "iot", S.SUBMITTED, 2, "Monitor remote substations over low-power radio",
     "Our substations in the north have no cellular coverage; we drive out to read the meters.",
     "Readings every hour from 300 sites, batteries lasting five years.", "Temperatures down to -40 °C.", 6,
     BudgetBand.FROM_25K, Collaboration.CONTRACT_RESEARCH, Confidentiality.TTO_ONLY),
    ("Nordlicht Energy AS", "ai-and-data", S.SCREENING, 8, "Forecast wind farm output a day ahead",
     "Our day-ahead forecasts miss by 20 % and we pay balancing penalties.", "Halve the forecast error.",
     "Uses public weather models and our SCADA history.", 5, BudgetBand.FROM_100K, Collaboration.JOINT_PROJECT,
     Confidentiality.OPEN_CALL),
    ("Nordlicht Energy AS", "fintech", S.MATCHING, 15, "Spot fraudulent energy trading accounts",
     "Some trading accounts on our platform are opened with stolen identities and used to launder money.",
     "Flag suspicious accounts before their first trade.", "GDPR; explanations for each flag.", 6,
     BudgetBand.FROM_25K, Collaboration.LICENCE, Confidentiality.NAMED_RESEARCHERS),
    ("Nordlicht Energy AS", "space-systems", S.DECLINED, 40, "Satellite detection of ice on power lines",
     "Ice on lines causes outages; helicopters check them after storms.", "Daily ice maps of our lines.",
     "Cloud cover most of the winter.", 4, BudgetBand.OVER_250K, Collaboration.JOINT_PROJECT,
     Confidentiality.TTO_ONLY),
    ("Nordlicht Energy AS", "cybersecurity", S.CLOSED, 120, "Quantum-safe keys for grid control links",
     "Our control links use keys that will not resist a quantum computer.", "A migration plan and a pilot.",
     "Hardware in the field for 20 years.", 4, BudgetBand.FROM_100K, Collaboration.CONSULTANCY,
     Confidentiality.TTO_ONLY),
    ("Kumo Materials K.K.", "digital-health", S.SUBMITTED, 12, "Detect contamination in cleanroom air",
     "Particle counters tell us too late that a batch is contaminated.", "A warning within minutes.",
     "Class 5 cleanrooms; no new sampling ports.", 5, BudgetBand.FROM_25K, Collaboration.CONTRACT_RESEARCH,
     Confidentiality.TTO_ONLY),
    ("Kumo Materials K.K.", "robotics", S.PROPOSAL, 30, "Handle fragile wafers with soft grippers",
     "Our vacuum grippers crack one wafer in a thousand.", "No cracks at the same speed.",
     "Cleanroom compatible materials.", 6, BudgetBand.FROM_100K, Collaboration.JOINT_PROJECT,
     Confidentiality.NAMED_RESEARCHERS),
    ("Kumo Materials K.K.", "ai-and-data", S.MATCHING, 18, "Find the recipe behind yield drops",
     "Yield drops by 3 % some weeks and nobody knows which process parameter is to blame.",
     "The parameters that explain the drops, in a form engineers trust.", "Data stays on our premises.", 5,
     BudgetBand.FROM_25K, Collaboration.FELLOWSHIP, Confidentiality.OPEN_CALL),
    ("Kumo Materials K.K.", "software-engineering", S.WITHDRAWN, 50, "Modernise our MES without downtime",
     "Our manufacturing execution system is 20 years old.", "A path to replace it module by module.",
     "The plant runs 24/7.", 7, BudgetBand.OPEN, Collaboration.CONSULTANCY, Confidentiality.TTO_ONLY),
]
# fmt: on


def seed_researcher_accounts(password_hash: str) -> tuple[list[Researcher], int]:
    """Portal accounts for three directory entries (created here by name if the catalog has none)."""
    created, entries = 0, []
    for name in RESEARCHER_ACCOUNTS:
        entry = db.session.scalar(sa.select(Researcher).where(Researcher.name == name))
        if entry is None:
            entry = Researcher(name=name, email=f"{name.split()[0].lower()}@research.liaison.example")
            db.session.add(entry)
            db.session.flush()
            created += 1
        if entry.user_id is None:
            user = db.session.scalar(sa.select(User).where(User.email == entry.email))
            if user is None:
                user = User(
                    email=entry.email,
                    full_name=name,
                    job_title="Researcher",
                    password_hash=password_hash,
                    platform_role=PlatformRole.RESEARCHER,
                    email_verified_at=utcnow(),
                )
                db.session.add(user)
                db.session.flush()
                created += 1
            entry.user_id = user.id
        entries.append(entry)
    db.session.flush()
    return entries, created


def _build(spec, organisation: Organisation, domain: Domain | None, staff: User) -> Challenge:
    (
        _,
        _,
        status,
        days,
        title,
        problem,
        outcome,
        constraints,
        trl,
        budget,
        collaboration,
        confidentiality,
    ) = spec
    author = next((u for u in organisation.users if u.active), None)
    now = utcnow()
    challenge = Challenge(
        reference=services.workflow.next_reference(),
        organisation=organisation,
        author_id=author.id if author else None,
        title=title,
        problem=problem,
        desired_outcome=outcome,
        constraints=constraints,
        domain=domain,
        target_trl=trl,
        budget_band=budget,
        collaboration=collaboration,
        timeline="Within 12 months",
        contacts=f"{author.full_name}, {author.job_title}" if author else "",
        confidentiality=confidentiality,
        status=status,
        owner_id=staff.id if status not in (S.DRAFT, S.SUBMITTED) else None,
    )
    db.session.add(challenge)
    db.session.flush()
    challenge.teaser = services.build_teaser(challenge)
    if confidentiality is Confidentiality.OPEN_CALL:
        challenge.call_summary = f"{outcome} {constraints}".strip()
    steps = PATH[: PATH.index(status) + 1] if status in PATH else [S.DRAFT, S.SUBMITTED, S.SCREENING, status]
    if status is S.DECLINED:
        challenge.decline_reason = "This needs satellite imaging expertise our institution does not have."
    start = now - timedelta(days=days)
    for i, step in enumerate(steps):
        at = start + timedelta(days=i * max(days, 1) / (len(steps) + 1))
        if step is S.SUBMITTED:
            challenge.submitted_at = at
        if i == 2:
            challenge.first_answer_at = at
        db.session.add(
            ChallengeEvent(
                challenge=challenge,
                actor_id=(author.id if author else None)
                if step in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN)
                else staff.id,
                from_status=steps[i - 1] if i else None,
                to_status=step,
                note=challenge.decline_reason if step is S.DECLINED else "",
                created_at=at,
            )
        )
    return challenge


def seed_challenges(staff_users: list[User], password_hash: str) -> int:
    researchers, created = seed_researcher_accounts(password_hash)
    domains = {d.slug: d for d in db.session.scalars(sa.select(Domain))}
    officer = staff_users[1] if len(staff_users) > 1 else staff_users[0]
    for spec in CHALLENGES:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.legal_name == spec[0]))
        if organisation is None:
            continue
        exists = db.session.scalar(
            sa.select(Challenge.id).where(
                Challenge.organisation_id == organisation.id, Challenge.title == spec[4]
            )
        )
        if exists:
            continue
        challenge = _build(spec, organisation, domains.get(spec[1]), officer)
        created += 1
        if challenge.status in (S.DRAFT, S.SUBMITTED):
            continue
        author_id = challenge.author_id
        db.session.add_all(
            [
                ChallengeMessage(
                    challenge=challenge,
                    organisation_id=organisation.id,
                    author_id=officer.id,
                    from_staff=True,
                    body="Thank you for the clear description. Could you share a sample of the data you log?",
                ),
                ChallengeMessage(
                    challenge=challenge,
                    organisation_id=organisation.id,
                    author_id=author_id,
                    body="Of course: we will upload a week of logs before Friday.",
                ),
                ChallengeMessage(
                    challenge=challenge,
                    organisation_id=organisation.id,
                    author_id=officer.id,
                    from_staff=True,
                    internal=True,
                    body="Budget seems firm; the R&D head decides quickly. Keep the account owner in the loop.",
                ),
            ]
        )
        if challenge.confidentiality is not Confidentiality.TTO_ONLY and researchers:
            entry = researchers[len(challenge.title) % len(researchers)]
            if challenge.confidentiality is Confidentiality.NAMED_RESEARCHERS:
                db.session.add(ChallengeShare(challenge=challenge, researcher=entry, shared_by_id=officer.id))
            db.session.add(
                ResearcherAnswer(
                    challenge=challenge,
                    researcher=entry,
                    user_id=entry.user_id,
                    note="My group has worked on a very similar problem with an industrial partner; happy to talk.",
                    expertise=", ".join(entry.expertise[:2]) if entry.expertise else "",
                )
            )
        db.session.flush()
        if challenge.status in (S.MATCHING, S.PROPOSAL, S.IN_PROJECT):
            result = services.matches_for(challenge, limit=2)
            if challenge.status is S.IN_PROJECT:
                continue
            for match in result.technologies[:2]:
                if isinstance(match.obj, Technology):
                    services.propose(
                        officer, challenge, ProposalKind.TECHNOLOGY, match.obj.id, "A close fit."
                    )
            for match in result.researchers[:1]:
                if match.obj.public:
                    services.propose(
                        officer, challenge, ProposalKind.RESEARCHER, match.obj.id, "Knows the field."
                    )
    db.session.flush()
    return created
