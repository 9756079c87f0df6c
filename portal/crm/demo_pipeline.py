"""Demo data for the CRM: pipeline. Twelve prospects across the stages, collaboration models,
countries and both officers; some with a history of moves and next actions (a few overdue); the
membership prospect won from Nordlicht Energy is linked to its organisation (which has applied), so its
page shows the real application. Kumo Materials (signed up, no membership) stays a sign-up
suggestion on the board."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..core.types import utcnow
from ..extensions import db
from ..partners.models import Organisation
from .models import CollaborationModel, Prospect, ProspectSource, ProspectStage
from .services import pipeline

S = ProspectStage

# company, country, model slug, source, officer (1 or 2), value in EUR, contact, email, website,
# the stages it went through after `identified` (the last is where it stands; a lost one's reason),
# next action, its date in days from today (negative: overdue), days since it was created
PROSPECTS = [
    (
        "Helvetia Precision AG",
        "CH",
        "contract-research",
        ProspectSource.ENQUIRY,
        1,
        85_000,
        "Lukas Meier",
        "l.meier@helvetia-precision.example",
        "",
        [],
        "Call back about the test bench",
        2,
        3,
    ),
    (
        "Atlantic Drones Ltd",
        "IE",
        "joint-lab",
        ProspectSource.STAFF,
        2,
        300_000,
        "Siobhan Kelly",
        "skelly@atlanticdrones.example",
        "atlanticdrones.example",
        [S.CONTACTED],
        "Send the joint lab brochure",
        -3,
        20,
    ),
    (
        "Lumière Optique SAS",
        "FR",
        "licence",
        ProspectSource.EVENT,
        1,
        40_000,
        "Camille Laurent",
        "camille@lumiere-optique.example",
        "",
        [S.CONTACTED, S.MEETING],
        "Visit of the photonics lab",
        6,
        35,
    ),
    (
        "Baltic Fintech UAB",
        "LT",
        "bilateral-project",
        ProspectSource.REFERRAL,
        2,
        120_000,
        "Rūta Kazlauskienė",
        "ruta@balticfintech.example",
        "",
        [S.CONTACTED, S.MEETING, S.PROPOSAL],
        "Proposal review with their CTO",
        -1,
        60,
    ),
    (
        "Sakura Mobility Inc",
        "JP",
        "industrial-fellowship",
        ProspectSource.STAFF,
        1,
        150_000,
        "Haruto Sato",
        "h.sato@sakura-mobility.example",
        "",
        [S.CONTACTED, S.MEETING, S.PROPOSAL, S.NEGOTIATION],
        "Agree the IP clause",
        9,
        90,
    ),
    (
        "Nordlicht Energy AS",
        "NO",
        "membership",
        ProspectSource.ENQUIRY,
        2,
        25_000,
        "Ingrid Solberg",
        "owner@nordlicht.example",
        "nordlicht.example",
        [S.CONTACTED, S.MEETING, S.WON],
        "",
        None,
        120,
    ),
    (
        "Rio Verde Agritech Ltda",
        "BR",
        "events-training",
        ProspectSource.EVENT,
        1,
        8_000,
        "Ana Souza",
        "ana@rioverde.example",
        "",
        [S.CONTACTED],
        "Invite to the spring hackathon",
        -10,
        45,
    ),
    (
        "Maple Robotics Corp",
        "CA",
        "spin-off",
        ProspectSource.REFERRAL,
        2,
        0,
        "Ethan Clarke",
        "ethan@maplerobotics.example",
        "",
        [S.CONTACTED, S.LOST],
        "",
        None,
        150,
    ),
    (
        "Danube Sensors GmbH",
        "AT",
        "contract-research",
        ProspectSource.STAFF,
        1,
        60_000,
        "Eva Gruber",
        "",
        "danube-sensors.example",
        [],
        "Find the right contact in R&D",
        14,
        5,
    ),
    (
        "Kiwi Health Ltd",
        "NZ",
        "membership",
        ProspectSource.ENQUIRY,
        2,
        12_000,
        "Aroha Ngata",
        "aroha@kiwihealth.example",
        "",
        [S.CONTACTED, S.MEETING],
        "Demo of the partner portal",
        4,
        25,
    ),
    (
        "Iberia Cyber SL",
        "ES",
        "licence",
        ProspectSource.STAFF,
        1,
        55_000,
        "Javier Ortega",
        "jortega@iberiacyber.example",
        "",
        [S.CONTACTED, S.MEETING, S.PROPOSAL, S.NEGOTIATION, S.WON],
        "",
        None,
        200,
    ),
    (
        "Volta Batteries SpA",
        "IT",
        "joint-lab",
        ProspectSource.EVENT,
        2,
        250_000,
        "Giulia Romano",
        "giulia@voltabatteries.example",
        "",
        [S.CONTACTED, S.MEETING, S.PROPOSAL, S.LOST],
        "",
        None,
        180,
    ),
]
LOST_REASONS = {
    "Maple Robotics Corp": "Chose to invest in a spin-off elsewhere",
    "Volta Batteries SpA": "Budget frozen for this year",
}


def seed(staff_users: list) -> int:
    """Creates the demo records of this part once; returns how many were created."""
    officers = {1: staff_users[1], 2: staff_users[2]}
    models = {m.slug: m for m in db.session.scalars(sa.select(CollaborationModel))}
    existing = set(db.session.scalars(sa.select(Prospect.company)))
    now = utcnow()
    created = 0
    for (
        company,
        country,
        slug,
        source,
        officer,
        value,
        contact,
        email,
        website,
        stages,
        next_action,
        next_in,
        age,
    ) in PROSPECTS:
        if company in existing:
            continue
        owner = officers[officer]
        model = models.get(slug)
        prospect = pipeline.create_prospect(
            None if source is ProspectSource.ENQUIRY else owner,
            pipeline.ProspectData(
                company=company,
                country=country,
                website=website,
                contact_name=contact,
                contact_email=email,
                interest=model.title if model else "",
                source=source,
                model_id=model.id if model else None,
                expected_value_cents=value * 100,
                owner_id=owner.id,
                next_action=next_action,
                next_action_on=(now.date() + timedelta(days=next_in)) if next_in is not None else None,
            ),
        )
        for target in stages:
            pipeline.move(owner, prospect, target, LOST_REASONS.get(company, "") if target is S.LOST else "")
        db.session.flush()
        # Spread the history over the prospect's life: created `age` days ago, one move every few days.
        start = now - timedelta(days=age)
        prospect.created_at = start
        for i, step in enumerate(prospect.moves):
            step.created_at = start + timedelta(days=i * max(1, age // (len(stages) + 1)))
        prospect.stage_changed_at = prospect.moves[-1].created_at
        if company == "Nordlicht Energy AS":
            organisation = db.session.scalar(
                sa.select(Organisation).where(Organisation.legal_name == company)
            )
            if organisation is not None:
                pipeline.link(owner, prospect, organisation)
        created += 1
    db.session.flush()
    return created
