"""Proposals become a lead or a collaboration agreement once, however often they are accepted; and
the whole journey through the pages: a partner submits with a file, staff screen and share, the
researcher answers, staff propose, the partner accepts, and the conversation goes both ways."""

from __future__ import annotations

import io

import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementKind
from portal.catalog import services as catalog
from portal.catalog.models import Lead, LeadStatus, Researcher, TechnologyStatus
from portal.challenges import services
from portal.challenges.models import (
    Challenge,
    ChallengeMessage,
    ChallengeProposal,
    ChallengeStatus,
    ProposalKind,
    ProposalStatus,
    ResearcherAnswer,
)
from portal.extensions import db

from ..support.browser import emails_to, text
from ..support.factories import commit, make_staff
from .helpers import entitled, pdf_bytes, researcher_account, submitted


def _technology(title="Indoor positioning of pallets and forklifts"):
    return catalog.create_technology(
        catalog.TechnologyData(
            title=title, benefit="Finds pallets indoors to one metre.", problem="Warehouses lose pallets."
        ),
        status=TechnologyStatus.PUBLISHED,
    )


def test_an_accepted_technology_becomes_one_lead_for_the_account_owner(ctx):
    partner, staff = entitled(), make_staff()
    partner.organisation.account_owner_id = staff.id
    technology = _technology()
    challenge = submitted(partner, ChallengeStatus.MATCHING)
    proposal = services.propose(staff, challenge, ProposalKind.TECHNOLOGY, technology.id, "It fits")
    assert proposal.score > 0 and proposal.reasons
    services.answer_proposal(partner, proposal, True)
    services.answer_proposal(partner, proposal, True)  # twice: nothing new
    leads = db.session.scalars(sa.select(Lead).where(Lead.organisation_id == partner.organisation_id)).all()
    assert len(leads) == 1
    assert leads[0].technology_id == technology.id and leads[0].status is LeadStatus.NEW
    assert leads[0].assigned_to_id == staff.id and proposal.lead_id == leads[0].id


def test_an_accepted_expert_becomes_one_collaboration_agreement(ctx):
    partner, staff = entitled(), make_staff()
    _user, entry = researcher_account(expertise=["indoor positioning", "pallets"])
    challenge = submitted(partner, ChallengeStatus.PROPOSAL)
    proposal = services.propose(staff, challenge, ProposalKind.RESEARCHER, entry.id)
    services.answer_proposal(partner, proposal, True, "Let's talk")
    services.answer_proposal(partner, proposal, True)
    agreements = db.session.scalars(
        sa.select(Agreement).where(Agreement.source == f"challenge:{challenge.id}")
    ).all()
    assert len(agreements) == 1 and agreements[0].kind is AgreementKind.COLLABORATION
    assert challenge.title in agreements[0].params["terms"]["subject"]
    assert agreements[0].params["terms"]["lead_researcher"] == entry.name
    assert proposal.feedback == "Let's talk" and proposal.agreement_id == agreements[0].id


def test_not_relevant_is_kept_as_feedback_and_cannot_become_interested(ctx):
    import pytest

    from portal.core.errors import DomainError

    partner, staff = entitled(), make_staff()
    challenge = submitted(partner, ChallengeStatus.MATCHING)
    proposal = services.propose(staff, challenge, ProposalKind.TECHNOLOGY, _technology().id)
    services.answer_proposal(partner, proposal, False, "We tried it")
    assert proposal.status is ProposalStatus.DECLINED and proposal.feedback == "We tried it"
    with pytest.raises(DomainError):
        services.answer_proposal(partner, proposal, True)
    assert db.session.scalar(sa.select(sa.func.count(Lead.id))) == 0


def test_the_same_match_is_proposed_once_and_internal_researchers_not_at_all(ctx):
    import pytest

    from portal.core.errors import DomainError

    partner, staff = entitled(), make_staff()
    technology = _technology()
    challenge = submitted(partner, ChallengeStatus.MATCHING)
    services.propose(staff, challenge, ProposalKind.TECHNOLOGY, technology.id)
    with pytest.raises(DomainError, match="already proposed"):
        services.propose(staff, challenge, ProposalKind.TECHNOLOGY, technology.id)
    hidden = Researcher(name="Dr Internal", public=False, expertise=["pallets"])
    db.session.add(hidden)
    db.session.flush()
    with pytest.raises(DomainError, match="internal"):
        services.propose(staff, challenge, ProposalKind.RESEARCHER, hidden.id)


def test_the_full_journey_through_the_pages(app, ctx, make_browser):
    partner, staff = entitled(), make_staff()
    technology = _technology()
    user, entry = researcher_account(
        "Dr Grace Hopper", expertise=["indoor positioning", "warehouses", "pallets"]
    )
    commit()
    company, console, lab = make_browser(), make_browser(), make_browser()
    company.login(partner.email)
    console.login_staff(staff)
    lab.login(user.email)

    # the partner writes and submits, then attaches a file
    response = company.post(
        "/challenges/new",
        {
            "title": "Find lost pallets inside our warehouses",
            "problem": "Pallets get lost inside the warehouse; forklifts search for hours.",
            "desired_outcome": "Know where every pallet is indoors.",
            "constraints": "Metal racks; no GPS.",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    challenge = db.session.scalar(
        sa.select(Challenge).where(Challenge.organisation_id == partner.organisation_id)
    )
    assert challenge.status is ChallengeStatus.SUBMITTED
    response = company.post(
        f"/challenges/{challenge.id}/files", {"file": (io.BytesIO(pdf_bytes()), "layout.pdf")}
    )
    assert "layout.pdf" in text(company.get(f"/challenges/{challenge.id}"))

    # staff see it waiting, screen it and share it with the researcher
    assert challenge.reference in text(console.get("/admin/"))
    assert challenge.reference in text(console.get("/admin/challenges"))
    base = f"/admin/challenges/{challenge.id}"
    assert (
        console.post(
            f"{base}/transition", {"status": "screening", "note": "Thanks, we look at it."}
        ).status_code
        == 302
    )
    assert console.post(f"{base}/owner", {"owner_id": str(staff.id)}).status_code == 302
    assert console.post(f"{base}/shares", {"researcher_id": str(entry.id)}).status_code == 302
    assert emails_to(user.email)

    # the researcher reads it in full and answers
    assert "Metal racks" in text(lab.get(f"/research/{challenge.id}"))
    lab.post(
        f"/research/{challenge.id}/answer", {"note": "My group built UWB tags for this", "expertise": "UWB"}
    )
    assert "My group built UWB tags for this" in text(console.get(base))

    # staff move to matching, propose the technology and the researcher, then tell the partner
    console.post(f"{base}/transition", {"status": "matching"})
    page = text(console.get(base))
    assert technology.reference in page
    console.post(
        f"{base}/proposals", {"kind": "technology", "object_id": str(technology.id), "note": "Fits well"}
    )
    console.post(f"{base}/proposals", {"kind": "researcher", "object_id": str(entry.id)})
    console.post(f"{base}/transition", {"status": "proposal", "note": "Two proposals for you."})

    # the conversation both ways, internal notes for staff only
    company.post(f"/challenges/{challenge.id}/messages", {"body": "Can we visit the lab?"})
    console.post(f"{base}/messages", {"body": "Yes, next Tuesday.", "internal": ""})
    console.post(f"{base}/messages", {"body": "Internal: they are in a hurry", "internal": "y"})
    partner_page = text(company.get(f"/challenges/{challenge.id}"))
    assert "Can we visit the lab?" in partner_page and "Yes, next Tuesday." in partner_page
    assert "they are in a hurry" not in partner_page
    assert "Fits well" in partner_page and "Dr Grace Hopper" in partner_page
    assert "Can we visit the lab?" in text(console.get(base))

    # the partner accepts the technology: a lead
    db.session.expire_all()
    tech_proposal = db.session.scalar(
        sa.select(ChallengeProposal).where(
            ChallengeProposal.challenge_id == challenge.id, ChallengeProposal.kind == ProposalKind.TECHNOLOGY
        )
    )
    for _ in range(2):
        response = company.post(
            f"/challenges/{challenge.id}/proposals/{tech_proposal.id}", {"answer": "interested"}
        )
        assert response.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Lead.id)).where(Lead.organisation_id == partner.organisation_id)
        )
        == 1
    )
    db.session.expire_all()
    challenge = db.session.get(Challenge, challenge.id)
    assert challenge.status is ChallengeStatus.PROPOSAL and challenge.first_answer_at is not None
    assert db.session.scalar(sa.select(sa.func.count(ResearcherAnswer.id))) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ChallengeMessage.id)).where(ChallengeMessage.internal.is_(True))
        )
        == 1
    )
    subjects = [m.subject for m in emails_to(partner.email)]
    assert any("Proposals are ready" in s for s in subjects) and any("new message" in s for s in subjects)


def test_staff_invite_a_researcher_who_chooses_a_password_and_lands_on_research(app, ctx, browser):
    from portal.auth.models import PlatformRole, User

    from ..support.browser import last_email_to, link_in

    staff = make_staff()
    entry = Researcher(name="Dr Invited", email="invited@research.example", expertise=["uwb"])
    db.session.add(entry)
    commit()
    browser.login_staff(staff)
    response = browser.post(f"/admin/challenges/researchers/{entry.id}/invite")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "invited@research.example"))
    assert user.platform_role is PlatformRole.RESEARCHER
    assert db.session.get(Researcher, entry.id).user_id == user.id
    again = browser.post(f"/admin/challenges/researchers/{entry.id}/invite")
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == user.email)) == 1
    path = link_in(last_email_to(user.email), "/reset-password/")
    assert path
    browser.post("/logout")
    chosen = "Vivid-otter-canal-43"
    assert browser.post(path, {"password": chosen, "confirm": chosen}).status_code == 302
    assert browser.login(user.email, chosen).headers["Location"].endswith("/research")
