"""Real names (issue 10, point 14): a signature name of one or two characters in any script is a
name; a name unlike the account's needs an explicit confirmation and is pointed out to staff."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementStatus
from portal.agreements.services.signing import same_name
from portal.extensions import db
from portal.membership import services as membership_services

from ..support.browser import Browser, location, text
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


def issued_agreement(app, full_name):
    organisation = make_organisation(legal_name="Names Ltd", country="CN")
    owner = make_partner(organisation=organisation, email="signer@names.example", full_name=full_name)
    officer = make_staff(email="officer@tto.example")
    admin = make_staff(admin=True, email="director@tto.example")
    with app_context(app):
        membership_services.approve_application(
            officer, make_application(organisation, make_tier(name="Partner", slug="partner")), officer
        )
    commit()
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    return owner, admin, agreement


def sign(app, owner, agreement, name, **extra):
    browser = Browser(app)
    browser.login(owner.email)
    form = {
        "full_name": name,
        "title": "CEO",
        "confirm": "y",
        "document_sha256": agreement.pdf_sha256,
        **extra,
    }
    return browser, browser.post(f"/agreements/{agreement.id}/sign", form)


@pytest.mark.parametrize("name", ["李", "Ng", "王五"])
def test_one_or_two_character_names_sign(app, ctx, name):
    owner, _admin, agreement = issued_agreement(app, name)
    _browser, response = sign(app, owner, agreement, name)
    assert location(response) == f"/agreements/{agreement.id}"
    db.session.expire_all()
    signed = db.session.get(Agreement, agreement.id)
    assert signed.status is AgreementStatus.PARTNER_SIGNED
    assert signed.signatures[0].full_name == name and not signed.signatures[0].name_differs


def test_a_name_unlike_the_accounts_needs_a_confirmation_and_is_flagged_for_staff(app, ctx):
    owner, admin, agreement = issued_agreement(app, "Clara Becker")
    _browser, refused = sign(app, owner, agreement, "Maria Schmidt")
    assert refused.status_code == 409
    page = text(refused)
    assert "This is not the name on your account (Clara Becker)" in page and 'name="other_name"' in page
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).status is AgreementStatus.ISSUED

    _browser, accepted = sign(app, owner, agreement, "Maria Schmidt", other_name="y")
    assert location(accepted) == f"/agreements/{agreement.id}"
    db.session.expire_all()
    signature = db.session.get(Agreement, agreement.id).signatures[0]
    assert signature.full_name == "Maria Schmidt" and signature.name_differs
    staff = Browser(app)
    staff.login_staff(admin)
    assert "data-name-differs" in text(staff.get(f"/admin/agreements/{agreement.id}"))


def test_spelling_differences_are_the_same_name():
    assert same_name("Clara Becker", "  clara   BECKER ")
    assert same_name("Zoë Lefèvre", "Zoe Lefevre")
    assert same_name("Becker, Clara", "Clara Becker")
    assert not same_name("Clara Becker", "Clara Becher")
