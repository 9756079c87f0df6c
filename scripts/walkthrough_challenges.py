#!/usr/bin/env python3
"""Walk through an R&D challenge as a partner, TTO staff and a researcher, with screenshots (issue
12's acceptance journey).

Partner (Acme, Partner tier: three open challenges, all taken on the demo data): an empty form is
refused with its messages; the problem section is saved on its own; a PDF is attached; submitting is
refused at the tier's limit with the draft kept; a stale challenge is withdrawn and the draft goes in.
Staff: screen it, share it with a researcher, ask the partner a question. Researcher: reads it and
answers "I can help". Staff: see the answer beside the matches, propose a technology and the
researcher, move it to proposal. Partner: reads the question and the proposals, answers the question,
accepts both (a licensing lead and a collaboration agreement appear). Staff: read the answer, find
the lead and the prepared agreement.

    .venv/bin/python scripts/walkthrough_challenges.py      # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_challenges.py --axe --out /tmp/shots   # as a11y_check.sh

Starts its own development server on a fresh SQLite database with the demo data, stops it at the end;
the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import io
import sqlite3
import sys

from playwright.sync_api import Browser
from walkthrough_catalog import PARTNER, Walkthrough, main
from walkthrough_kit import DESKTOP, PHONE, StepFailed
from walkthrough_membership import STAFF_EMAIL

TITLE = "Find lost pallets inside our warehouses"
PROBLEM = (
    "Our forklift drivers search for lost pallets for hours; "
    "the racks are metal and GPS does not work indoors."
)
OUTCOME = "Know where every pallet is, to one metre, in all three of our warehouses."
STALE = "Localise mobile robots in a changing warehouse"  # Acme's demo challenge in screening
RESEARCHER = "Aiko Yamamoto"
QUESTION = "How large are the warehouses, and may we visit one?"
REPLY = "About 20,000 m² each; a visit in Bremen is welcome."


def pdf_bytes() -> bytes:
    """A one-page PDF the upload check accepts (pypdf is a dependency of the PDF checks)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class ChallengesWalkthrough(Walkthrough):
    prefix = "challenges"

    def researcher_email(self) -> str:
        with sqlite3.connect(self.server.db_path) as db:
            row = db.execute(
                "SELECT u.email FROM researcher r JOIN user u ON u.id = r.user_id WHERE r.name = ?",
                (RESEARCHER,),
            ).fetchone()
        if row is None:
            raise StepFailed(f"the demo data has no researcher account for {RESEARCHER}")
        return row[0]

    def journeys(self, browser: Browser) -> None:
        partner = self.new_page(browser, "partner")
        staff = self.new_page(browser, "staff")
        researcher = self.new_page(browser, "researcher")
        partner.on("dialog", lambda dialog: dialog.accept())  # "Withdraw this challenge?"
        state: dict[str, str] = {}
        spec = self.work / "warehouse-layout.pdf"
        spec.write_bytes(pdf_bytes())

        def partner_drafts_and_meets_the_limit():
            self.sign_in(partner, PARTNER)
            self.goto(partner, "/challenges/new")
            self.submit(partner, partner.locator("main button[value=submit]"), expect_status=400)
            self.expect_text(partner, "main", "Give the challenge a title")
            partner.fill("input[name=title]", TITLE)
            partner.fill("textarea[name=problem]", PROBLEM)
            partner.fill("textarea[name=desired_outcome]", OUTCOME)
            self.submit(
                partner,
                partner.locator("main button[value=draft-problem]"),
                expect_path=r"/edit#section-problem$",
            )
            state["edit"] = partner.url.split("#")[0]
            partner.select_option("select[name=domain_id]", label="Internet of Things")
            partner.fill("input[name=timeline]", "A pilot in one warehouse by June")
            self.submit(
                partner, partner.locator("main button[value=draft-scope]"), expect_path=r"#section-scope$"
            )
            partner.set_input_files("input[type=file]", str(spec))
            self.submit(partner, partner.locator("form[enctype] button[type=submit]"), expect_path=r"/edit$")
            self.expect_text(partner, "main", "warehouse-layout.pdf")
            self.submit(partner, partner.locator("main button[value=submit]"), expect_path=r"/edit$")
            self.expect_text(partner, "body", "Not submitted yet")
            self.shot(partner, "limit")

        def partner_withdraws_a_stale_one_and_submits():
            self.goto(partner, "/challenges")
            partner.locator("main tr", has_text=STALE).locator("a").first.click()
            partner.wait_for_load_state()
            partner.fill("textarea[name=note]", "Solved in-house meanwhile.")
            self.submit(partner, partner.locator("form[action$='/withdraw'] button"))
            self.expect_text(partner, "main", "Withdrawn")
            self.goto(partner, state["edit"].replace(self.base, ""))
            self.submit(
                partner, partner.locator("main button[value=submit]"), expect_path=r"^/challenges/\d+$"
            )
            self.expect_text(partner, "body", "is submitted")
            state["partner_url"] = partner.url.replace(self.base, "")
            state["id"] = state["partner_url"].rsplit("/", 1)[1]
            self.shot(partner, "submitted")

        def staff_screen_share_and_ask():
            self.sign_in(staff, STAFF_EMAIL)
            self.goto(staff, "/admin/challenges")
            self.expect_text(staff, "main", TITLE)
            self.shot(staff, "queue")
            self.goto(staff, f"/admin/challenges/{state['id']}")
            staff.select_option("select[name=status]", value="screening")
            staff.fill("form[action$='/transition'] textarea[name=note]", "We are looking at it this week.")
            self.submit(
                staff,
                staff.locator("form[action$='/transition'] button"),
                expect_path=r"^/admin/challenges/\d+",
            )
            staff.select_option("select[name=confidentiality]", value="named_researchers")
            self.submit(staff, staff.locator("form[action$='/confidentiality'] button"))
            staff.select_option("select[name=researcher_id]", label=RESEARCHER)
            self.submit(staff, staff.locator("form[action$='/shares'] button"))
            self.expect_text(staff, "#sharing", RESEARCHER)
            staff.fill("form[action$='/messages'] textarea[name=body]", QUESTION)
            self.submit(staff, staff.locator("form[action$='/messages'] button"))
            self.expect_text(staff, "main", QUESTION)

        def researcher_answers():
            self.sign_in(researcher, self.researcher_email())
            self.goto(researcher, "/research")
            researcher.locator("main a", has_text=TITLE).first.click()
            researcher.wait_for_load_state()
            self.expect_text(researcher, "main", PROBLEM[:40])
            researcher.fill(
                "textarea[name=note]", "Our UWB anchors locate tags to 30 cm between metal racks."
            )
            researcher.fill("input[name=expertise]", "UWB indoor positioning")
            self.submit(researcher, researcher.locator("main form button[type=submit]"))
            self.expect_text(researcher, "body", "UWB anchors")
            self.shot(researcher, "researcher-answer")

        def staff_propose_matches():
            self.goto(staff, f"/admin/challenges/{state['id']}")
            self.expect_text(staff, "main", "UWB anchors")
            staff.select_option("select[name=status]", value="matching")
            self.submit(staff, staff.locator("form[action$='/transition'] button"))
            proposal = staff.locator("form[action$='/proposals']:has(input[value=technology])").first
            proposal.locator("input[name=note]").fill("Locates assets to one metre indoors.")
            self.submit(staff, proposal.locator("button"))
            expert = staff.locator("form[action$='/proposals']:has(input[value=researcher])", has_text="")
            self.submit(staff, expert.last.locator("button"))
            staff.select_option("select[name=status]", value="proposal")
            staff.fill(
                "form[action$='/transition'] textarea[name=note]", "A technology and an expert for you."
            )
            self.submit(staff, staff.locator("form[action$='/transition'] button"))
            self.expect_text(staff, "main", "Proposal")
            self.shot(staff, "console-detail")

        def partner_answers_and_accepts():
            self.goto(partner, state["partner_url"])
            self.expect_text(partner, "main", QUESTION)
            self.expect_text(partner, "main", "Locates assets to one metre indoors.")
            partner.fill("form[action$='/messages'] textarea[name=body]", REPLY)
            self.submit(partner, partner.locator("form[action$='/messages'] button"))
            for _ in range(2):  # the technology, then the expert
                self.submit(partner, partner.locator("main button[value=interested]").first)
            if partner.locator("main button[value=interested]").count():
                raise StepFailed("a proposal is still waiting for an answer")
            self.shot(partner, "proposals-accepted")
            partner.set_viewport_size(PHONE)
            self.shot(partner, "detail-phone")
            partner.set_viewport_size(DESKTOP)
            self.goto(partner, "/dashboard")
            self.shot(partner, "dashboard")

        def staff_read_the_reply_and_find_the_lead():
            self.goto(staff, f"/admin/challenges/{state['id']}")
            self.expect_text(staff, "main", REPLY)
            self.goto(staff, "/admin/leads")
            self.expect_text(staff, "main", "Acme Robotics")
            self.goto(staff, "/admin/agreements?status=draft")
            self.expect_text(staff, "main", "Acme Robotics")

        for name, fn in [
            (
                "partner drafts section by section, attaches a file, meets the limit",
                partner_drafts_and_meets_the_limit,
            ),
            (
                "partner withdraws a stale challenge and submits the draft",
                partner_withdraws_a_stale_one_and_submits,
            ),
            ("staff screen it, share it with a researcher, ask a question", staff_screen_share_and_ask),
            ("the researcher answers 'I can help'", researcher_answers),
            ("staff see the answer and propose a technology and the expert", staff_propose_matches),
            ("partner answers the question and accepts both proposals", partner_answers_and_accepts),
            (
                "staff read the answer, find the lead and the agreement",
                staff_read_the_reply_and_find_the_lead,
            ),
        ]:
            if not self.step(name, fn):
                break  # each step needs the one before


if __name__ == "__main__":
    sys.exit(main(ChallengesWalkthrough, __doc__ or "", port=5082))
