"""Who may see which challenge, and how much of it.

- The organisation's users (with partner access) and staff: the whole challenge; internal notes
  for staff only.
- A researcher (platform role `researcher`, linked to a directory entry): a challenge shared with
  them while its confidentiality is "named researchers" (everything the partner wrote, never the
  conversation, internal notes, proposals or other answers); an open call as its teaser only
  (`OpenCall`: the anonymised company, staff's call summary, domain, target TRL, collaboration).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...auth.models import User
from ...catalog.models import Domain, Researcher
from ...extensions import db
from ...membership import services as membership
from ...partners.models import Organisation
from ..models import (
    Challenge,
    ChallengeShare,
    ChallengeStatus,
    Collaboration,
    Confidentiality,
    ResearcherAnswer,
)

SHARED_STATUSES = (
    ChallengeStatus.SUBMITTED,
    ChallengeStatus.SCREENING,
    ChallengeStatus.MATCHING,
    ChallengeStatus.PROPOSAL,
    ChallengeStatus.IN_PROJECT,
)
CALL_STATUSES = (ChallengeStatus.SCREENING, ChallengeStatus.MATCHING, ChallengeStatus.PROPOSAL)


def partner_may_use(organisation: Organisation | None) -> bool:
    """Challenges are a partner benefit: an active membership (membership.has_partner_access)."""
    if organisation is None:
        return False
    current = membership.membership_of(organisation)
    return current is not None and membership.has_partner_access(organisation, membership=current)


def researcher_of(user: User) -> Researcher | None:
    if not getattr(user, "is_researcher", False):
        return None
    return db.session.scalar(sa.select(Researcher).where(Researcher.user_id == user.id))


@dataclass(frozen=True)
class OpenCall:
    """What a researcher sees of an open call: nothing the partner wrote, nothing that names them."""

    id: int
    reference: str
    teaser: str
    summary: str
    domain: Domain | None
    target_trl: int | None
    collaboration: Collaboration | None
    status: ChallengeStatus

    @classmethod
    def of(cls, challenge: Challenge) -> OpenCall:
        return cls(
            challenge.id,
            challenge.reference,
            challenge.teaser,
            challenge.call_summary,
            challenge.domain,
            challenge.target_trl,
            challenge.collaboration,
            challenge.status,
        )


def _shared_filter(researcher_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        Challenge.confidentiality == Confidentiality.NAMED_RESEARCHERS,
        Challenge.status.in_(SHARED_STATUSES),
        Challenge.id.in_(
            sa.select(ChallengeShare.challenge_id).where(ChallengeShare.researcher_id == researcher_id)
        ),
    )


def _call_filter() -> sa.ColumnElement[bool]:
    return sa.and_(
        Challenge.confidentiality == Confidentiality.OPEN_CALL, Challenge.status.in_(CALL_STATUSES)
    )


def shared_with(researcher: Researcher) -> list[Challenge]:
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(_shared_filter(researcher.id))
            .options(selectinload(Challenge.domain))
            .order_by(Challenge.submitted_at.desc(), Challenge.id.desc())
        )
    )


def open_calls() -> list[OpenCall]:
    rows = db.session.scalars(
        sa.select(Challenge)
        .where(_call_filter())
        .options(selectinload(Challenge.domain))
        .order_by(Challenge.submitted_at.desc(), Challenge.id.desc())
    )
    return [OpenCall.of(c) for c in rows]


def for_researcher(researcher: Researcher, challenge_id: int) -> tuple[Challenge | None, OpenCall | None]:
    """(the challenge, None) when it is shared with them, (None, its teaser) for an open call,
    (None, None) otherwise: the caller answers 404."""
    challenge = db.session.scalar(
        sa.select(Challenge)
        .where(Challenge.id == challenge_id, sa.or_(_shared_filter(researcher.id), _call_filter()))
        .options(selectinload(Challenge.domain))
    )
    if challenge is None:
        return None, None
    if challenge.confidentiality is Confidentiality.OPEN_CALL:
        return None, OpenCall.of(challenge)
    return challenge, None


def answer_of(researcher: Researcher, challenge_id: int) -> ResearcherAnswer | None:
    return db.session.scalar(
        sa.select(ResearcherAnswer).where(
            ResearcherAnswer.challenge_id == challenge_id, ResearcherAnswer.researcher_id == researcher.id
        )
    )


def answers_by_challenge(researcher: Researcher) -> dict[int, ResearcherAnswer]:
    rows = db.session.scalars(
        sa.select(ResearcherAnswer).where(ResearcherAnswer.researcher_id == researcher.id)
    )
    return {a.challenge_id: a for a in rows}
