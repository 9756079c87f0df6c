"""Demo data for the CRM: relations. Interactions with the demo companies and tasks for both
Partnership Development Officers (some overdue, some due today, some later; one on a challenge),
and an internal note. Each record is looked up by its text first, so seeding twice adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..challenges.models import Challenge
from ..extensions import db
from ..membership.models import Membership, MembershipStatus, PaymentMethod, Tier
from ..partners.models import Organisation, OrganisationStatus
from .models import Interaction, InteractionKind, StaffNote, Task

INTERACTIONS = [
    # organisation, kind, days ago, attendees, summary, follow-up, officer index (1 or 2)
    (
        "Acme Robotics GmbH",
        InteractionKind.MEETING,
        12,
        "Jana Weber (CTO), Oscar Mbeki",
        "Quarterly review: two challenges in screening, interest in the sensor-fusion licence.",
        "Send the term-sheet outline for the sensor-fusion licence.",
        1,
    ),
    (
        "Acme Robotics GmbH",
        InteractionKind.CALL,
        40,
        "Jana Weber",
        "Renewal call: happy with the Partner tier, asked about joint PhD positions.",
        "",
        1,
    ),
    (
        "Nordlicht Energy AS",
        InteractionKind.VISIT,
        20,
        "Lars Nygaard, Priya Natarajan",
        "Visit of the battery lab; Nordlicht's application is waiting for a decision.",
        "Follow up on the application with the admin team.",
        2,
    ),
    (
        "Kumo Materials K.K.",
        InteractionKind.EVENT,
        60,
        "Priya Natarajan",
        "Met at the advanced-materials fair in Osaka; interested in coatings listings.",
        "Send the coatings shortlist.",
        2,
    ),
    (
        "Kumo Materials K.K.",
        InteractionKind.EMAIL,
        5,
        "",
        "Sent the coatings shortlist and the membership tiers.",
        "",
        2,
    ),
]

TASKS = [
    # organisation, title, due in days (negative: overdue), officer index, on its first challenge
    ("Acme Robotics GmbH", "Send the sensor-fusion term-sheet outline", -3, 1, False),
    ("Acme Robotics GmbH", "Propose researchers for Acme's challenge", 0, 1, True),
    ("Acme Robotics GmbH", "Prepare the renewal conversation", 21, 1, False),
    ("Nordlicht Energy AS", "Chase the decision on Nordlicht's application", -1, 2, False),
    ("Nordlicht Energy AS", "Book the follow-up visit", 0, 2, False),
    ("Kumo Materials K.K.", "Call Kumo about the coatings shortlist", 5, 2, False),
    ("Kumo Materials K.K.", "Invite Kumo to the spring partner day", -7, 1, False),
]

NOTES = [
    ("Acme Robotics GmbH", "Decision maker is the CTO; procurement needs four weeks for any contract.", 1),
]


# Two members whose period ends soon, for the renewals page: one quiet (no interaction, nobody
# signed in: at risk), one that will not renew (at risk for that reason) though staff met it.
RENEWING = [
    # legal name, country, tier slug, ends in days, renews automatically, officer index
    ("Fjord Sensors AS", "NO", "associate", 45, True, 2),
    ("Lumen Photonics S.r.l.", "IT", "partner", 20, False, 1),
]


def _seed_renewals(staff_users: list, today: date) -> int:
    created = 0
    for name, country, slug, ends_in, auto_renew, officer in RENEWING:
        if db.session.scalar(sa.select(Organisation.id).where(Organisation.legal_name == name)):
            continue
        tier = db.session.scalar(sa.select(Tier).where(Tier.slug == slug))
        if tier is None:
            continue
        organisation = Organisation(
            legal_name=name,
            country=country,
            status=OrganisationStatus.MEMBER,
            account_owner_id=staff_users[officer].id,
        )
        db.session.add(organisation)
        db.session.flush()
        end = today + timedelta(days=ends_in)
        db.session.add(
            Membership(
                organisation_id=organisation.id,
                tier_id=tier.id,
                status=MembershipStatus.ACTIVE,
                payment_method=PaymentMethod.INVOICE,
                period_start=end - timedelta(days=364),
                period_end=end,
                auto_renew=auto_renew,
                agreement_required=False,
            )
        )
        if not auto_renew:
            db.session.add(
                Interaction(
                    organisation_id=organisation.id,
                    kind=InteractionKind.CALL,
                    occurred_on=today - timedelta(days=15),
                    attendees="Giulia Conti",
                    summary="Budget freeze next year: they will not renew for now.",
                    follow_up="Offer the Associate tier before the period ends.",
                    created_by_id=staff_users[officer].id,
                )
            )
        created += 1
    return created


def seed(staff_users: list) -> int:
    """Creates the demo records of this part once; returns how many were created."""
    if len(staff_users) < 3:
        return 0
    today = date.today()
    names = {row[0] for row in INTERACTIONS} | {row[0] for row in TASKS}
    organisations = {
        o.legal_name: o
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.legal_name.in_(names)))
    }
    created = 0
    for name, kind, days_ago, attendees, summary, follow_up, officer in INTERACTIONS:
        organisation = organisations.get(name)
        if organisation is None or db.session.scalar(
            sa.select(Interaction.id).where(
                Interaction.organisation_id == organisation.id, Interaction.summary == summary
            )
        ):
            continue
        db.session.add(
            Interaction(
                organisation_id=organisation.id,
                kind=kind,
                occurred_on=today - timedelta(days=days_ago),
                attendees=attendees,
                summary=summary,
                follow_up=follow_up,
                created_by_id=staff_users[officer].id,
            )
        )
        created += 1
    for name, title, due_in, officer, on_challenge in TASKS:
        organisation = organisations.get(name)
        if organisation is None or db.session.scalar(sa.select(Task.id).where(Task.title == title)):
            continue
        challenge = None
        if on_challenge:
            challenge = db.session.scalar(
                sa.select(Challenge)
                .where(Challenge.organisation_id == organisation.id, Challenge.submitted_at.is_not(None))
                .order_by(Challenge.id)
                .limit(1)
            )
        db.session.add(
            Task(
                title=title,
                due_on=today + timedelta(days=due_in),
                assignee_id=staff_users[officer].id,
                organisation_id=organisation.id,
                challenge_id=challenge.id if challenge else None,
                created_by_id=staff_users[officer].id,
            )
        )
        created += 1
    for name, body, officer in NOTES:
        organisation = organisations.get(name)
        if organisation is None or db.session.scalar(
            sa.select(StaffNote.id).where(
                StaffNote.organisation_id == organisation.id, StaffNote.body == body
            )
        ):
            continue
        db.session.add(
            StaffNote(organisation_id=organisation.id, author_id=staff_users[officer].id, body=body)
        )
        created += 1
    created += _seed_renewals(staff_users, today)
    db.session.flush()
    return created
