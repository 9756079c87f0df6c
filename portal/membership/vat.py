"""The VAT treatment of an invoice (EU B2B rules, simplified and documented)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..partners.vat import is_eu
from .models import VatTreatment


def treatment(buyer_country: str, buyer_vat: str, seller_country: str) -> VatTreatment:
    if buyer_country.upper() == seller_country.upper():
        return VatTreatment.DOMESTIC
    if not is_eu(buyer_country):
        return VatTreatment.OUTSIDE_EU
    if buyer_vat:
        return VatTreatment.REVERSE_CHARGE
    return VatTreatment.EU_CONSUMER


MENTIONS = {
    VatTreatment.DOMESTIC: "",
    VatTreatment.REVERSE_CHARGE: _l(
        "Reverse charge: VAT to be accounted for by the recipient "
        "(Article 196, Council Directive 2006/112/EC)."
    ),
    VatTreatment.OUTSIDE_EU: _l(
        "Service outside the scope of EU VAT (Article 44, Council Directive 2006/112/EC)."
    ),
    VatTreatment.EU_CONSUMER: "",
}


def charges_vat(kind: VatTreatment) -> bool:
    return kind in (VatTreatment.DOMESTIC, VatTreatment.EU_CONSUMER)
