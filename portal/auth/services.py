"""Account use cases. Plain arguments in, domain objects out; services flush, callers commit.

Nothing here reads `request`, `flash` or `current_user`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from ..core import audit
from ..core.errors import DomainError
from ..core.mail import absolute_url, queue_email
from ..core.types import utcnow
from ..core.web import security_event
from ..extensions import db
from ..partners.models import Organisation
from . import tokens
from .models import Invitation, OrgRole, PlatformRole, User
from .passwords import hash_password, needs_rehash, password_problem, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_policy(password: str, *hints: str) -> None:
    problem = password_problem(password, [h for h in hints if h])
    if problem:
        raise DomainError(problem, field="password")


# --- sign-up and verification -------------------------------------------------------------


@dataclass(frozen=True)
class SignupData:
    legal_name: str
    country: str
    full_name: str
    job_title: str
    email: str
    password: str


def sign_up(data: SignupData) -> User | None:
    """Create the organisation and its owner, and send a verification email.

    If the address already has an account, nothing is created and the owner of that address is
    told by email instead: the visitor sees the same answer either way (no enumeration).
    """
    email = normalise_email(data.email)
    check_password_policy(data.password, data.email, data.full_name, data.legal_name)
    existing = find_user_by_email(email)
    if existing is not None:
        verify_password(None, data.password)  # same work as a real sign-up
        queue_email(
            existing.email,
            "Someone tried to sign up with your address",
            "signup_existing",
            user=existing,
            login_url=absolute_url(url_for("auth.login")),
            reset_url=absolute_url(url_for("auth.reset_request")),
        )
        security_event("signup_existing_email", user_id=existing.id)
        return None
    organisation = Organisation(legal_name=data.legal_name.strip(), country=data.country)
    user = User(
        email=email,
        full_name=data.full_name.strip(),
        job_title=data.job_title.strip(),
        password_hash=hash_password(data.password),
        platform_role=PlatformRole.PARTNER,
        organisation=organisation,
    )
    user.set_org_roles({OrgRole.OWNER, OrgRole.BILLING, OrgRole.SIGNATORY})
    db.session.add_all([organisation, user])
    db.session.flush()
    send_verification(user)
    audit.record("organisation.signed_up", actor=user, target=organisation)
    security_event("signup", user_id=user.id)
    return user


def send_verification(user: User) -> None:
    token = tokens.make_token("verify-email", {"uid": user.id, "email": user.email})
    queue_email(
        user.email,
        "Confirm your email address",
        "verify_email",
        user=user,
        verify_url=absolute_url(url_for("auth.verify_email", token=token)),
    )


def email_in_verify_token(token: str) -> str | None:
    data = tokens.read_token("verify-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    return data.get("email") if data else None


def verify_email(token: str) -> User:
    data = tokens.read_token("verify-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["uid"]) if data else None
    if user is None or user.email != data.get("email"):
        raise DomainError("This confirmation link is invalid or has expired.")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        security_event("email_verified", user_id=user.id)
    return user


# --- login -------------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User:
    """The user for these credentials, or DomainError with one message for every failure."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        security_event(
            "login_failed",
            user_id=getattr(user, "id", None),
            email_hash=tokens.sha256(normalise_email(email))[:12],
        )
        raise DomainError("Email or password is incorrect.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    security_event("login", user_id=user.id)


def logout_everywhere(user: User) -> None:
    """Ends every session of this user, remember-me cookies included."""
    user.end_all_sessions()
    security_event("logout", user_id=user.id)


# --- password reset ----------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        security_event("reset_requested_unknown", email_hash=tokens.sha256(normalise_email(email))[:12])
        return
    token = tokens.make_token(
        "reset-password", {"uid": user.id, "ph": tokens.fingerprint(user.password_hash)}
    )
    queue_email(
        user.email,
        "Reset your password",
        "reset_password",
        user=user,
        reset_url=absolute_url(url_for("auth.reset_password", token=token)),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
    security_event("reset_requested", user_id=user.id)


def user_for_reset_token(token: str) -> User | None:
    """Valid for at most an hour and only while the password is unchanged (single use)."""
    data = tokens.read_token("reset-password", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        return None
    if data.get("ph") != tokens.fingerprint(user.password_hash):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise DomainError("This reset link is invalid, expired or already used. Ask for a new one.")
    check_password_policy(new_password, user.email, user.full_name)
    _set_password(user, new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # they proved they read this mailbox
    audit.record("user.password_reset", actor=user, target=user)
    security_event("password_reset", user_id=user.id)
    return user


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.end_all_sessions()
    queue_email(
        user.email,
        "Your password was changed",
        "password_changed",
        user=user,
        reset_url=absolute_url(url_for("auth.reset_request")),
    )


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError("Your current password is not correct.", field="current_password")
    if current_password == new_password:
        raise DomainError("Choose a password different from the current one.", field="password")
    check_password_policy(new_password, user.email, user.full_name)
    _set_password(user, new_password)
    audit.record("user.password_changed", actor=user, target=user)
    security_event("password_changed", user_id=user.id)


# --- email change ------------------------------------------------------------------------


def request_email_change(user: User, new_email: str, current_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError("Your current password is not correct.", field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError("This is already your email address.", field="email")
    token = tokens.make_token("change-email", {"uid": user.id, "old": user.email, "new": new_email})
    # If the new address is taken we still answer the same; the link will then fail politely.
    queue_email(
        new_email,
        "Confirm your new email address",
        "email_change_confirm",
        user=user,
        confirm_url=absolute_url(url_for("auth.confirm_email_change", token=token)),
    )
    security_event("email_change_requested", user_id=user.id)


def confirm_email_change(token: str) -> User:
    data = tokens.read_token("change-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["uid"]) if data else None
    if user is None or user.email != data.get("old"):
        raise DomainError("This confirmation link is invalid, expired or already used.")
    if find_user_by_email(data["new"]) is not None:
        raise DomainError("That address now belongs to another account. Choose another address.")
    old = user.email
    user.email = data["new"]
    user.email_verified_at = utcnow()
    user.end_all_sessions()
    queue_email(
        old,
        "Your email address was changed",
        "email_changed",
        user=user,
        old_email=old,
        new_email=user.email,
    )
    audit.record("user.email_changed", actor=user, target=user, old=old, new=user.email)
    security_event("email_changed", user_id=user.id)
    return user


# --- invitations -------------------------------------------------------------------------


def seat_limit(organisation: Organisation) -> int | None:
    """How many people the organisation may have (from its membership tier); None is unlimited."""
    from ..membership.services import seat_limit as tier_seat_limit

    return tier_seat_limit(organisation)


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
    email = normalise_email(email)
    if not roles:
        raise DomainError("Choose at least one role.", field="roles")
    limit = seat_limit(organisation)
    if limit is not None and seats_used(organisation) >= limit:
        raise DomainError(
            f"Your membership includes {limit} seats and all are taken or invited. "
            "Remove a colleague or revoke an invitation first.",
            field="email",
        )
    existing_user = find_user_by_email(email)
    if existing_user is not None and existing_user.organisation_id == organisation.id:
        raise DomainError("This person is already a member of your organisation.", field="email")
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
        f"{actor.full_name} invited you to join {organisation.display_name}",
        "invitation",
        inviter=actor,
        organisation=organisation,
        roles=invitation.role_labels,
        accept_url=absolute_url(url_for("auth.accept_invitation", token=token)),
        days=current_app.config["INVITATION_DAYS"],
    )
    audit.record("invitation.sent", actor=actor, target=invitation, email=email, roles=invitation.roles)
    return invitation


def open_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == tokens.sha256(token)))
    if invitation is None or not invitation.is_open(utcnow()):
        raise DomainError(
            "This invitation is invalid, expired or already used. Ask your colleague to send a new one."
        )
    return invitation


def accept_invitation(token: str, full_name: str, job_title: str, password: str) -> User:
    invitation = open_invitation(token)
    if find_user_by_email(invitation.email) is not None:
        raise DomainError(
            "An account with this address already exists. Sign in with it, or ask for an "
            "invitation to another address."
        )
    check_password_policy(password, invitation.email, full_name)
    limit = seat_limit(invitation.organisation)
    if limit is not None and seats_used(invitation.organisation) > limit:
        raise DomainError("Your organisation has no free seat left. Ask its owner to free one.")
    user = User(
        email=invitation.email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        password_hash=hash_password(password),
        platform_role=PlatformRole.PARTNER,
        organisation_id=invitation.organisation_id,
        email_verified_at=utcnow(),  # the invitation reached this mailbox
    )
    user.set_org_roles({OrgRole(r) for r in invitation.roles})
    invitation.accepted_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("invitation.accepted", actor=user, target=invitation)
    security_event("invitation_accepted", user_id=user.id)
    return user


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise DomainError("This invitation was already accepted.")
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoked", actor=actor, target=invitation)


# --- roles and removal inside an organisation --------------------------------------------


def _owners(organisation_id: int) -> list[User]:
    return [
        u
        for u in db.session.scalars(
            sa.select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
        )
        if OrgRole.OWNER in u.org_roles
    ]


def change_roles(actor: User, member: User, roles: set[OrgRole]) -> None:
    if member.organisation_id != actor.organisation_id:
        raise DomainError("This person is not in your organisation.")
    if not roles:
        raise DomainError("Choose at least one role.", field="roles")
    owners = _owners(member.organisation_id)
    if OrgRole.OWNER not in roles and owners == [member]:
        raise DomainError("Your organisation needs at least one owner. Make someone else owner first.")
    before = sorted(r.value for r in member.org_roles)
    member.set_org_roles(roles)
    audit.record(
        "member.roles_changed",
        actor=actor,
        target=member,
        before=before,
        after=sorted(r.value for r in roles),
    )


def remove_member(actor: User, member: User) -> None:
    if member.organisation_id != actor.organisation_id:
        raise DomainError("This person is not in your organisation.")
    if member.id == actor.id:
        raise DomainError("You cannot remove yourself. Ask another owner to do it.")
    if OrgRole.OWNER in member.org_roles and len(_owners(member.organisation_id)) <= 1:
        raise DomainError("Your organisation needs at least one owner.")
    member.active = False
    member.end_all_sessions()
    audit.record("member.removed", actor=actor, target=member)
    security_event("member_removed", user_id=member.id, by=actor.id)


# --- staff actions on accounts -----------------------------------------------------------


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id:
        raise DomainError("You cannot deactivate your own account.")
    if user.is_staff and not actor.is_admin:
        raise DomainError("Only an admin can deactivate or reactivate a staff account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.end_all_sessions()
    audit.record("user.reactivated" if active else "user.deactivated", actor=actor, target=user)
    security_event("user_reactivated" if active else "user_deactivated", user_id=user.id, by=actor.id)


def create_staff(email: str, full_name: str, password: str, role: PlatformRole) -> User:
    if find_user_by_email(email) is not None:
        raise DomainError(f"An account for {normalise_email(email)} already exists.")
    check_password_policy(password, email, full_name)
    user = User(
        email=normalise_email(email),
        full_name=full_name,
        password_hash=hash_password(password),
        platform_role=role,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", target=user, role=role.value)
    return user
