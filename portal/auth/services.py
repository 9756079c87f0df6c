"""Account use cases. Plain arguments in, domain objects out; services flush, callers commit.

Nothing here reads `request`, `flash` or `current_user`.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import audit
from ..core.errors import DomainError
from ..core.links import link
from ..core.mail import queue_email
from ..core.types import utcnow
from ..core.web import security_event
from ..extensions import db
from . import tokens
from .models import PlatformRole, User
from .passwords import hash_password, needs_rehash, password_problem, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_policy(password: str, *hints: str) -> None:
    problem = password_problem(password, [h for h in hints if h])
    if problem:
        raise DomainError(problem, field="password")


# --- email verification -------------------------------------------------------------


def send_verification(user: User, then: str | None = None) -> None:
    """The confirmation link; `then` (a path on this site, e.g. the application for the tier the
    company chose) is where confirming leads, carried inside the signed token."""
    payload: dict = {"uid": user.id, "email": user.email}
    if then:
        payload["then"] = then
    token = tokens.make_token("verify-email", payload)
    queue_email(
        user.email,
        _l("Confirm your email address"),
        "verify_email",
        user=user,
        verify_url=link("auth.verify_email", token=token),
    )


def email_in_verify_token(token: str) -> str | None:
    data = tokens.read_token("verify-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    return data.get("email") if data else None


def next_in_verify_token(token: str) -> str | None:
    data = tokens.read_token("verify-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    return data.get("then") if data else None


def verify_email(token: str) -> User:
    data = tokens.read_token("verify-email", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["uid"]) if data else None
    if user is None or user.email != data.get("email"):
        raise DomainError(_("This confirmation link is invalid or has expired."))
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
        raise DomainError(_("Email or password is incorrect."))
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
        "reset-password",
        {"uid": user.id, "ph": tokens.fingerprint(user.password_hash), "em": tokens.fingerprint(user.email)},
    )
    queue_email(
        user.email,
        _l("Reset your password"),
        "reset_password",
        user=user,
        reset_url=link("auth.reset_password", token=token),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
    security_event("reset_requested", user_id=user.id)


def user_for_reset_token(token: str) -> User | None:
    """Valid for at most an hour, only while the password is unchanged (single use) and only for the
    address it was sent to (an email change voids it)."""
    data = tokens.read_token("reset-password", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        return None
    if data.get("ph") != tokens.fingerprint(user.password_hash):
        return None
    if data.get("em") != tokens.fingerprint(user.email):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise DomainError(_("This reset link is invalid, expired or already used. Ask for a new one."))
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
        _l("Your password was changed"),
        "password_changed",
        user=user,
        reset_url=link("auth.reset_request"),
    )


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("Your current password is not correct."), field="current_password")
    if current_password == new_password:
        raise DomainError(_("Choose a password different from the current one."), field="password")
    check_password_policy(new_password, user.email, user.full_name)
    _set_password(user, new_password)
    audit.record("user.password_changed", actor=user, target=user)
    security_event("password_changed", user_id=user.id)


# --- email change ------------------------------------------------------------------------


def _account_state(user: User) -> dict[str, object]:
    """What an email-change link is bound to: the session version (logout everywhere, password
    change, reset and removal bump it) and the password, so ending an intrusion voids the link."""
    return {"sv": user.session_version, "ph": tokens.fingerprint(user.password_hash)}


def request_email_change(user: User, new_email: str, current_password: str) -> None:
    """Mail a one-hour confirmation link to the new address, and tell the current address at once,
    with a link that cancels the change (and signs out every session)."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("Your current password is not correct."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(_("This is already your email address."), field="email")
    state = _account_state(user)
    token = tokens.make_token("change-email", {"uid": user.id, "old": user.email, "new": new_email, **state})
    # If the new address is taken we still answer the same; the link will then fail politely.
    queue_email(
        new_email,
        _l("Confirm your new email address"),
        "email_change_confirm",
        user=user,
        confirm_url=link("auth.confirm_email_change", token=token),
        minutes=current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"] // 60,
    )
    cancel = tokens.make_token("cancel-email-change", {"uid": user.id, "sv": state["sv"]})
    queue_email(
        user.email,
        _l("Someone asked to change your email address"),
        "email_change_requested",
        user=user,
        new_email=new_email,
        cancel_url=link("auth.cancel_email_change", token=cancel),
    )
    security_event("email_change_requested", user_id=user.id)


def confirm_email_change(token: str) -> User:
    data = tokens.read_token("change-email", token, current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if data else None
    if (
        user is None
        or user.email != data.get("old")
        or {key: data.get(key) for key in ("sv", "ph")} != _account_state(user)
    ):
        raise DomainError(_("This confirmation link is invalid, expired or already used."))
    if find_user_by_email(data["new"]) is not None:
        raise DomainError(_("That address now belongs to another account. Choose another address."))
    old = user.email
    user.email = data["new"]
    user.email_verified_at = utcnow()
    user.end_all_sessions()
    queue_email(
        old,
        _l("Your email address was changed"),
        "email_changed",
        user=user,
        old_email=old,
        new_email=user.email,
    )
    audit.record("user.email_changed", actor=user, target=user, old=old, new=user.email)
    security_event("email_changed", user_id=user.id)
    return user


def cancel_email_change(token: str) -> User:
    """The current address refuses a change it did not ask for: the pending link dies and every
    session (the intruder's too) is signed out."""
    data = tokens.read_token("cancel-email-change", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if data else None
    if user is None or data.get("sv") != user.session_version:
        raise DomainError(_("This link is invalid or was already used; it changed nothing."))
    user.end_all_sessions()
    audit.record("user.email_change_cancelled", actor=user, target=user)
    security_event("email_change_cancelled", user_id=user.id)
    return user


# --- staff actions on accounts -----------------------------------------------------------


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id:
        raise DomainError(_("You cannot deactivate your own account."))
    if user.is_staff and not actor.is_admin:
        raise DomainError(_("Only an admin can deactivate or reactivate a staff account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        user.end_all_sessions()
    audit.record("user.reactivated" if active else "user.deactivated", actor=actor, target=user)
    security_event("user_reactivated" if active else "user_deactivated", user_id=user.id, by=actor.id)


def create_staff(email: str, full_name: str, password: str, role: PlatformRole) -> User:
    if find_user_by_email(email) is not None:
        raise DomainError(_("An account for %(email)s already exists.", email=normalise_email(email)))
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
