"""Demo data for the innovation area: licensing."""

from __future__ import annotations


def seed(staff_users: list) -> int:
    """Creates the demo records once; returns how many were created."""
    return 0
