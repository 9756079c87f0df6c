"""Issue 13, item 3: the organisation's 360 page. Its timeline merges staff interactions with the
partner's own events in order; interactions, tasks and notes are logged from it (audited, bad
input answered with the form's messages); and it costs the same queries at 10 and 100
organisations (and with more history), with no lazy load."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.agreements.models import AgreementSignature, SignatoryParty
from portal.catalog.models import SavedSearch
from portal.core.models import AuditEvent
from portal.crm.models import Interaction, InteractionKind, StaffNote, Task, TaskStatus
from portal.crm.services.timeline import timeline
from portal.extensions import db
from portal.membership.models import ApplicationStatus, Membership, MembershipStatus, Payment
from portal.partners.models import OrgRole

from ..core.test_request_cost import recorded_queries
from ..support.browser import Browser, location, text
from ..support.factories import (
    commit,
    make_agreement,
    make_application,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from ..support.world_relations import (
    make_challenge,
    make_interaction,
    make_lead,
    make_task,
    make_technology,
)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def officer(ctx):
    user = make_staff(email="oscar@tto.example", full_name="Oscar Officer")
    commit()
    return user


@pytest.fixture
def console(app, officer):
    browser = Browser(app)
    browser.login_staff(officer)
    return browser


def signature(agreement, party: SignatoryParty, when: datetime, name: str) -> AgreementSignature:
    row = AgreementSignature(
        agreement_id=agreement.id,
        party=party,
        user_email=f"{party.value}@example.com",
        full_name=name,
        title="Director",
        statement="I sign.",
        signed_at=when,
        document_sha256="0" * 64,
    )
    db.session.add(row)
    return row


def story(officer):
    """One organisation's history on fixed days of March 2026, each kind of event once."""
    organisation = make_organisation(legal_name="Story Robotics GmbH", created_at=at(1))
    owner = make_partner(organisation=organisation, full_name="Olga Owner")
    tier = make_tier(name="Gold")
    make_application(organisation, tier, submitted_at=at(2), status=ApplicationStatus.SUBMITTED)
    agreement = make_agreement(organisation, issued_at=at(3))
    signature(agreement, SignatoryParty.PARTNER, at(4), "Olga Owner")
    signature(agreement, SignatoryParty.INSTITUTION, at(5), "Ada Admin")
    invoice = make_invoice(organisation, number="INV-STORY-1")
    db.session.add(Payment(invoice_id=invoice.id, amount_cents=100_00, received_on=date(2026, 3, 6)))
    challenge = make_challenge(organisation, submitted_at=at(7), title="Grip soft fruit")
    make_lead(
        organisation, make_technology(officer, "Soft gripper"), created_at=at(8), created_by_id=owner.id
    )
    make_interaction(
        organisation,
        date(2026, 3, 9),
        kind=InteractionKind.MEETING,
        attendees="Olga Owner",
        summary="Kick-off",
        follow_up="Send the NDA",
        created_by_id=officer.id,
    )
    # A staff interaction on the day of a partner event comes first on that day (day-only: 00:00).
    make_interaction(organisation, date(2026, 3, 4), kind=InteractionKind.CALL, summary="Signing call")
    commit()
    return organisation, challenge


def test_the_timeline_merges_staff_interactions_and_the_partners_events_newest_first(app, officer):
    organisation, _ = story(officer)
    entries = timeline(organisation)
    assert [e.kind for e in entries] == [
        "meeting",  # 9 March
        "interest",  # 8
        "challenge",  # 7
        "payment",  # 6
        "countersigned",  # 5
        "signed",  # 4, 12:00
        "call",  # 4, the day itself
        "issued",  # 3
        "application",  # 2
        "signup",  # 1
    ]
    meeting = entries[0]
    assert meeting.staff and meeting.by == "Oscar Officer" and "Follow-up: Send the NDA" in meeting.detail
    assert entries[3].title == "Paid EUR 100.00 on invoice INV-STORY-1"
    assert not any(e.staff for e in entries if e.kind not in ("meeting", "call"))


def test_the_page_shows_the_timeline_in_that_order(console, officer):
    organisation, challenge = story(officer)
    html = text(console.get(f"/admin/organisations/{organisation.id}"))
    kinds = re.findall(r'data-timeline-kind="([a-z_]+)"', html)
    assert kinds[:3] == ["meeting", "interest", "challenge"] and kinds[-1] == "signup"
    assert "Kick-off" in html and "Submitted challenge " + challenge.reference in html


def test_the_page_shows_every_part_of_the_relationship(console, officer):
    organisation, challenge = story(officer)
    owner = organisation.users[0]
    db.session.add(SavedSearch(user_id=owner.id, organisation_id=organisation.id, name="Grippers", params={}))
    db.session.add(StaffNote(organisation_id=organisation.id, author_id=officer.id, body="Prefers calls"))
    make_task(officer, date.today(), title="Call Olga", organisation_id=organisation.id)
    make_task(
        officer, date.today(), title="Closed task", organisation_id=organisation.id, status=TaskStatus.DONE
    )
    organisation.account_owner_id = officer.id
    commit()
    html = text(console.get(f"/admin/organisations/{organisation.id}"))
    for expected in (
        "Story Robotics GmbH",
        challenge.reference,
        "Grip soft fruit",
        "Soft gripper",  # the licensing lead
        "Grippers",  # the saved search
        "Prefers calls",  # the staff note
        "Call Olga",  # an open task
        "INV-STORY-1",
        "EUR 100.00 on 06 Mar 2026",  # the payment
        "Agreement signatures",  # engagement
        "Olga Owner",
        "selected>Oscar Officer</option>",  # the account owner form keeps working
    ):
        assert expected in html, expected
    assert "Closed task" not in html


def test_an_interaction_is_logged_from_the_page_and_audited(console, officer):
    organisation = make_organisation(legal_name="Kumo Materials")
    commit()
    response = console.post(
        f"/admin/organisations/{organisation.id}/interactions",
        {
            "kind": "visit",
            "occurred_on": date.today().isoformat(),
            "attendees": "Ken Sato",
            "summary": "Lab visit",
            "follow_up": "Send <b>samples</b>",
        },
    )
    assert response.status_code == 302
    assert location(response) == f"/admin/organisations/{organisation.id}"
    row = db.session.scalar(sa.select(Interaction).where(Interaction.organisation_id == organisation.id))
    assert (row.kind, row.attendees, row.summary, row.created_by_id) == (
        InteractionKind.VISIT,
        "Ken Sato",
        "Lab visit",
        officer.id,
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interaction.logged"))
    assert event.actor_id == officer.id and event.organisation_id == organisation.id
    html = text(console.get(f"/admin/organisations/{organisation.id}"))
    assert "Send &lt;b&gt;samples&lt;/b&gt;" in html  # escaped


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "call", "occurred_on": "2026-02-30", "summary": "x"}, "date"),
        ({"kind": "call", "occurred_on": "", "summary": "x"}, "Enter the date it happened."),
        ({"kind": "fax", "occurred_on": "2026-01-05", "summary": "x"}, "Not a valid choice"),
        (
            {"kind": "call", "occurred_on": "2026-01-05", "summary": "  "},
            "Say in a few words what was discussed.",
        ),
        ({"kind": "call", "occurred_on": "2999-01-05", "summary": "x"}, "the date is in the future"),
        ({"kind": "call", "occurred_on": "2026-01-05", "summary": "x" * 5001}, "At most"),
    ],
)
def test_bad_interactions_are_refused_with_a_message(console, form, message):
    organisation = make_organisation()
    commit()
    response = console.post(f"/admin/organisations/{organisation.id}/interactions", form)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Interaction.id))) == 0


def test_a_note_is_added_and_stays_internal(app, console, officer):
    organisation = make_organisation(legal_name="Note Works")
    owner = make_partner(organisation=organisation, roles={OrgRole.OWNER})
    commit()
    assert (
        console.post(
            f"/admin/organisations/{organisation.id}/notes", {"body": "Budget cut in Q3"}
        ).status_code
        == 302
    )
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "note.added"))
    assert "Budget cut in Q3" in text(console.get(f"/admin/organisations/{organisation.id}"))
    partner = Browser(app)
    partner.login(owner.email)
    for path in ("/dashboard", "/organisation"):
        assert "Budget cut in Q3" not in text(partner.get(path))
    assert console.post(f"/admin/organisations/{organisation.id}/notes", {"body": " "}).status_code == 400


def test_unknown_organisations_answer_404(console):
    for path in ("interactions", "tasks", "notes"):
        assert console.post(f"/admin/organisations/999999/{path}", {"summary": "x"}).status_code == 404


# --- queries ------------------------------------------------------------------------------------


def populate(count: int, officer, tier) -> None:
    """`count` organisations, each with a member, a membership, an invoice with a payment, an
    interaction, a task and a challenge."""
    for _ in range(count):
        organisation = make_organisation()
        make_partner(organisation=organisation, last_login_at=datetime.now(UTC))
        db.session.add(
            Membership(
                organisation_id=organisation.id,
                tier_id=tier.id,
                status=MembershipStatus.ACTIVE,
                period_start=date.today() - timedelta(days=300),
                period_end=date.today() + timedelta(days=40),
            )
        )
        invoice = make_invoice(organisation)
        db.session.add(Payment(invoice_id=invoice.id, amount_cents=10_00, received_on=date.today()))
        make_interaction(organisation, date.today(), created_by_id=officer.id)
        make_task(officer, date.today(), organisation_id=organisation.id)
        make_challenge(organisation)
    db.session.flush()


def page_cost(browser, path: str) -> int:
    with recorded_queries() as (statements, lazy):
        response = browser.get(path)
    assert response.status_code == 200, path
    assert lazy == [], f"{path}: lazy loads {lazy}"
    return len(statements)


def test_the_page_costs_the_same_at_10_and_100_organisations(console, officer):
    tier = make_tier()
    organisation, _ = story(officer)
    populate(10, officer, tier)
    commit()
    path = f"/admin/organisations/{organisation.id}"
    few = page_cost(console, path)
    populate(90, officer, tier)
    for n in range(20):  # and a longer history of its own
        make_interaction(organisation, date(2026, 1, 1) + timedelta(days=n), created_by_id=officer.id)
        make_task(officer, date.today(), organisation_id=organisation.id, title=f"More {n}")
        make_challenge(organisation)
        signature(make_agreement(organisation), SignatoryParty.PARTNER, at(10), "Olga Owner")
        db.session.add(StaffNote(organisation_id=organisation.id, author_id=officer.id, body=f"Note {n}"))
    other = make_staff()
    make_task(other, date.today(), organisation_id=organisation.id, title="Another officer's")
    commit()
    assert page_cost(console, path) == few
    assert few < 60
    assert db.session.scalar(sa.select(sa.func.count(Task.id))) > 100
