"""The console's search box: one page of organisations, people, technologies, researchers and
challenges that contain the words, each linked; staff only; bounded queries whatever the data."""

from __future__ import annotations

from portal.catalog import services as catalog
from portal.catalog.models import Researcher

from ..challenges.helpers import entitled, submitted
from ..core.test_platform import count_queries
from ..support.browser import text
from ..support.factories import commit, make_organisation, make_staff, make_user


def test_one_box_finds_every_kind_and_links_to_it(app, ctx, browser):
    staff = make_staff()
    organisation = make_organisation(legal_name="Zephyrine Robotics GmbH")
    person = make_user(organisation, full_name="Ines Zephyrine")
    technology = catalog.create_technology(
        catalog.TechnologyData(title="Zephyrine gripper", benefit="Grips.")
    )
    from portal.extensions import db

    db.session.add(Researcher(name="Dr Zephyrine Moss", group="Soft robotics lab"))
    partner = entitled(legal_name="Other Co")
    challenge = submitted(partner, title="Zephyrine-grade handling of wafers")
    from portal.crm.services import pipeline

    prospect = pipeline.create_prospect(
        staff, pipeline.ProspectData(company="Zephyrine Drones Oy", country="FI")
    )
    commit()
    browser.login_staff(staff)
    page = text(browser.get("/admin/search?q=zephyrine"))
    for heading in (
        "Organisations",
        "People",
        "Technologies",
        "Researchers",
        "Prospects",
        "R&amp;D challenges",
    ):
        assert f">{heading}</h2>" in page
    assert f"/admin/organisations/{organisation.id}" in page and f"/admin/users/{person.id}" in page
    assert f"/admin/technologies/{technology.id}" in page and f"/admin/challenges/{challenge.id}" in page
    assert f"/admin/prospects/{prospect.id}" in page
    assert "Nothing in the console contains" in text(browser.get("/admin/search?q=nosuchthingatall"))
    assert browser.get("/admin/search?q=%25_").status_code == 200  # wildcards are literal


def test_the_search_costs_the_same_with_ten_times_the_data(app, ctx, browser):
    staff = make_staff()
    commit()
    browser.login_staff(staff)

    def grow(n):
        for i in range(n):
            make_organisation(legal_name=f"Bulk Widgets {i}")
        commit()

    grow(10)
    small = count_queries(app, lambda: browser.get("/admin/search?q=widgets"))
    grow(90)
    large = count_queries(app, lambda: browser.get("/admin/search?q=widgets"))
    assert large == small
    assert "All organisations containing" in text(browser.get("/admin/search?q=widgets"))
