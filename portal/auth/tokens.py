"""Signed, expiring tokens for email links (verification, reset, email change)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"liaison.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    """The payload, or None when the token is forged, for another purpose, or expired."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def fingerprint(value: str) -> str:
    """A short digest binding a token to a value (the current password hash, for single use)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def random_token() -> tuple[str, str]:
    """A random URL token and the SHA-256 we store instead of it."""
    token = secrets.token_urlsafe(32)
    return token, sha256(token)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
