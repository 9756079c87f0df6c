"""TOTP second factor (RFC 6238) and one-time recovery codes."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..core import audit
from ..core.errors import DomainError
from ..core.types import utcnow
from ..core.web import security_event
from ..extensions import db
from . import tokens
from .models import RecoveryCode, User
from .passwords import verify_password

RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["PORTAL_NAME"])


def qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_counter(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step this code belongs to (current one, or one step either side), or None."""
    code = code.replace(" ", "").strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for offset in (0, -1, 1):
        counter = totp.timecode(now) + offset
        if secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP after the user proved their app works; returns fresh recovery codes."""
    counter = _matching_counter(secret, code)
    if counter is None:
        raise DomainError(
            _("That code does not match. Check the time on your phone and try again."), field="code"
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_counter = counter
    codes = regenerate_recovery_codes(user)
    audit.record("user.2fa_enabled", actor=user, target=user)
    security_event("2fa_enabled", user_id=user.id)
    return codes


def disable(user: User, password: str) -> None:
    """Partners may turn the second factor off again, with their password; staff may not."""
    if user.is_staff:
        raise DomainError(_("Staff accounts keep two-factor authentication."))
    if not verify_password(user.password_hash, password):
        raise DomainError(_("Your password is not correct."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("user.2fa_disabled", actor=user, target=user)
    security_event("2fa_disabled", user_id=user.id)


def regenerate_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=tokens.sha256(c)) for c in codes)
    return codes


def verify(user: User, code: str) -> bool:
    """A TOTP code (each usable once) or an unused recovery code."""
    code = code.strip().lower()
    if user.totp_secret and (counter := _matching_counter(user.totp_secret, code)) is not None:
        if user.totp_last_counter is not None and counter <= user.totp_last_counter:
            security_event("2fa_replay", user_id=user.id)
            return False
        user.totp_last_counter = counter
        return True
    recovery = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == tokens.sha256(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is not None:
        recovery.used_at = utcnow()
        security_event("2fa_recovery_code_used", user_id=user.id)
        return True
    return False


def remaining_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
