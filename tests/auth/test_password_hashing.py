"""Password hashes: production uses the strong Argon2id parameters, the tests a cheap profile whose
hashes are still real Argon2id hashes that verify (and are upgraded when the profile changes)."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

from config import ProductionConfig, TestingConfig
from portal import create_app
from portal.auth.passwords import hash_password, needs_rehash, verify_password

PRODUCTION = {
    "SECRET_KEY": "x" * 48,
    "DATABASE_URL": "sqlite://",
    "BASE_URL": "https://p.example",
    "MAIL_BACKEND": "smtp",
    "RATELIMIT_SINGLE_PROCESS": True,  # one process in a test
}
PREFIX = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
PASSWORD = "Vivid-otter-canal-42"


def parameters(password_hash: str) -> tuple[int, int, int]:
    match = PREFIX.match(password_hash)
    assert match, password_hash
    memory, time_cost, parallelism = (int(group) for group in match.groups())
    return memory, time_cost, parallelism


def test_production_hashes_with_the_strong_parameters():
    assert ProductionConfig.PASSWORD_HASH_PROFILE == "strong"
    app = create_app("production", PRODUCTION)
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        assert verify_password(password_hash, PASSWORD)
        assert not verify_password(password_hash, PASSWORD + "x")
        assert not needs_rehash(password_hash)
    strong = PasswordHasher()  # the library's RFC 9106 low-memory profile
    assert parameters(password_hash) == (strong.memory_cost, strong.time_cost, strong.parallelism)
    assert parameters(password_hash) == (65536, 3, 4)


def test_outside_an_app_the_strong_parameters_are_used():
    assert parameters(hash_password(PASSWORD)) == (65536, 3, 4)


def test_production_refuses_the_fast_profile():
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
        create_app("production", {**PRODUCTION, "PASSWORD_HASH_PROFILE": "fast"})


def test_a_fast_hash_verifies_and_production_upgrades_it(app):
    assert TestingConfig.PASSWORD_HASH_PROFILE == "fast"
    with app.app_context():
        fast = hash_password(PASSWORD)
        assert parameters(fast) == (8, 1, 1)
        assert verify_password(fast, PASSWORD) and not verify_password(fast, "Vivid-otter-canal-43")
        assert not needs_rehash(fast)
        assert verify_password(None, PASSWORD) is False  # unknown account: the dummy hash, refused
    production = create_app("production", PRODUCTION)
    with production.app_context():
        assert verify_password(fast, PASSWORD)  # the parameters travel with the hash
        assert needs_rehash(fast)  # and the next login replaces it with a strong one
        assert verify_password(None, PASSWORD) is False


def test_an_unknown_profile_is_an_error(app):
    with app.app_context():
        saved = app.config["PASSWORD_HASH_PROFILE"]
        app.config["PASSWORD_HASH_PROFILE"] = "medium"
        try:
            with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
                hash_password(PASSWORD)
        finally:
            app.config["PASSWORD_HASH_PROFILE"] = saved
