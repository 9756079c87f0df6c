"""The conversation of a challenge: partner <-> staff messages, and staff-only internal notes.
An internal note is never shown or emailed to anyone but staff."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ..models import Challenge, ChallengeMessage, ChallengeStatus
from .workflow import partner_recipients

MAX_MESSAGE = 5000


def post_message(actor: User, challenge: Challenge, body: str, *, internal: bool = False) -> ChallengeMessage:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message first."), field="body")
    if challenge.status is ChallengeStatus.DRAFT:
        raise DomainError(_("Submit the challenge first: the conversation starts then."), field="body")
    staff = actor.is_staff
    if internal and not staff:
        raise DomainError(_("Only staff write internal notes."))
    message = ChallengeMessage(
        challenge=challenge,
        organisation_id=challenge.organisation_id,
        author_id=actor.id,
        body=body,
        internal=internal,
        from_staff=staff,
    )
    db.session.add(message)
    if staff and not internal and challenge.first_answer_at is None:
        challenge.first_answer_at = utcnow()
    audit.record(
        "challenge.note_added" if internal else "challenge.message_posted",
        actor=actor,
        target=challenge,
    )
    if not internal:
        if staff:
            notify(
                partner_recipients(challenge),
                "challenge_message",
                subject=_l("A new message about your challenge %(reference)s", reference=challenge.reference),
                challenge_reference=challenge.reference,
                challenge_title=challenge.title,
                author_name=actor.full_name,
                challenge_url=link("challenges.detail", challenge_id=challenge.id),
            )
        elif challenge.owner is not None:
            notify(
                [challenge.owner.email],
                "challenge_message_staff",
                subject=_l(
                    "%(organisation)s wrote about %(reference)s",
                    organisation=challenge.organisation.display_name,
                    reference=challenge.reference,
                ),
                challenge_reference=challenge.reference,
                organisation_name=challenge.organisation.display_name,
                challenge_url=link("admin.challenge_detail", challenge_id=challenge.id),
            )
    return message
