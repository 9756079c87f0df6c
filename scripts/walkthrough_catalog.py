#!/usr/bin/env python3
"""Walk through the technology catalog as a visitor, a partner and TTO staff, with screenshots
(issue 11's acceptance journey).

Visitor: a search with a typo ("cybersecurty"), a domain facet, a listing's teaser with what joining
gives. Partner (Acme, Partner tier: partner detail and dossiers under NDA): the same listing in
detail, the NDA accepted, the dossier shown, licensing interest sent (first empty, with the form's
messages), the dashboard's interests, a search saved. Staff: the lead, a term sheet issued from it, a
CSV import with one bad row (refused, nothing imported), then fixed and imported; the digest job
announces the imported technology to the saved search once, and the second run sends nothing.

    .venv/bin/python scripts/walkthrough_catalog.py                # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_catalog.py --axe --out /tmp/shots   # as a11y_check.sh

Starts its own development server on a fresh SQLite database with the demo data (the membership
walkthrough's `Server`), stops it at the end; the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page
from walkthrough_kit import CSP_LISTENER, DESKTOP, PHONE, Axe, BrowserSteps, StepFailed
from walkthrough_membership import DEMO_PASSWORD, STAFF_EMAIL, Server

ROOT = Path(__file__).resolve().parent.parent
PARTNER = "owner@acme.example"
LISTING = "/technologies/encrypted-traffic-anomaly-detection-without-decryption"
CSV_HEADER = (
    "reference,title,benefit,problem,solution,advantages,applications,domain,keywords,trl,"
    "ip_status,patent_numbers,inventors,lab,licensing_options,status\n"
)
CSV_GOOD = (
    "T-2026-9001,Battery state-of-health estimator from charging curves,Predicts remaining battery life"
    " within 3 % from one charge,Fleet operators replace batteries too early,A model reads partial"
    " charging curves,Error under 3 %;Needs no lab test,EV fleets;Grid storage,iot,battery;state of"
    " health,6,patent_application,EP 4 100 200 A1,Dr Lena Fischer,Energy Systems Lab,exclusive;option,"
    "published\n"
)
CSV_BAD = "T-2026-9002,Solar panel soiling detector,Cuts cleaning costs,Dust,Camera,,,no-such-domain,solar,12,patent,,,,,published\n"  # noqa: E501
CSV_FIXED = CSV_BAD.replace("no-such-domain", "iot").replace(",12,patent,", ",5,know_how,")


class Walkthrough(BrowserSteps):
    prefix = "catalog"  # of the screenshots' names

    def __init__(self, args: argparse.Namespace, server: Server) -> None:
        self.server = server
        self.base = server.base
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.work = Path(args.extra_dir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.results: list[tuple[str, str]] = []
        self.messages: list[str] = []
        self.shots: list[str] = []

    def new_page(self, browser: Browser, label: str, viewport=DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on(
            "console",
            lambda m: self.messages.append(f"[{label}] {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.messages.append(f"[{label}] page error: {e}"))
        return page

    def shot(self, page: Page, name: str) -> None:
        path = self.out / f"{self.prefix}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(str(path))

    def main_text(self, page: Page) -> str:
        return re.sub(r"\s+", " ", page.inner_text("main"))

    def sign_in(self, page: Page, email: str) -> None:
        self.goto(page, "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        self.submit(page, page.locator("main button[type=submit]"))
        if page.locator("input[name=code]").count():
            page.fill("input[name=code]", self.server.totp(email))
            self.submit(page, page.locator("main button[type=submit]"), expect_path=r"^/admin/")

    def journeys(self, browser: Browser) -> None:
        visitor = self.new_page(browser, "visitor")
        partner = self.new_page(browser, "partner")
        staff = self.new_page(browser, "staff")

        def visitor_searches():
            self.goto(visitor, "/technologies?q=cybersecurty")
            self.expect_text(visitor, "main", "Showing results for")
            self.expect_text(visitor, "main", "Side-channel resistant AES core")
            self.shot(visitor, "search-typo")
            self.goto(visitor, "/technologies?q=detection&domain=cybersecurity")
            self.expect_text(visitor, "main", "Encrypted-traffic anomaly detection")
            visitor.set_viewport_size(PHONE)
            self.shot(visitor, "search-phone")
            visitor.set_viewport_size(DESKTOP)

        def visitor_reads_the_teaser():
            self.goto(visitor, LISTING)
            self.expect_text(visitor, "main", "members of Partner tier and above")
            if "Over 90 % of enterprise traffic is encrypted" in self.main_text(visitor):
                raise StepFailed("a visitor sees the partner detail (the problem)")
            self.shot(visitor, "listing-visitor")

        def partner_reads_the_detail_and_accepts_the_nda():
            self.sign_in(partner, PARTNER)
            self.goto(partner, LISTING)
            self.expect_text(partner, "main", "Over 90 % of enterprise traffic is encrypted")
            self.shot(partner, "listing-partner")
            partner.locator("main a[href*='/nda']").first.click()
            partner.wait_for_load_state()
            for box in partner.locator("main input[type=checkbox]").all():
                box.check()
            self.submit(
                partner, partner.locator("main button[type=submit]").last, expect_path=r"^/technologies/"
            )
            self.expect_text(
                partner, "main", "The confidential dossier on encrypted-traffic anomaly detection"
            )
            self.shot(partner, "listing-dossier")

        def partner_expresses_interest():
            self.goto(partner, LISTING + "/interest")
            self.submit(partner, partner.locator("main form button[type=submit]").last, expect_status=400)
            self.expect_text(partner, "main", "Say what you would use the technology for")
            self.shot(partner, "interest-errors")
            partner.fill(
                "textarea[name=intended_use]", "Detect command-and-control traffic in our firewalls."
            )
            partner.fill("input[name=field_of_use]", "Network security appliances")
            partner.fill("input[name=territory]", "European Union")
            partner.fill("input[name=timeline]", "Pilot in Q2 2027")
            self.submit(
                partner, partner.locator("main form button[type=submit]").last, expect_path=r"^/technologies/"
            )
            self.expect_text(
                partner, "main", "your licensing interest is with the Technology Transfer Office"
            )
            self.goto(partner, "/dashboard")
            self.expect_text(partner, "main", "Encrypted-traffic anomaly detection")

        def partner_saves_a_search():
            self.goto(partner, "/technologies?q=battery&sort=newest")
            partner.click("details.save-search summary")
            partner.fill("input[name=name]", "Battery technologies")
            self.submit(
                partner,
                partner.locator("form[data-save-search] button[type=submit]"),
                expect_path=r"^/technologies/saved",
            )
            self.expect_text(partner, "main", "Battery technologies")
            self.shot(partner, "saved-searches")

        def staff_issues_a_term_sheet():
            self.sign_in(staff, STAFF_EMAIL)
            self.goto(staff, "/admin/leads")
            staff.locator("main a[href^='/admin/leads/']").first.click()
            staff.wait_for_load_state()
            self.expect_text(staff, "main", "Detect command-and-control traffic")
            self.submit(
                staff, staff.locator("form[action$='/term-sheet'] button"), expect_path=r"^/admin/leads/"
            )
            self.expect_text(staff, "main", "is prepared as a draft")
            self.shot(staff, "lead-term-sheet")

        def staff_imports_a_csv():
            bad, fixed = self.work / "technologies-bad.csv", self.work / "technologies-fixed.csv"
            bad.write_text(CSV_HEADER + CSV_GOOD + CSV_BAD, encoding="utf-8")
            fixed.write_text(CSV_HEADER + CSV_GOOD + CSV_FIXED, encoding="utf-8")
            self.goto(staff, "/admin/technologies/import")
            staff.set_input_files("input[type=file]", str(bad))
            self.submit(staff, staff.locator("form[enctype] button[type=submit]"), expect_status=400)
            self.expect_text(staff, "main", "Row 3, column trl")
            self.expect_text(staff, "main", "nothing was imported")
            self.shot(staff, "import-errors")
            staff.set_input_files("input[type=file]", str(fixed))
            self.submit(staff, staff.locator("form[enctype] button[type=submit]"))
            self.submit(staff, staff.locator("form[action$='/confirm'] button"))
            self.expect_text(staff, "main", "2 created")

        def digest_announces_once():
            run = self.server.flask_cmd("portal", "send-digests")
            first = run.stdout + run.stderr + self.server.log_text()
            if "announcing 1 technologies" not in first or "Battery state-of-health estimator" not in first:
                raise StepFailed(f"the digest did not announce the imported technology: {first[-400:]}")
            second = self.server.flask_cmd("portal", "send-digests").stdout
            if "sent 0 digests" not in second:
                raise StepFailed(f"the second digest run sent again: {second[-300:]}")

        for name, fn in [
            ("visitor searches with a typo and a facet", visitor_searches),
            ("visitor reads the teaser and what joining gives", visitor_reads_the_teaser),
            (
                "partner reads the detail, accepts the NDA, reads the dossier",
                partner_reads_the_detail_and_accepts_the_nda,
            ),
            ("partner expresses licensing interest", partner_expresses_interest),
            ("partner saves a search", partner_saves_a_search),
            ("staff turn the lead into a term sheet", staff_issues_a_term_sheet),
            ("staff import a CSV with one bad row, fix it, import", staff_imports_a_csv),
            ("the digest announces the new technology once", digest_announces_once),
        ]:
            self.step(name, fn)

    def report(self) -> int:
        log = self.server.log_text()
        for block in re.findall(r"Traceback \(most recent call last\):.*?(?=\n\S|\Z)", log, flags=re.S):
            self.messages.append("[server] " + block.strip().splitlines()[-1][:300])
        print("\nSteps:")
        for name, result in self.results:
            print(f"  {'✔' if result == 'ok' else '✘'} {name}: {result}")
        print(f"\nScreenshots ({len(self.shots)}):")
        for s in self.shots:
            print(f"  {s}")
        print(f"\nConsole messages, page errors, CSP violations, server errors ({len(self.messages)}):")
        for m in self.messages or ["none"]:
            print(f"  {m}")
        failed = [r for _, r in self.results if r != "ok"]
        return 0 if self.results and not failed and not any("[CSP]" in m for m in self.messages) else 1


def main(walk_class: type[Walkthrough] = Walkthrough, doc: str = __doc__ or "", port: int = 5081) -> int:
    """Run `walk_class`'s journeys on a fresh demo database (also the challenges walkthrough's main)."""
    name = walk_class.prefix
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=port, help="port of the development server")
    parser.add_argument("--db", default=f"/tmp/walk-{name}.db", help="SQLite file, rebuilt each run")
    parser.add_argument("--log", default=f"/tmp/walk-{name}-server.log", help="the server's log")
    parser.add_argument("--app-dir", default=str(ROOT), help="checkout to serve (its .venv runs flask)")
    parser.add_argument("--out", default=f"/tmp/walk-{name}-shots", help="screenshot folder")
    parser.add_argument("--extra-dir", default=f"/tmp/walk-{name}-extra", help="files the walk writes")
    parser.add_argument("--pdf", default=None, help="(unused; accepted like the other walkthroughs)")
    parser.add_argument(
        "--axe", action="store_true", help="check every page with axe-core at 1280 and 390 px"
    )
    parser.add_argument("--axe-out", default=f"/tmp/liaison-a11y-{name}", help="where --axe writes reports")
    args = parser.parse_args()
    server = Server(args, "http://127.0.0.1:9")  # no Stripe on this walk
    try:
        print(f"- fresh database {args.db}, demo data")
        server.prepare()
        server.start()
        walk = walk_class(args, server)
        if args.axe:
            walk.axe = Axe(server.base)
        status = walk.run()
        if walk.axe is not None and walk.axe.write(Path(args.axe_out), f"walkthrough_{name}.py"):
            status = status or 1
        return status
    except StepFailed as exc:
        print(f"  FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
