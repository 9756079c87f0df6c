"""The pipeline's rules: the moves allowed from each stage, lost needs a reason, every move is a
ProspectMove row and an audit event; stage_summary on a fixed pipeline (hand-computed, with a period
boundary); link suggestions by web domain and by name; sign-ups without membership."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.crm.models import CollaborationModel, Prospect, ProspectMove, ProspectSource, ProspectStage
from portal.crm.services import pipeline
from portal.crm.services.pipeline import ORDER, TRANSITIONS, company_key, web_domain
from portal.extensions import db
from portal.membership.models import Membership, MembershipStatus

from ..support.factories import make_organisation, make_partner, make_staff, make_tier

S = ProspectStage


def new(staff, company="Acme Prospect GmbH", stage=S.IDENTIFIED, value=0, currency="EUR", **extra):
    return pipeline.create_prospect(
        staff,
        pipeline.ProspectData(
            company=company, expected_value_cents=value, currency=currency, owner_id=staff.id, **extra
        ),
        stage=stage,
    )


def audit_actions(prospect: Prospect) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.target_type == "prospect", AuditEvent.target_id == prospect.id)
            .order_by(AuditEvent.id)
        )
    )


# --- moves ---------------------------------------------------------------------------------------


def test_the_transition_table(ctx):
    open_stages = ORDER[:-1]
    for stage in open_stages:
        assert set(TRANSITIONS[stage]) == set(S) - {stage}
    assert TRANSITIONS[S.WON] == (S.LOST,)
    assert set(TRANSITIONS[S.LOST]) == set(open_stages)


def test_every_move_outside_the_table_is_refused(ctx):
    staff = make_staff()
    for start in S:
        for target in S:
            if target in TRANSITIONS[start]:
                continue
            prospect = new(staff)
            prospect.stage = start
            with pytest.raises(DomainError, match="cannot go from"):
                pipeline.move(staff, prospect, target, reason="some reason")


def test_lost_needs_a_reason_and_keeps_it(ctx):
    staff = make_staff()
    prospect = new(staff)
    with pytest.raises(DomainError, match="Say why") as refused:
        pipeline.move(staff, prospect, S.LOST, reason="   ")
    assert refused.value.field == "reason"
    assert prospect.stage is S.IDENTIFIED
    pipeline.move(staff, prospect, S.LOST, reason="Chose a  competitor")
    assert prospect.stage is S.LOST and prospect.lost_reason == "Chose a competitor"
    pipeline.move(staff, prospect, S.CONTACTED)  # reopened: the reason goes
    assert prospect.lost_reason == ""


def test_each_move_is_a_move_row_and_an_audit_event(ctx):
    staff = make_staff()
    prospect = new(staff)
    pipeline.move(staff, prospect, S.CONTACTED)
    pipeline.move(staff, prospect, S.PROPOSAL)
    pipeline.move(staff, prospect, S.LOST, reason="Timing")
    db.session.flush()
    moves = db.session.scalars(
        sa.select(ProspectMove).where(ProspectMove.prospect_id == prospect.id).order_by(ProspectMove.id)
    ).all()
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (None, S.IDENTIFIED),
        (S.IDENTIFIED, S.CONTACTED),
        (S.CONTACTED, S.PROPOSAL),
        (S.PROPOSAL, S.LOST),
    ]
    assert all(m.actor_id == staff.id for m in moves) and moves[-1].reason == "Timing"
    assert audit_actions(prospect) == ["prospect.created"] + ["prospect.moved"] * 3
    last = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "prospect.moved")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert last.details == {"old": "proposal", "new": "lost", "reason": "Timing"}
    assert last.actor_id == staff.id


def test_creation_checks_its_values(ctx):
    staff, partner = make_staff(), make_partner()
    with pytest.raises(DomainError, match="company"):
        new(staff, company="  ")
    with pytest.raises(DomainError, match="open stage"):
        new(staff, stage=S.WON)
    with pytest.raises(DomainError, match="member of staff"):
        pipeline.create_prospect(staff, pipeline.ProspectData(company="X", owner_id=partner.id))
    with pytest.raises(DomainError, match="negative"):
        new(staff, value=-1)
    with pytest.raises(DomainError, match="currency"):
        new(staff, currency="XYZ")
    with pytest.raises(DomainError, match="country"):
        new(staff, country="QQ")


def test_an_edit_is_audited_with_what_changed(ctx):
    staff = make_staff()
    prospect = new(staff, value=100_00)
    data = pipeline.ProspectData(
        company=prospect.company,
        expected_value_cents=250_00,
        owner_id=staff.id,
        next_action="Call",
        next_action_on=date(2026, 5, 1),
    )
    changes = pipeline.update_prospect(staff, prospect, data)
    assert changes["expected_value_cents"] == [100_00, 250_00]
    assert changes["next_action_on"] == [None, "2026-05-01"]
    assert audit_actions(prospect)[-1] == "prospect.updated"
    assert prospect.source is ProspectSource.STAFF


# --- stage_summary on a fixed pipeline -------------------------------------------------------------


def _fixed_pipeline(staff) -> dict[str, Prospect]:
    """A: identified -> contacted -> meeting -> won (EUR 1,000); B: identified -> contacted -> lost
    (EUR 500); C: identified (EUR 200); D: identified -> contacted -> meeting -> proposal (EUR 300);
    E: created at meeting -> negotiation -> lost (EUR 400); F: identified -> contacted -> meeting ->
    back to contacted (CHF 100)."""
    paths = {
        "A": (S.IDENTIFIED, [S.CONTACTED, S.MEETING, S.WON], 1000_00, "EUR"),
        "B": (S.IDENTIFIED, [S.CONTACTED, S.LOST], 500_00, "EUR"),
        "C": (S.IDENTIFIED, [], 200_00, "EUR"),
        "D": (S.IDENTIFIED, [S.CONTACTED, S.MEETING, S.PROPOSAL], 300_00, "EUR"),
        "E": (S.MEETING, [S.NEGOTIATION, S.LOST], 400_00, "EUR"),
        "F": (S.IDENTIFIED, [S.CONTACTED, S.MEETING, S.CONTACTED], 100_00, "CHF"),
    }
    made = {}
    for name, (start, steps, value, currency) in paths.items():
        prospect = new(staff, company=f"Prospect {name}", stage=start, value=value, currency=currency)
        for target in steps:
            pipeline.move(staff, prospect, target, reason="No budget" if target is S.LOST else "")
        prospect.created_at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
        made[name] = prospect
    db.session.flush()
    return made


def _by_stage(rows):
    return {row.stage: row for row in rows}


def test_stage_summary_counts_values_and_conversion_by_hand(ctx):
    _fixed_pipeline(make_staff())
    rows = pipeline.stage_summary()
    assert [row.stage for row in rows] == [*ORDER, S.LOST]
    by = _by_stage(rows)
    counts = {stage: row.count for stage, row in by.items()}
    assert counts == {
        S.IDENTIFIED: 1,  # C
        S.CONTACTED: 1,  # F
        S.MEETING: 0,
        S.PROPOSAL: 1,  # D
        S.NEGOTIATION: 0,
        S.WON: 1,  # A
        S.LOST: 2,  # B, E
    }
    assert by[S.IDENTIFIED].value_cents == 200_00
    assert by[S.CONTACTED].values == {"CHF": 100_00} and by[S.CONTACTED].value_cents == 0
    assert by[S.WON].value_cents == 1000_00
    assert by[S.LOST].value_cents == 900_00
    # reached stage N or later: identified 6, contacted 5 (not C), meeting 4 (A D E F), proposal 3
    # (A D E), negotiation 2 (A E), won 1 (A); lost 2 (B E)
    assert [by[s].reached for s in ORDER] == [6, 5, 4, 3, 2, 1]
    assert by[S.LOST].reached == 2
    assert [by[s].conversion for s in ORDER] == [5 / 6, 4 / 5, 3 / 4, 2 / 3, 1 / 2, None]
    assert by[S.LOST].conversion is None


def test_stage_summary_counts_the_prospects_created_in_the_period_ends_included(ctx):
    made = _fixed_pipeline(make_staff())
    made["C"].created_at = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)  # the last second of the period
    made["F"].created_at = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # the first second after it
    made["B"].created_at = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # the first second of it
    db.session.flush()
    by = _by_stage(pipeline.stage_summary(date(2026, 3, 1), date(2026, 3, 31)))
    assert [by[s].reached for s in ORDER] == [5, 4, 3, 3, 2, 1]  # F is out
    assert [by[s].conversion for s in ORDER] == [4 / 5, 3 / 4, 3 / 3, 2 / 3, 1 / 2, None]
    assert by[S.CONTACTED].count == 0 and by[S.IDENTIFIED].count == 1
    by_april = _by_stage(pipeline.stage_summary(start=date(2026, 4, 1)))
    assert by_april[S.CONTACTED].count == 1 and by_april[S.IDENTIFIED].reached == 1
    assert by_april[S.IDENTIFIED].conversion == 1.0 and by_april[S.CONTACTED].conversion == 1.0
    assert by_april[S.MEETING].conversion == 0.0


def test_stage_summary_of_an_empty_pipeline(ctx):
    rows = pipeline.stage_summary()
    assert all(row.count == 0 and row.reached == 0 and row.conversion is None for row in rows)


def test_board_totals_follow_the_filters(ctx):
    staff, other = make_staff(), make_staff()
    new(staff, company="One", value=10_00)
    new(staff, company="Two", value=20_00)
    pipeline.create_prospect(
        other, pipeline.ProspectData(company="Three", expected_value_cents=5_00, owner_id=other.id)
    )
    totals = pipeline.board_totals(pipeline.ProspectFilters())
    assert totals[S.IDENTIFIED].count == 3 and totals[S.IDENTIFIED].value_cents == 35_00
    mine = pipeline.board_totals(pipeline.ProspectFilters(owner=str(staff.id)))
    assert mine[S.IDENTIFIED].count == 2 and mine[S.IDENTIFIED].value_cents == 30_00


# --- organisations ---------------------------------------------------------------------------------


def test_domains_and_names_are_normalised():
    assert web_domain("Sigrid@Fjord-Analytics.example") == "fjord-analytics.example"
    assert web_domain("https://www.fjord-analytics.example/about") == "fjord-analytics.example"
    assert web_domain("fjord-analytics.example") == "fjord-analytics.example"
    assert web_domain("someone@gmail.com") == ""
    assert web_domain("not a domain") == ""
    assert company_key("Fjörd Analytics Ltd.") == company_key("FJORD ANALYTICS AS") == "fjord analytics"
    assert company_key("Müller GmbH") == company_key("Muller AG") == "muller"


def test_link_suggestions_by_web_domain_and_by_name(ctx):
    staff = make_staff()
    by_website = make_organisation(legal_name="FA Holding AS", website="https://www.fjord-analytics.example/")
    by_users = make_organisation(legal_name="Nordic Data Group")
    make_partner(organisation=by_users, email="ole@fjord-analytics.example")
    by_name = make_organisation(legal_name="Fjörd Analytics Ltd")
    lookalike = make_organisation(
        legal_name="Fjord Shipping AS", website="https://notfjord-analytics.example"
    )
    prospect = new(staff, company="Fjord Analytics AS", contact_email="sigrid@fjord-analytics.example")
    suggestions = {s.organisation.id: s.reasons for s in pipeline.link_suggestions(prospect)}
    assert suggestions == {
        by_website.id: ["web domain fjord-analytics.example"],
        by_users.id: ["web domain fjord-analytics.example"],
        by_name.id: ["same name"],
    }
    assert lookalike.id not in suggestions
    pipeline.link(staff, prospect, by_name)
    assert by_name.id not in {s.organisation.id for s in pipeline.link_suggestions(prospect)}


def test_webmail_addresses_suggest_nothing_by_domain(ctx):
    staff = make_staff()
    make_organisation(legal_name="Other Ltd", website="https://gmail.com")
    prospect = new(staff, company="Solo Consulting", contact_email="solo@gmail.com")
    assert pipeline.link_suggestions(prospect) == []


def test_link_and_unlink_are_audited(ctx):
    staff = make_staff()
    organisation = make_organisation(legal_name="Linked Co")
    prospect = new(staff)
    pipeline.link(staff, prospect, organisation)
    assert prospect.organisation_id == organisation.id
    with pytest.raises(DomainError, match="already linked"):
        pipeline.link(staff, prospect, organisation)
    pipeline.unlink(staff, prospect)
    assert prospect.organisation_id is None
    with pytest.raises(DomainError, match="not linked"):
        pipeline.unlink(staff, prospect)
    assert audit_actions(prospect) == ["prospect.created", "prospect.linked", "prospect.unlinked"]


def test_sign_ups_without_membership_are_suggested_until_they_are_prospects(ctx):
    staff = make_staff()
    signed_up = make_organisation(legal_name="Just Signed Up GmbH", website="https://justsigned.example")
    make_partner(organisation=signed_up, email="boss@justsigned.example", full_name="Berta Boss")
    member = make_organisation(legal_name="Member Already AG")
    db.session.add(
        Membership(organisation_id=member.id, tier_id=make_tier().id, status=MembershipStatus.ACTIVE)
    )
    db.session.flush()
    total, shown = pipeline.signup_suggestions()
    assert signed_up in shown and member not in shown
    prospect = pipeline.prospect_from_signup(staff, signed_up, owner_id=staff.id)
    assert prospect.source is ProspectSource.SIGNUP and prospect.organisation_id == signed_up.id
    assert prospect.contact_email == "boss@justsigned.example" and prospect.contact_name == "Berta Boss"
    membership_model = db.session.scalar(
        sa.select(CollaborationModel).where(CollaborationModel.slug == "membership")
    )
    assert prospect.model_id == membership_model.id
    assert pipeline.signup_suggestions()[0] == total - 1
    with pytest.raises(DomainError, match="already in the pipeline"):
        pipeline.prospect_from_signup(staff, signed_up)
    with pytest.raises(DomainError, match="membership already"):
        pipeline.prospect_from_signup(staff, member)


# --- demo data -------------------------------------------------------------------------------------


def test_the_demo_pipeline_is_seeded_once(ctx):
    from portal.crm import demo_pipeline

    staff = [make_staff(admin=True), make_staff(), make_staff()]
    nordlicht = make_organisation(legal_name="Nordlicht Energy AS")
    assert demo_pipeline.seed(staff) == 12
    assert demo_pipeline.seed(staff) == 0
    prospects = db.session.scalars(sa.select(Prospect)).all()
    assert len(prospects) == 12
    assert {p.owner_id for p in prospects} == {staff[1].id, staff[2].id}
    assert {p.stage for p in prospects} == set(S)
    assert len({p.model_id for p in prospects}) == 8 and len({p.country for p in prospects}) == 12
    today = date.today()
    assert sum(p.next_action_overdue(today) for p in prospects) >= 3
    [linked] = [p for p in prospects if p.organisation_id]
    assert linked.organisation_id == nordlicht.id and linked.stage is S.WON
    assert all(p.lost_reason for p in prospects if p.stage is S.LOST)
