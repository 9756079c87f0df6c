"""Password hashing (Argon2id) and the password policy (length, common passwords; no composition rules)."""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from zxcvbn import zxcvbn

# Argon2id parameter sets, picked by the PASSWORD_HASH_PROFILE setting of the running app.
# "strong" is the library's current RFC 9106 low-memory profile and the only one for real accounts;
# "fast" (the tests' profile) costs microseconds and must never reach production (config.py refuses it).
PROFILES: dict[str, PasswordHasher] = {
    "strong": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
DEFAULT_PROFILE = "strong"

MIN_LENGTH = 12
MAX_LENGTH = 128


def _profile() -> str:
    """The app's profile; outside an app the strong one."""
    if not has_app_context():
        return DEFAULT_PROFILE
    name = current_app.config.get("PASSWORD_HASH_PROFILE") or DEFAULT_PROFILE
    if name not in PROFILES:
        raise RuntimeError(f"PASSWORD_HASH_PROFILE must be one of {', '.join(PROFILES)}, not {name!r}")
    return name


def _hasher() -> PasswordHasher:
    return PROFILES[_profile()]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@lru_cache(maxsize=len(PROFILES))
def _dummy_hash(profile: str) -> str:
    return PROFILES[profile].hash("a dummy password that nobody has")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists: unknown users check a dummy hash (made
    with the current profile, so it costs what a real account's check costs)."""
    profile = _profile()
    try:
        checked = password_hash or _dummy_hash(profile)
        return PROFILES[profile].verify(checked, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current profile's (for example a
    hash from before a parameter change): the login that proves the password replaces it."""
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    """Why this password is refused, or None. NIST 800-63B style: length and guessability."""
    if len(password) < MIN_LENGTH:
        return _(
            "Use at least %(count)s characters. A few unrelated words make a good password.", count=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)s characters.", count=MAX_LENGTH)
    inputs: list[str] = []
    for value in user_inputs or []:  # the person's and company's own words are easy guesses
        inputs.append(value.lower())
        inputs.extend(word for word in re.split(r"[^\w]+", value.lower()) if len(word) >= 3)
    result = zxcvbn(password[:72], user_inputs=inputs)  # zxcvbn reads at most 72
    if result["score"] < 3:
        return _(
            "This password is too common or too easy to guess. Avoid names, dates, repeated "
            "characters and well-known passwords."
        )
    if inputs and _only_personal_words(password, inputs):
        return _("This password is built from your name, email or company name. Choose other words.")
    return None


def _only_personal_words(password: str, words: list[str]) -> bool:
    original = rest = password.lower()
    for word in sorted(set(words), key=len, reverse=True):
        rest = rest.replace(word, "")
    return rest != original and len(re.sub(r"[\W\d_]+", "", rest)) < 4
