"""Company tax identifiers: EU VAT numbers checked and written in their compact form (python-stdnum).
Used by the company profile and by the membership application, which prints them on invoices."""

from __future__ import annotations

from flask_babel import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

# VAT-number country prefixes differ from ISO codes for Greece (EL) and Northern Ireland (XI).
EU_COUNTRIES = {code.upper() for code in eu_vat.MEMBER_STATES} - {"XI"}


def is_eu(country: str) -> bool:
    return country.upper() in EU_COUNTRIES


def normalise_vat(number: str, country: str) -> str:
    """EU numbers in their compact form; other countries' tax numbers as typed, tidied."""
    if not number.strip():
        return ""
    if is_eu(country):
        try:
            return eu_vat.compact(number)
        except ValidationError:
            pass
    return " ".join(number.split()).upper()


def vat_problem(number: str, country: str) -> str | None:
    """Why this VAT number cannot be right for a company registered in `country`, or None."""
    number = number.strip()
    if not number:
        return _("Enter your VAT number: EU companies need one on their invoice.") if is_eu(country) else None
    if not is_eu(country):
        return None  # other countries' tax numbers vary too much to check here
    try:
        compact = eu_vat.validate(number)
    except ValidationError:
        return _("This is not a valid EU VAT number. It starts with the country code, like DE123456789.")
    prefix = compact[:2].upper()
    expected = "EL" if country.upper() == "GR" else country.upper()
    if prefix != expected:
        return _(
            "A company registered in %(country)s has a VAT number starting with %(prefix)s.",
            country=country.upper(),
            prefix=expected,
        )
    return None
