"""Seats and invitations: an owner invites colleagues with roles, within the tier's seats."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..auth import services as accounts
from ..auth import tokens
from ..auth.models import PlatformRole, User
from ..auth.passwords import hash_password
from ..core import audit, signals
from ..core.database import lock_for_update
from ..core.errors import DomainError
from ..core.links import link
from ..core.mail import queue_email
from ..core.models import AuditEvent
from ..core.templating import inert
from ..core.types import utcnow
from ..core.web import security_event
from ..extensions import db
from .models import Invitation, Organisation, OrgRole
from .services import set_roles

# --- seats -------------------------------------------------------------------------


def seat_limit(organisation: Organisation) -> int | None:
    """How many people the organisation may have (higher areas answer: the membership tier's
    limit); None is unlimited."""
    limits = signals.values(signals.partners.seat_limit, organisation)
    return min(limits) if limits else None


def seats_used(organisation: Organisation) -> int:
    now = utcnow()
    members = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.organisation_id == organisation.id, User.active.is_(True)
        )
    )
    pending = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    return int(members or 0) + int(pending or 0)


def invite(actor: User, organisation: Organisation, email: str, roles: set[OrgRole]) -> Invitation:
    email = accounts.normalise_email(email)
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    lock_for_update(organisation)  # simultaneous invitations count the seats one after the other
    limit = seat_limit(organisation)
    if limit is not None and seats_used(organisation) >= limit:
        raise DomainError(
            ngettext(
                "Your membership includes %(num)d seat and all are taken or invited. "
                "Remove a colleague or revoke an invitation first.",
                "Your membership includes %(num)d seats and all are taken or invited. "
                "Remove a colleague or revoke an invitation first.",
                limit,
            ),
            field="email",
        )
    existing_user = accounts.find_user_by_email(email)
    if existing_user is not None and existing_user.organisation_id == organisation.id:
        if existing_user.active:
            raise DomainError(_("This person is already a member of your organisation."), field="email")
        if not removed_by_organisation(existing_user):
            raise DomainError(
                _("This person's account was deactivated by the TTO staff; ask your contact at the TTO."),
                field="email",
            )
    now = utcnow()
    open_invites = db.session.scalars(
        sa.select(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ).all()
    for old in open_invites:  # a new invitation replaces the old link
        old.revoked_at = now
    token, token_hash = tokens.random_token()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        roles=sorted(r.value for r in roles),
        token_hash=token_hash,
        invited_by=actor,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_email(
        email,
        _l(
            "%(name)s invited you to join “%(organisation)s”",
            name=inert(actor.full_name),
            organisation=inert(organisation.display_name),
        ),
        "invitation",
        inviter=actor,
        organisation=organisation,
        roles=invitation.role_labels,
        accept_url=link("partners.accept_invitation", token=token),
        days=current_app.config["INVITATION_DAYS"],
    )
    audit.record("invitation.sent", actor=actor, target=invitation, email=email, roles=invitation.roles)
    return invitation


def open_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == tokens.sha256(token)))
    if invitation is None or not invitation.is_open(utcnow()):
        raise DomainError(
            _("This invitation is invalid, expired or already used. Ask your colleague to send a new one.")
        )
    return invitation


def removed_by_organisation(user: User) -> bool:
    """Was this inactive account last switched off by its organisation (an owner removed them), not
    by TTO staff? Only then may an owner's invitation bring it back."""
    last = db.session.scalar(
        sa.select(AuditEvent.action)
        .where(
            AuditEvent.target_type == "user",
            AuditEvent.target_id == user.id,
            AuditEvent.action.in_(["member.removed", "user.deactivated", "user.reactivated"]),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return last == "member.removed"


def accept_invitation(token: str, full_name: str, job_title: str, password: str) -> User:
    invitation = open_invitation(token)
    lock_for_update(invitation)  # simultaneous acceptances of one link: one wins, the others are told
    if not invitation.is_open(utcnow()):
        raise DomainError(_("This invitation was just used. Sign in, or ask your colleague for a new one."))
    existing = accounts.find_user_by_email(invitation.email)
    if (
        existing is not None
        and existing.organisation_id == invitation.organisation_id
        and not existing.active
        and removed_by_organisation(existing)
    ):
        return _welcome_back(existing, invitation, full_name, job_title, password)
    if existing is not None:
        raise DomainError(
            _(
                "An account with this address already exists. Sign in with it, or ask for an "
                "invitation to another address."
            )
        )
    accounts.check_password_policy(password, invitation.email, full_name)
    limit = seat_limit(invitation.organisation)
    if limit is not None and seats_used(invitation.organisation) > limit:
        raise DomainError(_("Your organisation has no free seat left. Ask its owner to free one."))
    user = User(
        email=invitation.email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        password_hash=hash_password(password),
        platform_role=PlatformRole.PARTNER,
        organisation_id=invitation.organisation_id,
        email_verified_at=utcnow(),  # the invitation reached this mailbox
    )
    set_roles(user, {OrgRole(r) for r in invitation.roles})
    invitation.accepted_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("invitation.accepted", actor=user, target=invitation)
    security_event("invitation_accepted", user_id=user.id)
    return user


def _welcome_back(user: User, invitation: Invitation, full_name: str, job_title: str, password: str) -> User:
    """A colleague the owner removed accepts a new invitation: the same account, active again, with
    the invitation's roles and the password chosen now (old sessions stay ended)."""
    accounts.check_password_policy(password, invitation.email, full_name)
    limit = seat_limit(invitation.organisation)
    if limit is not None and seats_used(invitation.organisation) > limit:
        raise DomainError(_("Your organisation has no free seat left. Ask its owner to free one."))
    user.active = True
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    user.password_hash = hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    user.end_all_sessions()
    set_roles(user, {OrgRole(r) for r in invitation.roles})
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record("invitation.accepted", actor=user, target=invitation, returning=True)
    security_event("invitation_accepted", user_id=user.id, returning=True)
    return user


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation was already accepted."))
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoked", actor=actor, target=invitation)


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )
