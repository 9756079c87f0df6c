"""Proposals: staff run matching over a challenge, propose technologies and researchers (the score
and reasons are kept as matching gave them), and the partner answers each: "interested" makes a
technology a licensing lead and an expert a collaboration agreement prepared from the challenge;
"not relevant" is kept as feedback. Answering twice creates nothing twice."""

from __future__ import annotations

from flask_babel import gettext as _

from ...agreements import services as agreements
from ...agreements.models import Agreement, AgreementKind
from ...auth.models import User
from ...catalog import services as catalog
from ...catalog.models import Lead, LeadStatus, Researcher, Technology
from ...catalog.services import leads
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.types import utcnow
from ...extensions import db
from ...matching import services as matching
from ..models import Challenge, ChallengeProposal, ChallengeStatus, ProposalKind, ProposalStatus

PROPOSABLE = (ChallengeStatus.SCREENING, ChallengeStatus.MATCHING, ChallengeStatus.PROPOSAL)
STAFF_VIEWER = catalog.Viewer(
    catalog.Level.DOSSIER, first_look=True, staff=True, tier_level=catalog.Level.DOSSIER
)


def matches_for(challenge: Challenge, limit: int = 10) -> matching.MatchResult:
    """The technologies and researchers that fit the challenge (staff's view of the catalog)."""
    return matching.match_text(
        challenge.match_text,
        viewer=STAFF_VIEWER,
        domain_id=challenge.domain_id,
        target_trl=challenge.target_trl,
        limit=limit,
    )


def _captured(challenge: Challenge, kind: ProposalKind, obj_id: int) -> tuple[int, list[str]]:
    result = matches_for(challenge, limit=10_000)
    found = result.technologies if kind is ProposalKind.TECHNOLOGY else result.researchers
    for m in found:
        if m.obj.id == obj_id:
            return m.score, list(m.reasons)
    return 0, []


def propose(
    actor: User, challenge: Challenge, kind: ProposalKind, obj_id: int, note: str = ""
) -> ChallengeProposal:
    if challenge.status not in PROPOSABLE:
        raise DomainError(_("Proposals are made while screening, matching or proposing."))
    proposal = ChallengeProposal(kind=kind, note=(note or "").strip(), proposed_by_id=actor.id)
    if kind is ProposalKind.TECHNOLOGY:
        technology = db.session.get(Technology, obj_id)
        if technology is None or not technology.status.listed:
            raise DomainError(_("Only a listed technology can be proposed."))
        if any(p.technology_id == obj_id for p in challenge.proposals):
            raise DomainError(_("%(name)s is already proposed.", name=technology.reference))
        proposal.technology = technology
    else:
        researcher = db.session.get(Researcher, obj_id)
        if researcher is None:
            raise DomainError(_("This researcher is not in the directory."))
        if not researcher.public:
            raise DomainError(
                _(
                    "%(name)s's directory entry is internal: make it public before proposing.",
                    name=researcher.name,
                )
            )
        if any(p.researcher_id == obj_id for p in challenge.proposals):
            raise DomainError(_("%(name)s is already proposed.", name=researcher.name))
        proposal.researcher = researcher
    proposal.score, proposal.reasons = _captured(challenge, kind, obj_id)
    proposal.challenge = challenge
    db.session.add(proposal)
    db.session.flush()
    audit.record("challenge.proposed", actor=actor, target=challenge, kind=kind.value, object_id=obj_id)
    return proposal


def withdraw_proposal(actor: User, challenge: Challenge, proposal_id: int) -> None:
    proposal = next((p for p in challenge.proposals if p.id == proposal_id), None)
    if proposal is None:
        raise DomainError(_("This proposal does not exist."))
    if proposal.status is not ProposalStatus.PROPOSED:
        raise DomainError(_("The partner answered this proposal already; it stays on the record."))
    challenge.proposals.remove(proposal)
    audit.record("challenge.proposal_withdrawn", actor=actor, target=challenge, proposal_id=proposal_id)


def answer_proposal(
    actor: User, proposal: ChallengeProposal, interested: bool, feedback: str = ""
) -> ChallengeProposal:
    lock_for_update(proposal)  # two clicks at once: the second waits and finds the answer
    wanted = ProposalStatus.ACCEPTED if interested else ProposalStatus.DECLINED
    if proposal.status is wanted:
        return proposal  # the same answer again: nothing new
    if proposal.status is not ProposalStatus.PROPOSED:
        raise DomainError(_("You already answered this proposal."))
    challenge = proposal.challenge
    if challenge.status in (ChallengeStatus.WITHDRAWN, ChallengeStatus.DECLINED, ChallengeStatus.CLOSED):
        raise DomainError(_("This challenge is closed."))
    proposal.status = wanted
    proposal.feedback = (feedback or "").strip()
    proposal.answered_by_id = actor.id
    proposal.answered_at = utcnow()
    if interested:
        if proposal.kind is ProposalKind.TECHNOLOGY:
            proposal.lead_id = _lead_for(actor, challenge, proposal).id
        else:
            proposal.agreement_id = _agreement_for(actor, challenge, proposal).id
    audit.record(
        "challenge.proposal_answered",
        actor=actor,
        target=challenge,
        proposal_id=proposal.id,
        answer=wanted.value,
    )
    return proposal


def _lead_for(actor: User, challenge: Challenge, proposal: ChallengeProposal) -> Lead:
    """The organisation's open lead on the technology, or a new one for its account owner."""
    existing = leads.open_lead(challenge.organisation_id, proposal.technology_id)
    if existing is not None:
        return existing
    lead = Lead(
        technology_id=proposal.technology_id,
        organisation_id=challenge.organisation_id,
        created_by_id=actor.id,
        assigned_to_id=getattr(leads.staff_recipients(challenge.organisation)[0], "id", None),
        status=LeadStatus.NEW,
        intended_use=challenge.desired_outcome,
        timeline=challenge.timeline[:200],
        message=f"Interested after proposal for challenge {challenge.reference}: {challenge.title}"[:2000],
    )
    db.session.add(lead)
    db.session.flush()
    audit.record("lead.created", actor=actor, target=lead, source=f"challenge:{challenge.id}")
    return lead


def _agreement_for(actor: User, challenge: Challenge, proposal: ChallengeProposal) -> Agreement:
    """A draft research collaboration agreement prepared from the challenge (staff review and issue it)."""
    source = f"challenge:{challenge.id}"  # idempotent through the proposal's own answer, under its lock
    researcher = proposal.researcher
    terms = agreements.Terms(
        title=f"Research collaboration: {challenge.title}"[:200],
        subject=challenge.title,
        purpose=challenge.desired_outcome[:2000],
        budget=challenge.budget_band.label if challenge.budget_band else "",
        lead_researcher=researcher.name if researcher else "",
        term_months=12,
    )
    return agreements.create_agreement(
        actor, challenge.organisation, AgreementKind.COLLABORATION, terms, source=source[:40]
    )
