"""The per-account sign-in limit: five failed attempts per 15 minutes for one account, whatever the
address they come from, so that guessing one account's password is slow.

It must not become a way to lock the owner out, so it counts per account *and per password*: the key
carries a fingerprint of the account's current password hash, and a fresh reset (which proves the
mailbox) starts a new count at once. While the count is spent, a correct password together with a
valid second-factor code still signs in (a guesser who has neither learns nothing: every failure
gives the same answer), with five such attempts per 15 minutes.
"""

from __future__ import annotations

import time

from limits import parse

from ..extensions import limiter
from . import tokens
from .services import find_user_by_email, normalise_email

FAILED_PASSWORDS = parse("5 per 15 minutes")
LOCKED_ATTEMPTS = parse("5 per 15 minutes")


def account_key(email: str) -> str:
    user = find_user_by_email(email)
    stamp = tokens.fingerprint(user.password_hash) if user is not None and user.password_hash else "-"
    return f"account:{normalise_email(email)[:254]}:{stamp}"


def _seconds_left(item, key: str) -> int:
    reset_at = limiter.limiter.get_window_stats(item, key).reset_time
    return max(1, int(reset_at - time.time()))


def locked_for(key: str) -> int:
    """Seconds until this account takes passwords alone again; 0 when it does now."""
    if not limiter.enabled or limiter.limiter.test(FAILED_PASSWORDS, key):
        return 0
    return _seconds_left(FAILED_PASSWORDS, key)


def count_failed_password(key: str) -> None:
    if limiter.enabled:
        limiter.limiter.hit(FAILED_PASSWORDS, key)


def take_locked_attempt(key: str) -> bool:
    """One password-and-code attempt while locked; False once those are spent too."""
    return not limiter.enabled or limiter.limiter.hit(LOCKED_ATTEMPTS, "locked:" + key)
