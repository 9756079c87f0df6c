#!/usr/bin/env python3
"""Walk through partnership development as a Partnership Development Officer would, with
screenshots (issue 13's acceptance journey).

A visitor sends an enquiry from /collaborate (first empty: the form's messages); it lands in the
officer's pipeline; the officer logs a meeting with the prospect and moves it to won; the company
signs up and the officer links the prospect to it (the suggestion by name); the KPI dashboard's
pipeline table changes; a table is exported as CSV; the year's funder report downloads as a PDF
(its pages rendered to PNG with pdftoppm when it is installed).

    .venv/bin/python scripts/walkthrough_crm.py                 # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_crm.py --axe --out /tmp/shots   # as a11y_check.sh

Starts its own development server on a fresh SQLite database with the demo data, stops it at the end;
the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date

from playwright.sync_api import Browser
from walkthrough_catalog import Walkthrough, main
from walkthrough_kit import DESKTOP, PHONE, StepFailed
from walkthrough_membership import DEMO_PASSWORD, STAFF_EMAIL

COMPANY = "Vireo Logistics BV"
CONTACT = "ops@vireo-logistics.example"
MEETING = "Toured the indoor-positioning lab; Vireo wants a six-month contract research project."


class CrmWalkthrough(Walkthrough):
    prefix = "crm"

    def pipeline_table(self, page) -> str:
        self.goto(page, "/admin/")
        return re.sub(r"\s+", " ", page.locator('[data-kpi-table="pipeline"]').first.inner_text())

    def journeys(self, browser: Browser) -> None:
        visitor = self.new_page(browser, "visitor")
        officer = self.new_page(browser, "officer")
        state: dict[str, str] = {}

        def visitor_sends_an_enquiry():
            self.goto(visitor, "/collaborate")
            self.shot(visitor, "collaborate")
            visitor.locator("main a[href^='/collaborate/']", has_text="Contract research").first.click()
            visitor.wait_for_load_state()
            self.submit(visitor, visitor.locator("main form button[type=submit]").last, expect_status=400)
            self.expect_text(visitor, "main", "company")
            visitor.fill("input[name=company]", COMPANY)
            visitor.select_option("select[name=country]", "NL")
            visitor.fill("input[name=contact_name]", "Femke de Vries")
            visitor.fill("input[name=email]", CONTACT)
            visitor.fill("input[name=interest]", "Indoor positioning of pallets")
            visitor.fill("textarea[name=message]", "We lose pallets in three warehouses; can your lab help?")
            self.submit(
                visitor, visitor.locator("main form button[type=submit]").last, expect_path=r"/thanks$"
            )
            self.shot(visitor, "enquiry-thanks")

        def officer_finds_it_and_logs_a_meeting():
            self.sign_in(officer, STAFF_EMAIL)
            state["before"] = self.pipeline_table(officer)
            self.goto(officer, "/admin/pipeline")
            self.expect_text(officer, "main", COMPANY)
            self.shot(officer, "pipeline-board")
            officer.locator("main a[href^='/admin/prospects/']", has_text=COMPANY).first.click()
            officer.wait_for_load_state()
            state["prospect"] = officer.url.replace(self.base, "")
            officer.click("#interactions summary")
            officer.select_option("#interactions select[name=kind]", "meeting")
            officer.fill("#interactions input[name=occurred_on]", date.today().isoformat())
            officer.fill("#interactions input[name=attendees]", "Femke de Vries, Oscar Mbeki")
            officer.fill("#interactions textarea[name=summary]", MEETING)
            self.submit(
                officer,
                officer.locator("#interactions form button[type=submit]"),
                expect_path=r"^/admin/prospects/\d+",
            )
            self.expect_text(officer, "#interactions", "six-month contract research")

        def officer_moves_it_to_won():
            form = officer.locator("form[action$='/move']").first
            form.locator("select[name=stage]").select_option("won")
            self.submit(officer, form.locator("button[type=submit]"), expect_path=r"^/admin/prospects/\d+")
            self.expect_text(officer, "main", "Won")
            self.shot(officer, "prospect-won")

        def the_company_signs_up_and_is_linked():
            company = self.new_page(browser, "company")
            self.goto(company, "/signup")
            company.fill("#legal_name", COMPANY)
            company.select_option("#country", "NL")
            company.fill("#full_name", "Femke de Vries")
            company.fill("#job_title", "Head of operations")
            company.fill("#email", CONTACT)
            company.fill("#password", DEMO_PASSWORD + "-vireo")
            company.fill("#confirm", DEMO_PASSWORD + "-vireo")
            company.check("#accept")
            self.submit(
                company,
                company.locator("main form button[type=submit]").last,
                expect_path=r"^/signup/check-email",
            )
            company.context.close()
            self.goto(officer, state["prospect"])
            suggestion = officer.locator("main form[action$='/link']", has_text=COMPANY).first
            self.submit(
                officer, suggestion.locator("button[type=submit]"), expect_path=r"^/admin/prospects/\d+"
            )
            self.expect_text(officer, "#organisation", COMPANY)
            officer.locator("#organisation a[href^='/admin/organisations/']").first.click()
            officer.wait_for_load_state()
            self.expect_text(officer, "main", "six-month contract research")  # the meeting, on its timeline
            self.shot(officer, "organisation-timeline")

        def the_dashboard_changes_and_a_table_is_exported():
            after = self.pipeline_table(officer)
            if after == state["before"]:
                raise StepFailed(f"the pipeline table did not change: {after[:300]}")
            self.shot(officer, "dashboard")
            officer.set_viewport_size(PHONE)
            self.shot(officer, "dashboard-phone")
            officer.set_viewport_size(DESKTOP)
            href = officer.locator("a[href*='/admin/kpis/pipeline.csv']").first.get_attribute("href")
            csv = officer.context.request.get(self.base + href)
            body = csv.text()
            if (
                csv.status != 200
                or "Won" not in body
                or "attachment" not in csv.headers.get("content-disposition", "")
            ):
                raise StepFailed(f"the pipeline CSV: HTTP {csv.status}, {body[:200]!r}")
            (self.work / "pipeline.csv").write_text(body, encoding="utf-8")

        def the_funder_report_downloads():
            href = officer.locator("a[href$='.pdf'][href*='/admin/reports/funder/']").first.get_attribute(
                "href"
            )
            pdf = officer.context.request.get(self.base + href)
            if pdf.status != 200 or not pdf.body().startswith(b"%PDF-"):
                raise StepFailed(f"the funder report: HTTP {pdf.status}")
            path = self.out / "crm-funder-report.pdf"
            path.write_bytes(pdf.body())
            if shutil.which("pdftoppm"):
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "70", str(path), str(self.out / "crm-funder-report")],
                    check=True,
                )
                self.shots += sorted(str(p) for p in self.out.glob("crm-funder-report*.png"))

        for name, fn in [
            ("a visitor sends an enquiry from /collaborate", visitor_sends_an_enquiry),
            ("the officer finds it in the pipeline and logs a meeting", officer_finds_it_and_logs_a_meeting),
            ("the officer moves the prospect to won", officer_moves_it_to_won),
            ("the company signs up and the officer links it", the_company_signs_up_and_is_linked),
            (
                "the KPI dashboard changes and a table is exported",
                the_dashboard_changes_and_a_table_is_exported,
            ),
            ("the funder report downloads", the_funder_report_downloads),
        ]:
            if not self.step(name, fn):
                break  # each step needs the one before


if __name__ == "__main__":
    sys.exit(main(CrmWalkthrough, __doc__ or "", port=5083))
