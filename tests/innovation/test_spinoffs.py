"""Spin-offs: founders from the directory, the licence link, equity and funding rounds with
messages for bad input, and the step that makes a spin-off a partner organisation (new, or the one
already registered under its name), once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.innovation.models.licensing import FundingRound, SpinOff, SpinOffStatus
from portal.innovation.services import spinoffs
from portal.partners.models import Organisation, OrganisationStatus

from ..support.browser import text
from ..support.factories import commit, make_organisation, make_staff
from .licensing_helpers import make_licence, make_researcher


def _spin_off(staff, **values) -> SpinOff:
    data = spinoffs.SpinOffData(
        name=values.pop("name", "Photon Forge GmbH"),
        founder_ids=values.pop("founder_ids", [make_researcher().id]),
        status=values.pop("status", SpinOffStatus.INCORPORATED),
        incorporated_on=values.pop("incorporated_on", date(2026, 3, 1)),
    )
    for key, value in values.items():
        setattr(data, key, value)
    return spinoffs.create_spin_off(staff, data)


def test_a_spin_off_becomes_a_new_partner_organisation_once(ctx):
    staff = make_staff()
    spin_off = _spin_off(staff)
    with pytest.raises(DomainError, match="country"):
        spinoffs.become_partner(staff, spin_off)
    organisation, created = spinoffs.become_partner(staff, spin_off, country="lu")
    again, created_again = spinoffs.become_partner(staff, spin_off, country="DE")
    assert created and not created_again and again.id == organisation.id
    assert (organisation.legal_name, organisation.country) == ("Photon Forge GmbH", "LU")
    assert organisation.status is OrganisationStatus.REGISTERED and organisation.account_owner_id == staff.id
    assert spin_off.organisation_id == organisation.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"spin_off.created", "organisation.created", "spin_off.partner_linked"} <= actions


def test_a_spin_off_already_registered_under_its_name_is_linked_not_duplicated(ctx):
    staff = make_staff()
    existing = make_organisation(legal_name="Photon Forge GmbH")
    spin_off = _spin_off(staff, name="  photon   forge gmbh ")
    organisation, created = spinoffs.become_partner(staff, spin_off, country="")
    assert not created and organisation.id == existing.id
    other = _spin_off(staff, name="Other Spin GmbH")
    with pytest.raises(DomainError, match="already linked"):
        spinoffs.become_partner(staff, other, organisation_id=existing.id)


def test_a_planned_spin_off_is_not_yet_a_partner(ctx):
    staff = make_staff()
    spin_off = _spin_off(staff, status=SpinOffStatus.PLANNED, incorporated_on=None)
    with pytest.raises(DomainError, match="incorporated"):
        spinoffs.become_partner(staff, spin_off, country="LU")


def test_the_console_makes_it_a_partner_and_shows_it(app, ctx, browser):
    staff = make_staff()
    spin_off = _spin_off(staff)
    commit()
    browser.login_staff(staff)
    refused = browser.post(f"/admin/spin-offs/{spin_off.id}/partner", {"country": "XX"})
    assert refused.status_code == 400 and "Choose the country" in text(refused)
    assert browser.post(f"/admin/spin-offs/{spin_off.id}/partner", {"country": "LU"}).status_code == 302
    page = text(browser.get(f"/admin/spin-offs/{spin_off.id}"))
    organisation = db.session.scalar(sa.select(Organisation))
    assert "The spin-off is the partner organisation" in page
    assert f'/admin/organisations/{organisation.id}">Photon Forge GmbH</a>' in page


def test_staff_record_a_spin_off_with_founders_a_licence_and_rounds(app, ctx, browser):
    staff = make_staff()
    founders = [make_researcher("Dr Ada"), make_researcher("Dr Ben")]
    licence = make_licence(staff, make_organisation())
    commit()
    browser.login_staff(staff)
    form = {
        "name": "Qubit Works SA",
        "founder_ids": [str(r.id) for r in founders],
        "incorporated_on": "2026-05-04",
        "licence_id": str(licence.id),
        "equity_percent": "12,5",
        "support": "Incubator",
        "status": "active",
    }
    assert browser.post("/admin/spin-offs/new", form).status_code == 302
    spin_off = db.session.scalar(sa.select(SpinOff).where(SpinOff.name == "Qubit Works SA"))
    assert spin_off.equity_percent == Decimal("12.5") and spin_off.technology_id == licence.technology_id
    assert {r.id for r in spin_off.founders} == {r.id for r in founders}
    response = browser.post(
        f"/admin/spin-offs/{spin_off.id}/rounds",
        {
            "closed_on": "2026-09-01",
            "round": "Seed",
            "amount": "1,200,000.00",
            "currency": "EUR",
            "investors": "VC",
        },
    )
    assert response.status_code == 302
    listed = text(browser.get("/admin/spin-offs"))
    assert "Qubit Works SA" in listed and "1 round" in listed
    detail = text(browser.get(f"/admin/spin-offs/{spin_off.id}"))
    assert "1,200,000.00" in detail and founders[0].name in detail
    funding = db.session.scalar(sa.select(FundingRound))
    assert funding.amount_cents == 120_000_000
    assert (
        browser.post(f"/admin/spin-offs/{spin_off.id}/rounds/remove", {"row_id": funding.id}).status_code
        == 302
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundingRound)) == 0


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("new", {"name": "X", "status": "planned", "equity_percent": "120"}, "between 0 and 100"),
        ("new", {"name": "X", "status": "planned", "equity_percent": "1.234"}, "at most 2 decimals"),
        ("new", {"name": "X", "status": "active"}, "Enter the incorporation date"),
        ("new", {"name": "", "status": "planned"}, "Enter the company"),
        (
            "rounds",
            {"closed_on": "2026-09-01", "round": "A", "amount": "1.000", "currency": "EUR"},
            "two amounts",
        ),
        (
            "rounds",
            {"closed_on": "2026-13-01", "round": "A", "amount": "10", "currency": "EUR"},
            "no month 13",
        ),
        (
            "rounds",
            {"closed_on": "2026-09-01", "round": "A", "amount": "-10", "currency": "EUR"},
            "zero or more",
        ),
    ],
)
def test_bad_spin_off_input_gets_a_message_not_a_500(app, ctx, browser, path, form, message):
    staff = make_staff()
    spin_off = _spin_off(staff)
    commit()
    browser.login_staff(staff)
    url = "/admin/spin-offs/new" if path == "new" else f"/admin/spin-offs/{spin_off.id}/{path}"
    response = browser.post(url, form)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpinOff)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundingRound)) == 0
