"""Money: integer cents plus an ISO 4217 currency code, never floats."""

from __future__ import annotations


def format_money(cents: int, currency: str) -> str:
    """`EUR 25,000.00`: the currency code, thousands separators and two decimals."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{currency} {cents // 100:,}.{cents % 100:02d}"
