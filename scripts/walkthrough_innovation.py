#!/usr/bin/env python3
"""Walk from an invention disclosure to a licence, with screenshots (issue 14's acceptance journey).

A researcher (Aiko Yamamoto) discloses an invention with a co-inventor (Lukas Brandt): shares that
do not add up to 100 % are refused, then it is submitted; the co-inventor confirms his share. Staff
assess it (file a patent), record the patent family and its priority application, and the priority
year's deadline appears on the IP calendar. Staff make the catalog listing from the disclosure and
publish it. Acme's owner expresses licensing interest; staff turn the lead into a term sheet and
issue it; Acme's signatory signs; an admin countersigns; staff record the licence from the executed
term sheet; the licence's lineage page shows the whole chain back to the disclosure.

    .venv/bin/python scripts/walkthrough_innovation.py      # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_innovation.py --axe --out /tmp/shots   # as a11y_check.sh

Starts its own development server on a fresh SQLite database with the demo data, stops it at the end;
the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import date, timedelta

from playwright.sync_api import Browser
from walkthrough_catalog import PARTNER, Walkthrough, main
from walkthrough_kit import PHONE, StepFailed
from walkthrough_membership import STAFF_EMAIL

TITLE = "Self-calibrating UWB anchors for metal-rich warehouses"
INVENTOR, CO_INVENTOR = "Aiko Yamamoto", "Lukas Brandt"
FAMILY = "PF-2026-WALK"


class InnovationWalkthrough(Walkthrough):
    prefix = "innovation"

    def email_of(self, researcher: str) -> str:
        with sqlite3.connect(self.server.db_path) as db:
            row = db.execute(
                "SELECT u.email FROM researcher r JOIN user u ON u.id = r.user_id WHERE r.name = ?",
                (researcher,),
            ).fetchone()
        if row is None:
            raise StepFailed(f"the demo data has no researcher account for {researcher}")
        return row[0]

    @staticmethod
    def select_containing(page, select: str, text: str) -> None:
        """Choose the first option of `select` whose label contains `text`."""
        value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
        page.select_option(select, value)

    def journeys(self, browser: Browser) -> None:
        researcher = self.new_page(browser, "researcher")
        co_inventor = self.new_page(browser, "co-inventor")
        staff = self.new_page(browser, "staff")
        partner = self.new_page(browser, "partner")
        staff.on("dialog", lambda dialog: dialog.accept())
        state: dict[str, str] = {}

        def researcher_discloses():
            self.sign_in(researcher, self.email_of(INVENTOR))
            self.goto(researcher, "/inventions/new")
            researcher.fill("input[name=title]", TITLE)
            researcher.fill(
                "textarea[name=description]",
                "Anchors measure each other's ranges and correct for reflections.",
            )
            researcher.fill("textarea[name=problem]", "UWB positioning drifts by metres between metal racks.")
            researcher.fill(
                "textarea[name=novelty]", "Anchor-to-anchor self-calibration in the field, no survey needed."
            )
            self.select_containing(researcher, "select[name='inventors-0-researcher_id']", INVENTOR)
            researcher.fill("input[name='inventors-0-share']", "60")
            self.select_containing(researcher, "select[name='inventors-1-researcher_id']", CO_INVENTOR)
            researcher.fill("input[name='inventors-1-share']", "30")
            self.submit(researcher, researcher.locator("main button[value=submit]"), expect_status=400)
            self.expect_text(researcher, "main", "100")
            self.shot(researcher, "shares-refused")
            researcher.fill("input[name='inventors-1-share']", "40")
            self.submit(
                researcher, researcher.locator("main button[value=submit]"), expect_path=r"^/inventions/\d+$"
            )
            state["researcher_url"] = researcher.url.replace(self.base, "")
            self.shot(researcher, "disclosure-submitted")

        def co_inventor_confirms():
            self.sign_in(co_inventor, self.email_of(CO_INVENTOR))
            self.goto(co_inventor, state["researcher_url"])
            self.expect_text(co_inventor, "main", "Please confirm it")
            self.submit(co_inventor, co_inventor.get_by_role("button", name="Confirm my share"))
            if co_inventor.locator("main", has_text="Please confirm it").count():
                raise StepFailed("the co-inventor's share is still waiting for confirmation")

        def staff_assess_and_record_the_patent():
            self.sign_in(staff, STAFF_EMAIL)
            self.goto(staff, "/admin/innovation/disclosures")
            staff.locator("main tr", has_text=TITLE).locator("a").first.click()
            staff.wait_for_load_state()
            state["disclosure"] = staff.url.replace(self.base, "")
            form = staff.locator("form[action$='/assess']")
            for name in ("novelty", "inventive_step", "market", "ip_strength", "team"):
                form.locator(f"select[name={name}]").select_option("4")
            form.locator("select[name=recommendation]").select_option("file_patent")
            form.locator("textarea[name=note]").fill("Strong: file a priority application at the EPO.")
            self.submit(
                staff, form.locator("button[type=submit]"), expect_path=r"^/admin/innovation/disclosures/\d+"
            )
            self.goto(staff, "/admin/innovation/ip/new")
            staff.fill("input[name=reference]", FAMILY)
            staff.fill("input[name=title]", TITLE)
            staff.locator("select[name=disclosure_id] option", has_text=TITLE).first.wait_for(
                state="attached"
            )
            value = staff.locator("select[name=disclosure_id] option", has_text=TITLE).first.get_attribute(
                "value"
            )
            staff.select_option("select[name=disclosure_id]", value)
            self.submit(
                staff,
                staff.locator("main form button[type=submit]").last,
                expect_path=r"^/admin/innovation/ip/\d+",
            )
            filed = (
                date.today() - timedelta(days=300)
            ).isoformat()  # the priority year ends in about 65 days
            form = staff.locator("form[action$='/applications']")
            form.locator("select[name=kind]").select_option("priority")
            form.locator("input[name=office]").fill("EP")
            form.locator("input[name=application_number]").fill("EP26150001.4")
            form.locator("input[name=filing_date]").fill(filed)
            form.locator("input[name=priority_date]").fill(filed)
            self.submit(staff, form.locator("button[type=submit]"), expect_path=r"^/admin/innovation/ip/\d+")
            self.expect_text(staff, "main", "EP26150001.4")
            self.goto(staff, "/admin/innovation/ip-calendar")
            self.expect_text(staff, "main", FAMILY)
            self.shot(staff, "ip-calendar")

        def staff_publish_the_listing():
            self.goto(staff, state["disclosure"])
            self.submit(staff, staff.get_by_role("button", name="Create the catalog listing"))
            if "/admin/technologies/" not in staff.url:
                staff.locator("main a[href^='/admin/technologies/']").first.click()
                staff.wait_for_load_state()
            state["technology"] = staff.url.replace(self.base, "").split("?")[0].split("#")[0]
            self.expect_text(staff, "main", "From disclosure")
            publish = staff.locator("form[action$='/status']:has(input[name=status][value=published])")
            self.submit(staff, publish.locator("button"))
            self.expect_text(staff, "main", "Published")
            state["reference"] = re.search(r"T-\d{4}-\d{4}", staff.locator("main").inner_text()).group(0)

        def partner_expresses_interest():
            self.sign_in(partner, PARTNER)
            self.goto(partner, f"/technologies?q={state['reference']}")
            partner.locator("main .catalog-card-title a").first.click()
            partner.wait_for_load_state()
            self.expect_text(partner, "main", "Self-calibrating")
            self.goto(partner, partner.url.replace(self.base, "") + "/interest")
            partner.fill("textarea[name=intended_use]", "Track pallets in our robot-served warehouses.")
            partner.fill("input[name=field_of_use]", "Intralogistics")
            partner.fill("input[name=territory]", "Europe")
            partner.fill("input[name=timeline]", "Pilot in 2027")
            self.submit(
                partner, partner.locator("main form button[type=submit]").last, expect_path=r"^/technologies/"
            )

        def staff_issue_a_term_sheet():
            self.goto(staff, "/admin/leads")
            staff.locator("main tr", has_text="Self-calibrating").locator(
                "a[href^='/admin/leads/']"
            ).first.click()
            staff.wait_for_load_state()
            state["lead"] = staff.url.replace(self.base, "")
            self.submit(
                staff, staff.locator("form[action$='/term-sheet'] button"), expect_path=r"^/admin/leads/"
            )
            staff.locator("main a[href^='/admin/agreements/']").first.click()
            staff.wait_for_load_state()
            state["agreement"] = staff.url.replace(self.base, "")
            self.submit(
                staff,
                staff.get_by_role("button", name="Issue to the partner"),
                expect_path=r"^/admin/agreements/\d+",
            )

        def partner_signs_and_an_admin_countersigns():
            number_id = state["agreement"].rsplit("/", 1)[1]
            self.goto(partner, f"/agreements/{number_id}")
            partner.check("#confirm")
            self.submit(
                partner,
                partner.get_by_role("button", name="Sign the agreement"),
                expect_path=r"^/agreements/\d+$",
            )
            self.expect_text(partner, ".alert-success", "Signed")
            self.goto(staff, state["agreement"])  # the console's walker is an admin
            staff.check("#confirm")
            self.submit(
                staff,
                staff.get_by_role("button", name="Countersign and execute"),
                expect_path=r"^/admin/agreements/\d+$",
            )
            self.expect_text(staff, ".alert-success", "is executed")

        def staff_record_the_licence():
            self.goto(staff, state["agreement"])
            staff.get_by_role("link", name="Record the licence").first.click()
            staff.wait_for_load_state()
            self.submit(
                staff,
                staff.get_by_role("button", name="Record the licence"),
                expect_path=r"^/admin/licences/\d+$",
            )
            state["licence"] = staff.url.replace(self.base, "")
            self.shot(staff, "licence")

        def the_lineage_shows_the_chain():
            self.goto(staff, state["licence"] + "/lineage")
            for text in (TITLE, FAMILY, state["reference"], "Acme Robotics"):
                self.expect_text(staff, "main", text)
            self.shot(staff, "licence-lineage")
            technology_id = state["technology"].rstrip("/").rsplit("/", 1)[1]
            self.goto(staff, f"/admin/innovation/technologies/{technology_id}/lineage")
            for text in (TITLE, FAMILY, "EP26150001.4"):
                self.expect_text(staff, "main", text)
            self.shot(staff, "technology-lineage")
            staff.set_viewport_size(PHONE)
            self.shot(staff, "technology-lineage-phone")

        for name, fn in [
            ("a researcher discloses an invention with a co-inventor", researcher_discloses),
            ("the co-inventor confirms his share", co_inventor_confirms),
            (
                "staff assess it and record the patent application (deadline on the calendar)",
                staff_assess_and_record_the_patent,
            ),
            ("staff make the listing from the disclosure and publish it", staff_publish_the_listing),
            ("a partner expresses licensing interest", partner_expresses_interest),
            ("staff turn the lead into a term sheet and issue it", staff_issue_a_term_sheet),
            ("the partner signs, an admin countersigns", partner_signs_and_an_admin_countersigns),
            ("staff record the licence from the executed term sheet", staff_record_the_licence),
            ("the lineage pages show the whole chain", the_lineage_shows_the_chain),
        ]:
            if not self.step(name, fn):
                break  # each step needs the one before


if __name__ == "__main__":
    sys.exit(main(InnovationWalkthrough, __doc__ or "", port=5084))
