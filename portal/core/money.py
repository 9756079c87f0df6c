"""Money: integer cents plus an ISO 4217 currency code, never floats."""

from __future__ import annotations


def format_money(cents: int, currency: str) -> str:
    """`EUR 25,000.00` in English, `25 000,00 EUR` in French, `25.000,00 EUR` in German: the currency
    code, the reader's separators and two decimals (core.i18n.format_amount)."""
    from .i18n import format_amount

    return format_amount(cents, currency)
