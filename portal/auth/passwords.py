"""Password hashing (Argon2id) and the password policy (length, common passwords; no composition rules)."""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()  # Argon2id with the library's current RFC 9106 low-memory profile

MIN_LENGTH = 12
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("a dummy password that nobody has")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists: unknown users check a dummy hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    """Why this password is refused, or None. NIST 800-63B style: length and guessability."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    inputs: list[str] = []
    for value in user_inputs or []:  # the person's and company's own words are easy guesses
        inputs.append(value.lower())
        inputs.extend(word for word in re.split(r"[^\w]+", value.lower()) if len(word) >= 3)
    result = zxcvbn(password[:72], user_inputs=inputs)  # zxcvbn reads at most 72
    if result["score"] < 3:
        return (
            "This password is too common or too easy to guess. Avoid names, dates, repeated "
            "characters and well-known passwords."
        )
    if inputs and _only_personal_words(password, inputs):
        return "This password is built from your name, email or company name. Choose other words."
    return None


def _only_personal_words(password: str, words: list[str]) -> bool:
    original = rest = password.lower()
    for word in sorted(set(words), key=len, reverse=True):
        rest = rest.replace(word, "")
    return rest != original and len(re.sub(r"[\W\d_]+", "", rest)) < 4
