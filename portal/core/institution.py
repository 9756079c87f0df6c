"""The institution as a party: seller on invoices, counterparty on agreements (from the config)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from .countries import country_name


def seller_details() -> dict[str, Any]:
    """The institution's legal and bank details as plain values (snapshotted on each invoice)."""
    cfg = current_app.config
    return {
        "name": cfg["SELLER_NAME"],
        "address": cfg["SELLER_ADDRESS"].replace("\\n", "\n"),
        "country": cfg["SELLER_COUNTRY"],
        "country_name": country_name(cfg["SELLER_COUNTRY"]),
        "vat_number": cfg["SELLER_VAT_NUMBER"],
        "registration": cfg["SELLER_REGISTRATION"],
        "bank_name": cfg["BANK_NAME"],
        "iban": cfg["BANK_IBAN"],
        "bic": cfg["BANK_BIC"],
        "contact": cfg["CONTACT_EMAIL"],
    }


def agreement_party() -> dict[str, Any]:
    """The institution as it appears on an agreement (snapshotted into the agreement's parameters)."""
    cfg = current_app.config
    seller = seller_details()
    return {
        "name": seller["name"],
        "address": seller["address"],
        "country": seller["country_name"],
        "registration": seller["registration"],
        "vat_number": seller["vat_number"],
        "signatory_name": cfg["AGREEMENT_SIGNATORY_NAME"],
        "signatory_title": cfg["AGREEMENT_SIGNATORY_TITLE"],
        "contact": seller["contact"],
        "programme": cfg["PROGRAMME_NAME"],
    }
