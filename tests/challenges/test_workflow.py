"""The transition table, who makes which move, the tier's open-challenge limit, the timeline, the
audit and the partner's emails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.challenges import services
from portal.challenges.models import ChallengeEvent, ChallengeStatus
from portal.challenges.services.workflow import TRANSITIONS, working_days_since
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import emails_to
from ..support.factories import make_staff
from .helpers import data, entitled, submitted

S = ChallengeStatus


def test_every_move_outside_the_table_is_refused(ctx):
    partner, staff = entitled(), make_staff()
    for start in S:
        for target in S:
            if target in TRANSITIONS[start]:
                continue
            challenge = services.create_draft(partner, partner.organisation, data())
            challenge.status = start
            with pytest.raises(DomainError, match="cannot go from"):
                services.transition(
                    staff if target not in (S.SUBMITTED, S.WITHDRAWN) else partner, challenge, target
                )


def test_partners_submit_and_withdraw_staff_make_the_other_moves(ctx):
    partner, staff = entitled(), make_staff()
    challenge = submitted(partner)
    with pytest.raises(DomainError, match="Only the partner"):
        services.transition(staff, challenge, S.WITHDRAWN)
    with pytest.raises(DomainError, match="Only the partner"):
        services.transition(partner, challenge, S.SCREENING)
    services.transition(staff, challenge, S.SCREENING, note="We are on it.")
    assert challenge.first_answer_at is not None
    services.withdraw(partner, challenge, "Solved in house")
    assert challenge.status is S.WITHDRAWN
    with pytest.raises(DomainError):
        services.withdraw(partner, challenge)


def test_each_move_is_an_event_an_audit_row_and_an_email_to_the_partner(ctx):
    partner, staff = entitled(), make_staff()
    challenge = submitted(partner)
    services.transition(staff, challenge, S.SCREENING, note="Screening note")
    db.session.flush()
    events = db.session.scalars(
        sa.select(ChallengeEvent)
        .where(ChallengeEvent.challenge_id == challenge.id)
        .order_by(ChallengeEvent.id)
    ).all()
    assert [e.to_status for e in events] == [S.DRAFT, S.SUBMITTED, S.SCREENING]
    assert events[-1].actor_id == staff.id and events[-1].note == "Screening note"
    audits = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.target_type == "challenge", AuditEvent.target_id == challenge.id
        )
    ).all()
    assert audits.count("challenge.status_changed") == 2
    mails = emails_to(partner.email)
    assert [challenge.reference in m.subject for m in mails] == [True, True]
    assert "Screening note" in mails[-1].body_text


def test_declining_needs_a_reason_that_the_partner_reads(ctx):
    partner, staff = entitled(), make_staff()
    challenge = submitted(partner)
    with pytest.raises(DomainError, match="reason"):
        services.transition(staff, challenge, S.DECLINED)
    services.transition(staff, challenge, S.DECLINED, reason="Outside our research fields")
    assert challenge.decline_reason == "Outside our research fields"
    assert "Outside our research fields" in emails_to(partner.email)[-1].body_text


def test_the_tier_limit_applies_on_submit_with_a_clear_message(ctx):
    partner = entitled(challenge_limit=1)
    submitted(partner)
    second = services.create_draft(partner, partner.organisation, data(title="Second"))
    with pytest.raises(DomainError, match="includes 1 open challenges at a time, and 1 are open"):
        services.submit(partner, second)
    assert second.status is S.DRAFT  # the draft stays
    none_included = entitled(challenge_limit=0)
    draft = services.create_draft(none_included, none_included.organisation, data())
    with pytest.raises(DomainError, match="does not include R&D challenges"):
        services.submit(none_included, draft)


def test_a_closed_challenge_frees_its_place_under_the_limit(ctx):
    partner, staff = entitled(challenge_limit=1), make_staff()
    first = submitted(partner)
    services.transition(staff, first, S.DECLINED, reason="No fit")
    second = services.create_draft(partner, partner.organisation, data(title="Second"))
    services.submit(partner, second)
    assert second.status is S.SUBMITTED


def test_submission_needs_the_problem_and_the_outcome(ctx):
    partner = entitled()
    draft = services.create_draft(partner, partner.organisation, data(problem="", desired_outcome=""))
    with pytest.raises(DomainError) as refused:
        services.submit(partner, draft)
    assert refused.value.field == "problem"


def test_references_follow_the_yearly_sequence(ctx):
    partner = entitled()
    a = services.create_draft(partner, partner.organisation, data())
    b = services.create_draft(partner, partner.organisation, data())
    assert a.reference.startswith("C-") and int(b.reference[-4:]) == int(a.reference[-4:]) + 1


def test_working_days_skip_weekends():
    from datetime import date

    friday = date(2026, 12, 4)
    assert working_days_since(friday, date(2026, 12, 7)) == 1  # Monday
    assert working_days_since(friday, date(2026, 12, 11)) == 5
    assert working_days_since(friday, date(2026, 12, 14)) == 6


def test_the_form_saves_a_draft_then_submits(app, ctx, browser):
    partner = entitled()
    from ..support.factories import commit

    commit()
    browser.login(partner.email)
    form = {"title": "Pallets", "problem": "", "desired_outcome": "", "action": "draft"}
    response = browser.post("/challenges/new", form)
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    edit = response.headers["Location"]
    form.update(problem="We lose pallets", desired_outcome="Find them", action="submit")
    response = browser.post(edit, form)
    assert response.status_code == 302 and response.headers["Location"].endswith(edit.rsplit("/", 1)[0])
    page = browser.get("/challenges").get_data(as_text=True)
    assert "Pallets" in page and "Submitted" in page


def test_the_draft_form_shows_what_was_saved(app, ctx, browser):
    from portal.challenges.models import BudgetBand, Collaboration

    from ..support.factories import commit

    partner = entitled()
    draft = services.create_draft(
        partner,
        partner.organisation,
        data(budget_band=BudgetBand.FROM_25K, collaboration=Collaboration.CONSULTANCY, target_trl=4),
    )
    commit()
    browser.login(partner.email)
    page = browser.get(f"/challenges/{draft.id}/edit").get_data(as_text=True)
    assert 'selected value="25k_100k"' in page and 'selected value="consultancy"' in page
    assert 'selected value="4"' in page


def test_each_section_saves_the_draft_and_comes_back_to_it(app, ctx, browser):
    from portal.challenges.models import Challenge

    from ..support.factories import commit

    partner = entitled()
    commit()
    browser.login(partner.email)
    response = browser.post(
        "/challenges/new", {"title": "Pallets", "problem": "We lose pallets", "action": "draft-problem"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit#section-problem")
    edit = response.headers["Location"].split("#")[0]
    form = {
        "title": "Pallets",
        "problem": "We lose pallets",
        "timeline": "A pilot by June",
        "action": "draft-scope",
    }
    response = browser.post(edit, form)
    assert response.headers["Location"].endswith("#section-scope")
    challenge = db.session.scalars(sa.select(Challenge).where(Challenge.title == "Pallets")).one()
    db.session.refresh(challenge)
    assert (challenge.problem, challenge.timeline, challenge.status) == (
        "We lose pallets",
        "A pilot by June",
        ChallengeStatus.DRAFT,
    )
    page = browser.get(edit).get_data(as_text=True)
    assert page.count('value="draft-') == 2 and 'id="section-scope"' in page
    # an unknown section is a plain draft save, back to the top of the form
    response = browser.post(edit, {**form, "action": "draft-elsewhere"})
    assert response.status_code == 302 and "#" not in response.headers["Location"]


def test_the_first_staff_member_to_move_a_challenge_becomes_its_owner(ctx):
    partner = entitled()
    challenge = services.create_draft(partner, partner.organisation, data())
    services.submit(partner, challenge)
    assert challenge.owner_id is None  # the partner's move assigns nobody
    first, second = make_staff(), make_staff()
    services.transition(first, challenge, ChallengeStatus.SCREENING)
    services.transition(second, challenge, ChallengeStatus.MATCHING)
    assert challenge.owner_id == first.id  # kept: a later move does not take it over
    owners = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "challenge.owner_changed")
    ).all()
    assert [e.details["new"] for e in owners] == [first.id]


def test_the_dashboard_lists_open_challenges_and_the_proposals_waiting(app, ctx, browser):
    from portal.catalog import services as catalog
    from portal.catalog.models import TechnologyStatus
    from portal.challenges.models import ProposalKind

    from ..support.browser import text
    from ..support.factories import commit

    partner = entitled()
    staff = make_staff()
    waiting = submitted(partner, ChallengeStatus.MATCHING, title="Pallets lost indoors")
    technology = catalog.create_technology(
        catalog.TechnologyData(title="Indoor positioning", benefit="Finds pallets.", problem="Lost pallets."),
        status=TechnologyStatus.PUBLISHED,
    )
    services.propose(staff, waiting, ProposalKind.TECHNOLOGY, technology.id)
    finished = submitted(partner, ChallengeStatus.SUBMITTED, title="An old withdrawn one")
    services.withdraw(partner, finished)
    commit()
    browser.login(partner.email)
    page = text(browser.get("/dashboard"))
    assert "Your R&D challenges" in page and "Pallets lost indoors" in page
    assert "1 proposal waits for your answer" in page
    assert "An old withdrawn one" not in page  # finished challenges leave the card
