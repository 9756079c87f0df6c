"""Plain factory functions with overrides. They add and flush; tests commit when they need to."""

from __future__ import annotations

import itertools
from functools import lru_cache

import pyotp
from flask import current_app

from portal.auth.models import PlatformRole, User
from portal.auth.passwords import PROFILES
from portal.core.types import utcnow
from portal.extensions import db
from portal.partners.models import Organisation, OrgRole
from portal.partners.services import set_roles

from .context import app_context

PASSWORD = "Vivid-otter-canal-42"
_seq = itertools.count(1)


def password_hash(password: str = PASSWORD) -> str:
    """The hash with the app's profile (the testing profile's is cheap), made once per password."""
    return _password_hash(password, current_app.config["PASSWORD_HASH_PROFILE"])


@lru_cache(maxsize=8)
def _password_hash(password: str, profile: str) -> str:
    return PROFILES[profile].hash(password)


def make_organisation(**overrides) -> Organisation:
    n = next(_seq)
    values = {"legal_name": f"Company {n} Ltd", "country": "DE"}
    values.update(overrides)
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(
    organisation: Organisation | None = None,
    roles: set[OrgRole] | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    **overrides,
) -> User:
    n = next(_seq)
    values = {
        "email": f"user{n}@example.com",
        "full_name": f"Person {n}",
        "job_title": "Engineer",
        "password_hash": password_hash(password),
        "platform_role": PlatformRole.PARTNER,
        "email_verified_at": utcnow() if verified else None,
    }
    values.update(overrides)
    user = User(**values)
    if organisation is not None:
        user.organisation = organisation
        set_roles(user, roles if roles is not None else {OrgRole.MEMBER})
    db.session.add(user)
    db.session.flush()
    return user


def make_partner(
    roles: set[OrgRole] | None = None, organisation: Organisation | None = None, **overrides
) -> User:
    organisation = organisation or make_organisation()
    return make_user(organisation, roles or {OrgRole.OWNER, OrgRole.BILLING, OrgRole.SIGNATORY}, **overrides)


def make_staff(admin: bool = False, with_totp: bool = True, **overrides) -> User:
    user = make_user(
        None,
        platform_role=PlatformRole.ADMIN if admin else PlatformRole.STAFF,
        **overrides,
    )
    if with_totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
    db.session.flush()
    return user


def commit() -> None:
    db.session.commit()


def make_tier(**overrides):
    from portal.membership.models import CatalogAccess, Tier

    n = next(_seq)
    values = {
        "name": f"Tier {n}",
        "slug": f"tier-{n}",
        "annual_fee_cents": 25_000_00,
        "benefits": ["Events", "Newsletter"],
        "catalog_access": CatalogAccess.DETAILS,
        "display_order": n,
    }
    values.update(overrides)
    tier = Tier(**values)
    db.session.add(tier)
    db.session.flush()
    return tier


def make_application(organisation, tier, **overrides):
    from portal.membership.models import Application

    values = {
        "organisation": organisation,
        "tier": tier,
        "signatory_name": "Clara Becker",
        "signatory_title": "Managing Director",
        "billing_name": "Jonas Weber",
        "billing_email": "billing@example.com",
        "billing_address": "Industriestraße 12\n80331 München",
        "vat_number": "",
    }
    values.update(overrides)
    application = Application(**values)
    db.session.add(application)
    db.session.flush()
    return application


def make_invoice(organisation, **overrides):
    """A stored invoice row (the PDF bytes are a stub with their hash; real PDFs come from the service)."""
    import hashlib
    from datetime import date, timedelta

    from portal.membership.models import Invoice, VatTreatment

    n = next(_seq)
    values = {
        "number": f"TEST-{n:05d}",
        "organisation_id": organisation.id,
        "issued_on": date.today(),
        "due_on": date.today() + timedelta(days=30),
        "description": "Membership",
        "currency": "EUR",
        "net_cents": 100_00,
        "total_cents": 100_00,
        "vat_treatment": VatTreatment.OUTSIDE_EU,
        "payment_reference": f"TEST-{n}",
        "buyer": {"name": organisation.legal_name},
        "seller": {"name": "Seller"},
        "pdf": b"%PDF-1.4 stub",
    }
    values.update(overrides)
    values.setdefault("pdf_sha256", hashlib.sha256(values["pdf"]).hexdigest() if values["pdf"] else None)
    invoice = Invoice(**values)
    db.session.add(invoice)
    db.session.flush()
    return invoice


def make_agreement(organisation, kind=None, status=None, **overrides):
    """A stored agreement row on the shipped template (stub PDF bytes with their real hash);
    real PDFs come from the service."""
    import hashlib

    from portal.agreements.models import Agreement, AgreementKind, AgreementStatus
    from portal.agreements.services import Terms, build_params
    from portal.agreements.templates import ensure_default_template

    kind = kind or AgreementKind.LICENCE
    n = next(_seq)
    terms = Terms(subject="Test technology", purpose="testing")
    pdf = f"%PDF-1.4 stub {n}".encode()
    values = {
        "number": f"TEST-{n:05d}",
        "organisation_id": organisation.id,
        "kind": kind,
        "template": ensure_default_template(kind),
        "title": kind.label,
        "status": status or AgreementStatus.ISSUED,
        "params": build_params(organisation, kind, f"TEST-{n:05d}", terms),
        "pdf": pdf,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "issued_at": utcnow(),
    }
    values.update(overrides)
    agreement = Agreement(**values)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def make_executed_partnership(organisation):
    """The organisation's partnership agreement, executed (stub PDFs): the access rule's condition."""
    import hashlib

    from portal.agreements.models import AgreementKind, AgreementStatus

    executed = f"%PDF-1.4 executed {organisation.id}".encode()
    return make_agreement(
        organisation,
        AgreementKind.PARTNERSHIP,
        AgreementStatus.EXECUTED,
        executed_at=utcnow(),
        executed_pdf=executed,
        executed_sha256=hashlib.sha256(executed).hexdigest(),
    )


def execute_partnership(organisation, signer=None, admin=None):
    """Sign and countersign the organisation's issued partnership agreement through the services
    (the executed PDF is left to `render_executed`, as after a real countersignature)."""
    import sqlalchemy as sa

    from portal.agreements.models import Agreement, AgreementKind, AgreementStatus

    agreement = db.session.scalar(
        sa.select(Agreement).where(
            Agreement.organisation_id == organisation.id,
            Agreement.kind == AgreementKind.PARTNERSHIP,
            Agreement.status == AgreementStatus.ISSUED,
        )
    )
    assert agreement is not None, "no issued partnership agreement"
    return sign_and_countersign(agreement, signer, admin)


def sign_and_countersign(agreement, signer=None, admin=None):
    """The partner's signatory signs, an admin countersigns (through the services), committed."""
    from flask import current_app

    from portal.agreements import services as agreements

    signer = signer or next(u for u in agreement.organisation.users if OrgRole.SIGNATORY in u.org_roles)
    admin = admin or make_staff(admin=True)
    with app_context(current_app._get_current_object()):
        for user, sign in ((signer, agreements.sign_as_partner), (admin, agreements.countersign)):
            sign(
                user,
                agreement,
                agreements.Evidence(
                    user.full_name, "Director", True, agreement.pdf_sha256, "192.0.2.1", "pytest"
                ),
            )
    commit()
    return agreement


# The membership application form as an owner fills it in.
APPLY = {
    "tier": "partner",
    "signatory_name": "Clara Becker",
    "signatory_title": "Managing Director",
    "billing_name": "Jonas Weber",
    "billing_email": "Billing@Acme.example",
    "registration_number": "HRB 98765",
    "address_line1": "Industriestraße 12",
    "postcode": "80331",
    "city": "München",
    "billing_address": "",
    "vat_number": "DE 136 695 976",
    "interests": "Machine vision for bin picking",
    "heard_from": "event",
}
