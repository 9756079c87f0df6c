"""The vendored axe-core is the file recorded in tests/a11y/vendor/VERSION (scripts/vendor_axe.sh)."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor"


def test_the_vendored_axe_core_matches_its_recorded_version_and_sha256():
    version, checksum = (VENDOR / "VERSION").read_text(encoding="utf-8").splitlines()[:2]
    number = version.split()[1]
    source = (VENDOR / "axe.min.js").read_bytes()
    assert checksum.split()[1] == hashlib.sha256(source).hexdigest(), "run scripts/vendor_axe.sh"
    assert source.startswith(f"/*! axe v{number}".encode())
    assert "Mozilla Public" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
