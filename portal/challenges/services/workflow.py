"""Writing challenges and moving them through the workflow.

    draft -> submitted -> screening -> matching -> proposal -> in_project -> closed
    (declined with a reason from submitted on; the partner withdraws from submitted to proposal)

`TRANSITIONS` is the one table of allowed moves, `PARTNER_MOVES` the ones a partner makes. Every
move is checked against it (anything else raises DomainError), recorded as a timeline event,
audited, and emailed to the partner in their language. Services flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth.models import User
from ...catalog.models import Domain
from ...core import audit
from ...core.database import lock_for_update, next_in_sequence
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ...membership import services as membership
from ...partners.models import Organisation, OrgRole
from ..models import (
    OPEN_STATUSES,
    BudgetBand,
    Challenge,
    ChallengeEvent,
    ChallengeProposal,
    ChallengeSequence,
    ChallengeStatus,
    Collaboration,
    ProposalStatus,
)

S = ChallengeStatus

TRANSITIONS: dict[ChallengeStatus, frozenset[ChallengeStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.SCREENING, S.DECLINED, S.WITHDRAWN}),
    S.SCREENING: frozenset({S.MATCHING, S.DECLINED, S.CLOSED, S.WITHDRAWN}),
    S.MATCHING: frozenset({S.PROPOSAL, S.DECLINED, S.CLOSED, S.WITHDRAWN}),
    S.PROPOSAL: frozenset({S.MATCHING, S.IN_PROJECT, S.CLOSED, S.DECLINED, S.WITHDRAWN}),
    S.IN_PROJECT: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
PARTNER_MOVES = frozenset({S.SUBMITTED, S.WITHDRAWN})  # what a partner may do; staff do the rest
WITHDRAWABLE = frozenset(s for s, targets in TRANSITIONS.items() if S.WITHDRAWN in targets)

SUBJECTS = {
    S.SUBMITTED: lambda ref: _l("We received your challenge %(reference)s", reference=ref),
    S.SCREENING: lambda ref: _l("Your challenge %(reference)s is being screened", reference=ref),
    S.MATCHING: lambda ref: _l("We are looking for matches for %(reference)s", reference=ref),
    S.PROPOSAL: lambda ref: _l("Proposals are ready for your challenge %(reference)s", reference=ref),
    S.IN_PROJECT: lambda ref: _l("Your challenge %(reference)s became a project", reference=ref),
    S.CLOSED: lambda ref: _l("Your challenge %(reference)s is closed", reference=ref),
    S.DECLINED: lambda ref: _l("Your challenge %(reference)s was declined", reference=ref),
    S.WITHDRAWN: lambda ref: _l("You withdrew your challenge %(reference)s", reference=ref),
}


@dataclass
class ChallengeData:
    """What the partner writes (the one-page form)."""

    title: str = ""
    problem: str = ""
    desired_outcome: str = ""
    approaches_tried: str = ""
    constraints: str = ""
    domain_id: int | None = None
    target_trl: int | None = None
    timeline: str = ""
    budget_band: BudgetBand | None = None
    collaboration: Collaboration | None = None
    contacts: str = ""


FIELDS = tuple(ChallengeData.__dataclass_fields__)


def _apply(challenge: Challenge, data: ChallengeData) -> None:
    for name in FIELDS:
        value = getattr(data, name)
        setattr(challenge, name, value.strip() if isinstance(value, str) else value)
    if challenge.domain_id is not None and db.session.get(Domain, challenge.domain_id) is None:
        raise DomainError(_("Choose a domain from the list."), field="domain_id")
    if challenge.target_trl is not None and not 1 <= challenge.target_trl <= 9:
        raise DomainError(_("The TRL is between 1 and 9."), field="target_trl")


def next_reference(year: int | None = None) -> str:
    year = year or date.today().year
    return f"C-{year}-{next_in_sequence(ChallengeSequence, year):04d}"


def create_draft(actor: User, organisation: Organisation, data: ChallengeData) -> Challenge:
    if not data.title.strip():
        raise DomainError(_("Give the challenge a title, even a provisional one."), field="title")
    challenge = Challenge(
        reference=next_reference(), organisation=organisation, author_id=actor.id, status=S.DRAFT
    )
    _apply(challenge, data)
    db.session.add(challenge)
    db.session.flush()
    _event(challenge, actor, None, S.DRAFT)
    audit.record("challenge.created", actor=actor, target=challenge)
    return challenge


def update_draft(actor: User, challenge: Challenge, data: ChallengeData) -> None:
    if challenge.status is not S.DRAFT:
        raise DomainError(_("Only a draft can be changed. Write to us in the conversation instead."))
    if not data.title.strip():
        raise DomainError(_("Give the challenge a title, even a provisional one."), field="title")
    _apply(challenge, data)
    audit.record("challenge.updated", actor=actor, target=challenge)


def open_count(organisation_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Challenge.id)).where(
            Challenge.organisation_id == organisation_id, Challenge.status.in_(OPEN_STATUSES)
        )
    )


def recent_of(organisation_id: int, limit: int = 5) -> list[tuple[Challenge, int]]:
    """The organisation's latest challenges that are not finished (drafts included), each with the
    number of proposals waiting for the partner's answer: the dashboard's card, in one query."""
    waiting = (
        sa.select(sa.func.count(ChallengeProposal.id))
        .where(
            ChallengeProposal.challenge_id == Challenge.id,
            ChallengeProposal.status == ProposalStatus.PROPOSED,
        )
        .correlate(Challenge)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Challenge, waiting)
        .where(
            Challenge.organisation_id == organisation_id,
            Challenge.status.in_([S.DRAFT, *OPEN_STATUSES]),
        )
        .order_by(Challenge.updated_at.desc(), Challenge.id.desc())
        .limit(limit)
    ).all()
    return [(challenge, count) for challenge, count in rows]


def check_open_limit(organisation: Organisation) -> None:
    """The tier's open-challenge limit (None: unlimited), with a message that says what to do."""
    current = membership.membership_of(organisation)
    if current is None or not membership.has_partner_access(organisation, membership=current):
        raise DomainError(_("Submitting a challenge needs an active membership."))
    limit = current.tier.challenge_limit
    if limit is None:
        return
    if limit <= 0:
        raise DomainError(
            _(
                "Your %(tier)s membership does not include R&D challenges. A higher tier does: "
                "see the membership page.",
                tier=current.tier.name,
            )
        )
    count = open_count(organisation.id)
    if count >= limit:
        raise DomainError(
            _(
                "Your %(tier)s membership includes %(limit)s open challenges at a time, and %(count)s "
                "are open. Your draft is saved: submit it when one of them is closed or withdrawn, or "
                "move to a higher tier.",
                tier=current.tier.name,
                limit=limit,
                count=count,
            )
        )


def missing_for_submission(challenge: Challenge) -> list[tuple[str, str]]:
    needed = [
        ("title", _("Give the challenge a title.")),
        ("problem", _("Describe the problem.")),
        ("desired_outcome", _("Say what a good outcome would be.")),
    ]
    return [(name, message) for name, message in needed if not (getattr(challenge, name) or "").strip()]


def build_teaser(challenge: Challenge) -> str:
    """An anonymised description of the company for open calls ("A FinTech company in Luxembourg"),
    from the organisation's country and the challenge's domain; staff may rewrite it."""
    country = challenge.organisation.country_name if challenge.organisation else ""
    domain = challenge.domain.name if challenge.domain else ""
    if domain and country:
        article = "An" if domain[:1].upper() in "AEIOU" else "A"
        return f"{article} {domain} company in {country}"
    if country:
        return f"A company in {country}"
    return "A partner company"


def submit(actor: User, challenge: Challenge) -> None:
    if challenge.status is not S.DRAFT:
        raise DomainError(_("This challenge was already submitted."))
    missing = missing_for_submission(challenge)
    if missing:
        name, message = missing[0]
        raise DomainError(message, field=name)
    lock_for_update(challenge.organisation)  # two submissions at once count each other
    check_open_limit(challenge.organisation)
    challenge.submitted_at = utcnow()
    if not challenge.teaser:
        challenge.teaser = build_teaser(challenge)
    transition(actor, challenge, S.SUBMITTED)


def withdraw(actor: User, challenge: Challenge, note: str = "") -> None:
    if challenge.status not in WITHDRAWABLE:
        raise DomainError(_("This challenge can no longer be withdrawn."))
    transition(actor, challenge, S.WITHDRAWN, note=note)


def _event(
    challenge: Challenge, actor: User | None, old: ChallengeStatus | None, new: ChallengeStatus, note=""
):
    event = ChallengeEvent(
        challenge=challenge, actor_id=actor.id if actor else None, from_status=old, to_status=new, note=note
    )
    db.session.add(event)
    return event


def allowed_targets(challenge: Challenge, staff: bool) -> list[ChallengeStatus]:
    targets = TRANSITIONS[challenge.status]
    chosen = targets - PARTNER_MOVES if staff else targets & PARTNER_MOVES
    return [s for s in ChallengeStatus if s in chosen]


def transition(
    actor: User, challenge: Challenge, to: ChallengeStatus, *, note: str = "", reason: str = ""
) -> ChallengeEvent:
    """Move `challenge` to `to` if the table allows it and `actor` may make that move."""
    old = challenge.status
    if to not in TRANSITIONS[old]:
        raise DomainError(
            _(
                "A challenge cannot go from “%(old)s” to “%(new)s”.",
                old=old.label,
                new=to.label,
            )
        )
    if actor.is_staff == (to in PARTNER_MOVES):
        raise DomainError(
            _("Only the partner can submit or withdraw a challenge; staff make the other moves.")
        )
    if to is S.DECLINED:
        reason = reason.strip()
        if not reason:
            raise DomainError(_("Give the reason for declining: the partner reads it."), field="reason")
        challenge.decline_reason = reason
        note = note or reason
    challenge.status = to
    if actor.is_staff and old is S.SUBMITTED and challenge.first_answer_at is None:
        challenge.first_answer_at = utcnow()
    if actor.is_staff and challenge.owner_id is None:
        challenge.owner = actor  # whoever takes it on first handles it, until reassigned
        audit.record("challenge.owner_changed", actor=actor, target=challenge, old=None, new=actor.id)
    event = _event(challenge, actor, old, to, note.strip())
    audit.record("challenge.status_changed", actor=actor, target=challenge, old=old.value, new=to.value)
    notify_partner(challenge, to, note=note.strip())
    return event


def partner_recipients(challenge: Challenge) -> list[str]:
    """The author, or the organisation's owners when the author has left."""
    author = challenge.author
    if author is not None and author.active and author.organisation_id == challenge.organisation_id:
        return [author.email]
    owners = db.session.scalars(
        sa.select(User).where(User.organisation_id == challenge.organisation_id, User.active.is_(True))
    ).all()
    return [u.email for u in owners if u.has_org_role(OrgRole.OWNER)]


def notify_partner(challenge: Challenge, status: ChallengeStatus, note: str = "") -> None:
    notify(
        partner_recipients(challenge),
        "challenge_status",
        subject=SUBJECTS[status](challenge.reference),
        challenge_reference=challenge.reference,
        challenge_title=challenge.title,
        status=status,
        note=note,
        challenge_url=link("challenges.detail", challenge_id=challenge.id),
    )


FIRST_ANSWER_WORKING_DAYS = 5


def working_days_since(moment: datetime | date, today: date) -> int:
    """Mondays to Fridays after `moment`'s day, up to and including `today`."""
    start = moment.date() if isinstance(moment, datetime) else moment
    if today <= start:
        return 0
    days = (today - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def waits_too_long(challenge: Challenge, today: date) -> bool:
    """Submitted, no first answer yet, and more than five working days since submission."""
    return (
        challenge.status is S.SUBMITTED
        and challenge.first_answer_at is None
        and challenge.submitted_at is not None
        and working_days_since(challenge.submitted_at, today) > FIRST_ANSWER_WORKING_DAYS
    )
