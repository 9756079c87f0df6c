"""Issue 9, points 8 and 9: a NUL byte in any text input, and integers out of the database's range,
are refused in one place each (400 with a message; 404 for ids; a field error on forms), never 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.membership.models import Tier

from ..support.browser import Browser, text
from ..support.factories import commit, make_staff

HUGE = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    "path",
    ["/admin/users/{}", "/admin/organisations/{}", "/admin/invoices/{}", "/agreements/{}", "/admin/tiers/{}"],
)
def test_ids_out_of_range_are_404(app, ctx, path, value):
    staff = make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    assert browser.get(path.format(value)).status_code == 404


@pytest.mark.parametrize("value", ["99999999999999999999", "-5", "0", "abc"])
def test_a_huge_or_odd_page_number_shows_a_page(app, ctx, value):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    for path in (
        "/admin/users",
        "/admin/audit",
        "/admin/invoices",
        "/admin/agreements",
        "/admin/organisations",
    ):
        assert browser.get(f"{path}?page={value}").status_code == 200, path


def test_a_huge_account_owner_id_is_refused_with_a_message(app, ctx):
    from ..support.factories import make_organisation

    staff = make_staff()
    organisation = make_organisation()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    response = browser.post(
        f"/admin/organisations/{organisation.id}/account-owner", {"account_owner_id": str(2**63)}
    )
    assert response.status_code in (302, 400)
    assert browser.get(f"/admin/organisations/{organisation.id}").status_code == 200


def test_huge_tier_numbers_are_a_field_error(app, ctx):
    admin = make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(admin)
    form = {
        "name": "Huge",
        "slug": "huge",
        "annual_fee": "100",
        "catalog_access": "teaser",
        "seat_limit": str(2**40),
        "challenge_limit": "3",
        "first_look_days": "0",
        "display_order": str(2**63),
    }
    response = browser.post("/admin/tiers/new", form)
    assert response.status_code == 200  # the form again (as for every refused tier form), not a 500
    # next to the seat limit and the display order, and in the summary above the form
    assert text(response).count("Enter a smaller number") == 4
    assert db.session.scalar(sa.select(Tier).where(Tier.slug == "huge")) is None


@pytest.mark.parametrize(
    ("path", "field"),
    [("/signup", "legal_name"), ("/login", "email"), ("/reset-password", "email"), ("/verify", "number")],
)
def test_a_nul_byte_in_a_form_is_refused_with_a_message(app, ctx, path, field):
    response = Browser(app).post(path, {field: "Acme\x00Robotics", "password": "x"})
    assert response.status_code == 400
    assert "character that is not allowed" in text(response)


def test_a_nul_byte_in_a_query_parameter_is_refused(app, ctx):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    response = browser.get("/admin/users?q=a%00b")
    assert response.status_code == 400
    assert "character that is not allowed" in text(response)
