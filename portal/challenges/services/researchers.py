"""Researchers in the loop: staff invite a directory entry to a portal account, share challenges
with researchers or open them as anonymised calls; researchers answer "I can help"."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...auth import tokens
from ...auth.models import PlatformRole, User
from ...auth.passwords import hash_password
from ...auth.services import find_user_by_email, normalise_email
from ...catalog.models import Researcher
from ...core import audit
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ..models import Challenge, ChallengeShare, ChallengeStatus, Confidentiality, ResearcherAnswer
from . import access


def invite_researcher(actor: User, researcher: Researcher) -> User:
    """A `researcher` account for a directory entry, linked to it, with an emailed link to choose
    a password (the reset-password token: single use, bound to the password, short-lived)."""
    if researcher.user_id is not None:
        raise DomainError(_("This researcher already has a portal account."))
    email = normalise_email(researcher.email or "")
    if not email or "@" not in email:
        raise DomainError(_("Add the researcher's email address to their directory entry first."))
    user = find_user_by_email(email)
    if user is not None and not user.is_researcher:
        raise DomainError(
            _("%(email)s already has a portal account of another kind; use another address.", email=email)
        )
    if user is None:
        user = User(
            email=email,
            full_name=researcher.name[:120],
            password_hash=hash_password(secrets.token_urlsafe(32)),
            platform_role=PlatformRole.RESEARCHER,
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        audit.record("user.created", actor=actor, target=user, role=PlatformRole.RESEARCHER.value)
    researcher.user_id = user.id
    audit.record("researcher.invited", actor=actor, target=researcher, user_id=user.id)
    token = tokens.make_token(
        "reset-password",
        {"uid": user.id, "ph": tokens.fingerprint(user.password_hash), "em": tokens.fingerprint(user.email)},
    )
    notify(
        [user.email],
        "researcher_invited",
        subject=_l("Your researcher account on the partner portal"),
        user=user,
        set_password_url=link("auth.reset_password", token=token),
        reset_url=link("auth.reset_request"),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
    return user


def set_confidentiality(
    actor: User, challenge: Challenge, confidentiality: Confidentiality, teaser: str, call_summary: str
) -> None:
    teaser, call_summary = teaser.strip(), call_summary.strip()
    if confidentiality is Confidentiality.OPEN_CALL and not (teaser and call_summary):
        raise DomainError(
            _("An open call needs the anonymised teaser and a call summary that names no company."),
            field="call_summary",
        )
    old = challenge.confidentiality
    challenge.confidentiality = confidentiality
    challenge.teaser = teaser
    challenge.call_summary = call_summary
    audit.record(
        "challenge.confidentiality_changed",
        actor=actor,
        target=challenge,
        old=old.value,
        new=confidentiality.value,
    )


def share(actor: User, challenge: Challenge, researcher: Researcher) -> ChallengeShare:
    if challenge.status is ChallengeStatus.DRAFT:
        raise DomainError(_("A draft is not shared: wait until the partner submits it."))
    if any(s.researcher_id == researcher.id for s in challenge.shares):
        raise DomainError(_("Already shared with %(name)s.", name=researcher.name))
    entry = ChallengeShare(challenge=challenge, researcher=researcher, shared_by_id=actor.id)
    db.session.add(entry)
    if challenge.confidentiality is Confidentiality.TTO_ONLY:
        challenge.confidentiality = Confidentiality.NAMED_RESEARCHERS
    db.session.flush()
    audit.record("challenge.shared", actor=actor, target=challenge, researcher_id=researcher.id)
    if researcher.user_id is not None:
        user = db.session.get(User, researcher.user_id)
        if user is not None and user.active:
            notify(
                [user.email],
                "challenge_shared",
                subject=_l(
                    "A company challenge was shared with you (%(reference)s)", reference=challenge.reference
                ),
                challenge_reference=challenge.reference,
                research_url=link("challenges.research_detail", challenge_id=challenge.id),
            )
    return entry


def unshare(actor: User, challenge: Challenge, share_id: int) -> None:
    entry = next((s for s in challenge.shares if s.id == share_id), None)
    if entry is None:
        raise DomainError(_("This share does not exist."))
    challenge.shares.remove(entry)
    audit.record("challenge.unshared", actor=actor, target=challenge, researcher_id=entry.researcher_id)


def answer(
    user: User, researcher: Researcher, challenge_id: int, note: str, expertise: str
) -> ResearcherAnswer:
    """A researcher's "I can help" (one per challenge; a second one replaces the first)."""
    shared, call = access.for_researcher(researcher, challenge_id)
    if shared is None and call is None:
        raise DomainError(_("This challenge is not open to you."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say in a few words how you could help."), field="note")
    existing = access.answer_of(researcher, challenge_id)
    if existing is None:
        existing = ResearcherAnswer(challenge_id=challenge_id, researcher_id=researcher.id, user_id=user.id)
        db.session.add(existing)
    existing.note = note
    existing.expertise = (expertise or "").strip()
    db.session.flush()
    audit.record("challenge.researcher_answered", actor=user, target=existing, challenge_id=challenge_id)
    return existing


def researchers_for_console() -> list[tuple[Researcher, User | None]]:
    rows = db.session.execute(
        sa.select(Researcher, User).outerjoin(User, User.id == Researcher.user_id).order_by(Researcher.name)
    ).all()
    return [(r, u) for r, u in rows]
