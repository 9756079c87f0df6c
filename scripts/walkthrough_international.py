#!/usr/bin/env python3
"""Acceptance walkthrough of issue 10 (partner experience and time to partnership): three languages,
zero staff actions on the standard path. Screenshots at 1280 px and at 390 px (a phone).

SETUP (one-off, not part of any journey): the admin gives the Partner tier a Stripe price id,
an approval rule (card payers outside the denied list, with a tax number) and a standing
countersignature, all through the console.

A) 山田ロボティクス株式会社 (Japan; browser Accept-Language ja, the footer switcher picks Deutsch):
   /tiers -> "Start with Partner" -> sign up -> the confirmation link from the console mail log ->
   apply paying by card -> approved by the rule -> pays in the stand-in Checkout + signed webhook ->
   signs the agreement -> countersigned under the standing authorisation -> active. The script
   checks the audit log for staff actions in that window (there must be none), counts the
   partner's form submissions and measures the wall-clock time.
B) Lumière Analytique SAS (France; Accept-Language fr): signs up, applies paying by bank transfer,
   staff approve (no rule covers invoices), signs; staff import a camt.053 statement generated
   from the invoice's transfer reference and amount; the import pays the invoice; the standing
   countersignature executes the agreement; active. Counts and times as in A.
C) English: the main partner pages (Acme's owner) and the console overview and audit log, 1280 px.

Run (the script starts FakeStripe and its own development server, like walkthrough_membership.py):

    .venv/bin/python scripts/walkthrough_international.py    # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_international.py --axe --out /tmp/shots   # as a11y_check.sh

--axe checks every page with axe-core at 1280 and 390 px (WCAG 2.1 A/AA, docs/accessibility.md)
and exits 1 on any violation; reports in --axe-out.

Screenshots: docs/screenshots/international/<journey>-<step>-<width>.png (--out); review-only
shots in --extra-dir. The report lists steps, submissions and timings, screenshots, notes (English
left on French/German pages, pages wider than the window, ...) and console/HTTP/server errors.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route
from walkthrough_kit import CSP_LISTENER, DESKTOP, Axe, StepFailed
from walkthrough_membership import FAKE_PAGE, WEBHOOK_SECRET, Server, Walkthrough  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.stripe_fake import FakeStripe  # noqa: E402

PARTNER_PRICE = "price_partner"
PARTNER_CENTS = 25_000_00
ASSOCIATE_PRICE = "price_associate_yearly"
ASSOCIATE_CENTS = 5_000_00
PHONE = {"width": 390, "height": 844}
PASSWORD = "Kirschblüte-Sakura-2026!"
CAMT_TEMPLATE = ROOT / "tests" / "membership" / "fixtures" / "camt053_single.xml"

# Words that give English away on a French or German page (whole words, case-sensitive enough).
ENGLISH = re.compile(
    r"\b(the|The|your|Your|and|with|you|You|is|are|of|for|to|this|This|Sign|Download|Pay|"
    r"Apply|Start|Membership|Agreement|Invoice|Dashboard|Account|waiting|Back)\b"
)
BRAND_LINES = ("Industry Partnership Programme", "Northfield Institute of Technology", "@")


class International(Walkthrough):
    def __init__(self, args, server: Server, fake: FakeStripe) -> None:
        super().__init__(args, server, fake)
        self.submissions: dict[str, list[str]] = {}
        self.timings: dict[str, float] = {}
        self.journey_lang: dict[str, str] = {}

    # --- plumbing ------------------------------------------------------------------------

    def context(self, browser: Browser, label: str, locale: str, zone: str) -> BrowserContext:
        ctx = browser.new_context(
            viewport=DESKTOP,
            locale=locale,
            timezone_id=zone,
            accept_downloads=True,
            extra_http_headers={"Accept-Language": f"{locale},{locale.split('-')[0]};q=0.9"},
        )
        ctx.set_default_timeout(self.timeout)
        ctx.set_default_navigation_timeout(self.timeout)
        ctx.add_init_script(CSP_LISTENER)
        ctx.on("page", lambda page: self.watch(page, label))
        self.submissions.setdefault(label, [])

        def on_request(req):
            if req.method == "POST" and req.resource_type == "document":
                self.submissions[label].append(req.url.replace(self.base, ""))

        ctx.on("request", on_request)
        return ctx

    def shot2(self, page: Page, journey: str, step: str, phone: bool = True) -> None:
        """<journey>-<step>-1280.png and (unless phone=False) -390.png, full page."""
        page.wait_for_load_state("load")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        self.audit(page, f"{journey}-{step}")
        widths = [DESKTOP, PHONE] if phone else [DESKTOP]
        for size in widths:
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            name = f"{journey}-{step}-{size['width']}.png"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"] + 1:
                wide = page.evaluate(
                    """(w) => [...document.querySelectorAll('body *')].filter(e => {
                         const r = e.getBoundingClientRect(); return r.right > w + 1 && r.width > 0;
                       }).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className
                       === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' (' +
                       Math.round(e.getBoundingClientRect().right) + 'px)')""",
                    size["width"],
                )
                self.notes.append(
                    f"[layout] {page.url.replace(self.base, '')} ({name}) is {width}px wide in a "
                    f"{size['width']}px window; overflowing: {', '.join(wide)}"
                )
            path = self.out / name
            page.screenshot(path=str(path), full_page=True, animations="disabled", caret="initial")
            self.shots.append(str(path))
            print(f"  screenshot {path}")
        page.set_viewport_size(DESKTOP)
        self.check_language(page, journey)

    def check_language(self, page: Page, journey: str) -> None:
        want = self.journey_lang.get(journey)
        if not want or want == "en" or page.url.replace(self.base, "").startswith("/admin"):
            return  # the console is English-only by design
        lang = page.evaluate("document.documentElement.lang")
        where = page.url.replace(self.base, "")
        if not (lang or "").startswith(want):
            self.notes.append(f"[{journey}] {where}: the page is in {lang!r}, not {want!r}")
            return
        # Text marked as another language (an agreement's own text and title, lang="en") is that
        # document's, not the page's: left out.
        text = page.evaluate(
            """want => { const body = document.body.cloneNode(true);
                body.querySelectorAll('[lang]').forEach(e => { if (!e.lang.startsWith(want)) e.remove(); });
                document.documentElement.appendChild(body); body.style.display = 'block';
                const text = body.innerText; body.remove(); return text; }""",
            want,
        )
        english = []
        for line in (raw.strip() for raw in text.splitlines()):
            if not line or any(b in line for b in BRAND_LINES) or len(line) < 4:
                continue
            hits = ENGLISH.findall(line)
            if len(hits) >= 2 or (hits and len(line.split()) <= 4):
                english.append(line[:110])
        if english:
            self.notes.append(f"[{journey}/{want}] {where}: English? " + " | ".join(dict.fromkeys(english)))

    def db(self, sql: str, *params):
        con = sqlite3.connect(self.server.db_path)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def last_id(self, table: str) -> int:
        return self.db(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]

    def mail_link(self, email: str, path: str, wait: float = 30) -> str:
        """The first link to `path` in the console-logged email to `email`."""
        deadline = time.time() + wait
        pattern = re.compile(
            r"email to=" + re.escape(email) + r" subject=(.*?)\n(.*?)(?=\n\S+ \S+ INFO|\Z|email to=)", re.S
        )
        while time.time() < deadline:
            for subject, body in pattern.findall(self.server.log_text()):
                link = re.search(r"https?://\S*" + re.escape(path) + r"\S*", body)
                if link:
                    print(f"  email {subject.strip()!r} -> {link.group(0)}")
                    self.state.setdefault("emails", []).append((email, subject.strip()))
                    return link.group(0).rstrip(".,)>")
            time.sleep(0.5)
        raise StepFailed(f"no email to {email} with a {path} link in {self.server.log_path}")

    def click_nav(self, page: Page, locator) -> None:
        if not locator.count():
            raise StepFailed(f"nothing to click on {page.url}: {locator}")
        with page.expect_navigation(wait_until="load"):
            locator.first.click()
        self.audit(page, "click")

    def form_button(self, page: Page, action_fragment: str):
        return page.locator(f"form[action*='{action_fragment}'] button[type=submit]").first

    def switch_language(self, page: Page, code: str) -> None:
        select = page.locator("#language-switcher")
        with page.expect_navigation(wait_until="load"):
            select.select_option(code)  # data-auto-submit submits on change
        self.audit(page, f"language {code}")
        lang = page.evaluate("document.documentElement.lang")
        if not lang.startswith(code):
            raise StepFailed(f"after switching to {code}, the page says lang={lang!r}")

    def staff_actions_since(self, audit_id: int) -> list[tuple]:
        return self.db(
            "SELECT a.action, a.actor_email, a.target_label FROM audit_event a "
            "JOIN user u ON u.id = a.actor_id "
            "WHERE a.id > ? AND u.platform_role IN ('staff', 'admin') "
            # the standing countersignature acts in the partner's request, in the admin's name
            "AND coalesce(json_extract(a.details, '$.automatic'), 0) != 1 ORDER BY a.id",
            audit_id,
        )

    def membership_status(self, legal_name: str) -> str:
        rows = self.db(
            "SELECT m.status FROM membership m JOIN organisation o ON o.id = m.organisation_id "
            "WHERE o.legal_name = ?",
            legal_name,
        )
        return rows[0][0] if rows else "none"

    # --- the shared partner steps ----------------------------------------------------------

    def sign_up(self, page: Page, journey: str, tier: str, company: dict) -> None:
        self.click_nav(page, page.locator(f"a[href*='/signup?tier={tier}']"))
        self.expect_text(page, "h1", "")
        page.fill("#legal_name", company["legal_name"])
        page.select_option("#country", company["country"])
        page.fill("#full_name", company["full_name"])
        page.fill("#job_title", company["job_title"])
        page.fill("#email", company["email"])
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.check("#accept")
        self.shot2(page, journey, "signup")
        self.submit(
            page, page.locator("main form button[type=submit]").last, expect_path=r"^/signup/check-email"
        )
        self.shot2(page, journey, "check-email")

    def confirm_email(self, page: Page, journey: str, company: dict, tier: str) -> None:
        link = self.mail_link(company["email"], "/verify-email/")
        self.goto(page, link)
        self.extra_shot(page, f"{journey}-verify-email-page.png")
        self.check_language(page, journey)
        self.submit(page, page.locator("main form button[type=submit]").first)
        where = page.url.replace(self.base, "")
        print(f"  after confirming: {where}")
        if not where.startswith(f"/membership/apply?tier={tier}"):
            self.notes.append(
                f"[{journey}] confirming the email led to {where}, not the application for {tier}"
            )
        lang = page.evaluate("document.documentElement.lang")
        want = self.journey_lang[journey]
        if not lang.startswith(want):
            self.notes.append(
                f"[{journey}] after the confirmation link signs the company in, the portal is in "
                f"{lang!r}: the {want!r} chosen before sign-up is lost; the partner switches again"
            )
            self.switch_language(page, want)

    def apply(
        self, page: Page, journey: str, tier: str, method: str, vat: str, address: str, registration: str = ""
    ) -> None:
        if not page.url.replace(self.base, "").startswith("/membership/apply"):
            self.goto(page, f"/membership/apply?tier={tier}")
        chosen = page.locator("#tier").input_value()
        if chosen != tier:
            raise StepFailed(f"the tier select shows {chosen!r}, not {tier!r}")
        page.select_option("#payment_method", method)
        page.fill("#vat_number", vat)
        # Sign-up asks for no address, so the application cannot prefill it: the registered address
        # (street on the first line, postcode and city on the last) and the registration number go
        # into the company profile from here; the billing address stays empty (the same one).
        street, town = address.split("\n")[0], address.split("\n")[-1]
        postcode, _, city = town.rpartition(" ")
        for selector, value in (("#address_line1", street), ("#postcode", postcode), ("#city", city)):
            if not page.locator(selector).input_value():
                page.fill(selector, value)
        if not page.locator("#registration_number").input_value():
            page.fill("#registration_number", registration)
        if not page.locator("#signatory_title").input_value():
            page.fill("#signatory_title", "CEO")
        page.fill("#interests", "Robotics, sensors and materials; joint PhD projects.")
        page.select_option("#heard_from", "web")
        self.shot2(page, journey, "apply")
        self.submit(page, page.locator("main form button[type=submit]").last, expect_path=r"^/membership$")
        self.shot2(page, journey, "membership-submitted")

    def pay_by_card(self, page: Page, journey: str) -> None:
        button = self.form_button(page, "/membership/pay/card")
        if not button.count():
            raise StepFailed(f"no card payment button on {page.url}{self.page_errors(page)}")
        label = button.inner_text().strip()

        def checkout(route: Route) -> None:
            route.fulfill(
                status=200,
                content_type="text/html",
                body=FAKE_PAGE.format(title="Fake Stripe Checkout", url=route.request.url),
            )

        page.route("https://checkout.stripe.test/**", checkout)
        self.leave_for_stripe(page, label, "checkout.stripe.test")
        match = re.match(r"^https://checkout\.stripe\.test/pay/([^/?#]+)", page.url)
        if not match:
            raise StepFailed(f"{label!r} went to {page.url}")
        session_id = match.group(1)
        self.fake.complete_checkout(session_id)
        session = self.fake.checkout_sessions[session_id]
        self.goto(page, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))
        self.extra_shot(page, f"{journey}-card-return-before-webhook.png")
        self.post_webhook(self.fake.event("checkout.session.completed", session))
        self.goto(page, "/membership/card-return")
        self.shot2(page, journey, "card-return")

    def sign(self, page: Page, journey: str) -> str:
        self.goto(page, "/agreements")
        self.extra_shot(page, f"{journey}-agreements-list.png")
        self.click_nav(page, page.locator("main a[href^='/agreements/']:not([href*='pdf'])"))
        number = page.locator(".lead").first.inner_text().split("·")[0].strip()
        body = page.locator("main").inner_text()
        if len(body) < 3000 and not page.locator("main iframe, main embed, main object").count():
            self.notes.append(
                f"[{journey}] {page.url.replace(self.base, '')}: the agreement's text is not on the page "
                f"({len(body)} characters of page text); the signatory must download the PDF to read it"
            )
        with page.expect_download() as dl:
            page.locator("main a[href$='/pdf']").first.click()
        pdf = self.extra / f"{journey}-for-signature.pdf"
        dl.value.save_as(str(pdf))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        (self.extra / f"{journey}-for-signature.txt").write_text(text, encoding="utf-8")
        self.pdf_first_page(pdf, f"{journey}-agreement-pdf")
        if not page.locator("#full_name").input_value():
            self.notes.append(f"[{journey}] sign form: the signatory's name is not prefilled")
            page.fill("#full_name", "Signatory")
        if not page.locator("#title").input_value():
            page.fill("#title", "CEO")
        page.check("#confirm")
        self.shot2(page, journey, "agreement-sign")
        self.submit(page, self.form_button(page, "/sign"), expect_path=r"^/agreements/\d+$")
        self.shot2(page, journey, "agreement-signed")
        return number

    def pdf_first_page(self, pdf: Path, name: str) -> None:
        prefix = self.extra / name
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
            check=True,
            timeout=60,
        )
        print(f"  review shot {prefix}.png (page 1 of {pdf.name})")

    def verify_executed(self, page: Page, journey: str, browser: Browser, locale: str) -> None:
        self.goto(page, "/agreements")
        self.click_nav(page, page.locator("main a[href^='/agreements/']:not([href*='pdf'])"))
        self.shot2(page, journey, "agreement-executed")
        with page.expect_download() as dl:
            page.locator("main a[href$='/pdf']").first.click()
        pdf = self.extra / f"{journey}-executed.pdf"
        dl.value.save_as(str(pdf))
        if not dl.value.suggested_filename.endswith("-executed.pdf"):
            self.notes.append(f"[{journey}] the executed download is named {dl.value.suggested_filename}")
        self.pdf_first_page(pdf, f"{journey}-executed-pdf")
        pages = int(
            re.search(
                r"Pages:\s+(\d+)",
                subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout,
            ).group(1)
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(pages),
                "-l",
                str(pages),
                "-singlefile",
                str(pdf),
                str(self.extra / f"{journey}-certificate"),
            ],
            check=True,
            timeout=60,
        )
        ctx = self.context(browser, f"{journey}-visitor", locale, "Europe/Paris")
        visitor = ctx.new_page()
        self.goto(visitor, "/verify")
        visitor.set_input_files("#document", str(pdf))
        self.submit(visitor, visitor.locator("main form button[type=submit]").first)
        if not visitor.locator(".alert-success").count():
            raise StepFailed(f"/verify did not confirm the executed PDF{self.page_errors(visitor)}")
        self.shot2(visitor, journey, "verify")
        ctx.close()

    # --- journeys --------------------------------------------------------------------------

    def journeys(self, browser: Browser) -> None:
        staff_ctx = self.context(browser, "staff", "en-GB", "Europe/Berlin")
        staff = staff_ctx.new_page()
        self.journey_lang.update({"A": "de", "B": "fr", "C": "en"})

        def setup():
            self.login_staff(staff)
            self.goto(staff, "/admin/tiers")
            self.click_nav(staff, staff.get_by_role("link", name="Partner", exact=True))
            staff.fill("#stripe_price_id", PARTNER_PRICE)
            self.submit(staff, staff.get_by_role("button", name="Save tier"), expect_path=r"^/admin/tiers$")
            self.goto(staff, "/admin/approval-rules")
            self.extra_shot(staff, "setup-approval-rules-before.png")
            self.goto(staff, "/admin/approval-rules/new")
            staff.fill("#name", "Partner: card payers outside the denied list")
            staff.select_option("#tier", label="Partner")
            for box in ("#require_not_denied", "#require_tax_number", "#require_card", "#active"):
                staff.check(box)
            staff.select_option("#account_owner", label="Oscar Mbeki")
            self.extra_shot(staff, "setup-approval-rule-form.png")
            self.submit(
                staff, staff.get_by_role("button", name="Save rule"), expect_path=r"^/admin/approval-rules$"
            )
            self.extra_shot(staff, "setup-approval-rules-after.png")
            self.goto(staff, "/admin/standing-countersignatures")
            options = staff.locator("#template option").all_inner_texts()
            partnership = next((o for o in options if "artnership" in o), None)
            if partnership is None:
                raise StepFailed(f"no partnership template among {options}")
            staff.select_option("#template", label=partnership)
            staff.select_option("#tier", label="Partner")
            staff.select_option("#signer", label="Ada Lindqvist")
            if not staff.locator("#title").input_value():
                staff.fill("#title", "Head of Technology Transfer")
            staff.fill("#valid_until", (date.today() + timedelta(days=365)).isoformat())
            self.submit(
                staff,
                staff.get_by_role("button", name="Give the standing countersignature"),
                expect_path=r"^/admin/standing-countersignatures$",
            )
            self.expect_text(staff, ".alert-success", "in force")
            self.extra_shot(staff, "setup-standing-after.png")

        if not self.step(
            "SETUP admin: Partner gets a Stripe price, an approval rule and a standing "
            "countersignature (console)",
            setup,
        ):
            return

        # --- A: Japan, German UI, card, zero touch ----------------------------------------
        a_ctx = self.context(browser, "A", "ja-JP", "Asia/Tokyo")
        a = a_ctx.new_page()
        yamada = {
            "legal_name": "山田ロボティクス株式会社",
            "country": "JP",
            "full_name": "山田 太郎",
            "job_title": "代表取締役",
            "email": "taro.yamada@yamada-robotics.example",
        }
        a_ok = {"done": False}

        def a_journey():
            self.state["a_audit"] = self.last_id("audit_event")
            t0 = time.monotonic()
            self.goto(a, "/tiers")
            lang = a.evaluate("document.documentElement.lang")
            print(f"  Accept-Language ja -> the page is in {lang!r}")
            self.extra_shot(a, "A-tiers-ja-fallback.png")
            self.switch_language(a, "de")
            self.shot2(a, "A", "tiers")
            self.sign_up(a, "A", "partner", yamada)
            self.confirm_email(a, "A", yamada, "partner")
            self.apply(
                a,
                "A",
                "partner",
                "card",
                "T1234567890123",
                "1-2-3 Nihonbashi, Chuo-ku\n103-0027 Tokyo",
                "0100-01-123456",
            )
            status = self.db("SELECT status, approval_rule_id FROM application ORDER BY id DESC LIMIT 1")[0]
            print(f"  application: {status}")
            if status[0] != "approved":
                raise StepFailed(f"the application is {status[0]!r}, not approved by the rule")
            self.pay_by_card(a, "A")
            self.state["a_number"] = self.sign(a, "A")
            self.goto(a, "/membership")
            final = self.membership_status(yamada["legal_name"])
            self.timings["A"] = time.monotonic() - t0
            self.shot2(a, "A", "membership-active")
            if final != "active":
                raise StepFailed(f"the membership is {final!r}, not active")
            auto = self.db(
                "SELECT action, actor_email FROM audit_event WHERE id > ? AND "
                "json_extract(details, '$.automatic') = 1",
                self.state["a_audit"],
            )
            print(f"  automatic actions in the staff's name: {auto}")
            staff_rows = self.staff_actions_since(self.state["a_audit"])
            self.state["a_staff"] = staff_rows
            if staff_rows:
                raise StepFailed(f"staff actions during journey A: {staff_rows}")
            a_ok["done"] = True

        self.step(
            "A1-A7 山田ロボティクス: tiers (de) -> sign up -> confirm -> apply by card -> auto-approved "
            "-> pays -> signs -> auto-countersigned -> active, no staff action",
            a_journey,
        )
        if a_ok["done"]:
            self.step(
                "A8 the executed PDF verifies at /verify",
                lambda: self.verify_executed(a, "A", browser, "de-DE"),
            )

            def a_dashboard():
                self.goto(a, "/dashboard")
                self.shot2(a, "A", "dashboard")
                self.goto(a, "/account")
                self.extra_shot(a, "A-account.png")
                self.check_language(a, "A")
                self.goto(a, "/seite-gibt-es-nicht", expect_status=404)  # the error page, with its reference
                self.extra_shot(a, "A-not-found.png")

            self.step("A9 the dashboard and account page", a_dashboard)

        # --- B: France, French UI, bank transfer ------------------------------------------
        b_ctx = self.context(browser, "B", "fr-FR", "Europe/Paris")
        b = b_ctx.new_page()
        lumiere = {
            "legal_name": "Lumière Analytique SAS",
            "country": "FR",
            "full_name": "Camille Durand",
            "job_title": "Directrice générale",
            "email": "camille.durand@lumiere-analytique.example",
        }
        b_ok = {"done": False}

        def b_partner_applies():
            self.state["b_t0"] = time.monotonic()
            self.goto(b, "/tiers")
            self.shot2(b, "B", "tiers")
            self.sign_up(b, "B", "partner", lumiere)
            self.confirm_email(b, "B", lumiere, "partner")
            self.apply(
                b,
                "B",
                "partner",
                "invoice",
                "FR40303265045",
                "12 rue de la Paix\n75002 Paris",
                "303 265 045 RCS Paris",
            )

        def b_staff_approve():
            t = time.monotonic()
            self.goto(staff, "/admin/")
            self.shot2(staff, "B", "console-work-queue", phone=False)
            self.approve(staff, "Lumière Analytique", "Priya Natarajan", shots=False)
            self.state["b_staff_s"] = time.monotonic() - t

        def b_partner_signs():
            self.goto(b, "/membership")
            self.shot2(b, "B", "membership-invoice")
            self.state["b_number"] = self.sign(b, "B")
            self.goto(b, "/membership")
            self.shot2(b, "B", "membership-awaiting-payment")

        def b_staff_import():
            t = time.monotonic()
            ref, total, number = self.db(
                "SELECT i.payment_reference, i.total_cents, i.number FROM invoice i JOIN membership m "
                "ON m.id = i.membership_id JOIN organisation o ON o.id = m.organisation_id "
                "WHERE o.legal_name = ? ORDER BY i.id DESC LIMIT 1",
                lumiere["legal_name"],
            )[0]
            print(f"  invoice {number}: reference {ref!r}, {total / 100:.2f} EUR")
            xml = CAMT_TEMPLATE.read_text(encoding="utf-8").replace("{amount}", f"{total / 100:.2f}")
            xml = xml.replace("{reference}", ref).replace("{bank_ref}", f"BNP-{date.today():%Y%m%d}-0001")
            xml = xml.replace("2025-12-31", date.today().isoformat())
            camt = self.extra / f"camt053-{date.today():%Y%m%d}.xml"
            camt.write_text(xml, encoding="utf-8")
            self.goto(staff, "/admin/bank-statements")
            staff.set_input_files("#file", str(camt))
            self.submit(
                staff,
                staff.get_by_role("button", name="Import statement"),
                expect_path=r"^/admin/bank-statements/\d+$",
            )
            self.expect_text(staff, ".alert-success", "1 matched")
            self.shot2(staff, "B", "console-bank-statement", phone=False)
            self.state["b_staff_s"] += time.monotonic() - t

        def b_active():
            self.goto(b, "/membership")
            final = self.membership_status(lumiere["legal_name"])
            self.timings["B"] = time.monotonic() - self.state["b_t0"]
            self.shot2(b, "B", "membership-active")
            if final != "active":
                raise StepFailed(f"the membership is {final!r}, not active")
            b_ok["done"] = True

        if self.step(
            "B1 Lumière (fr): tiers -> sign up -> confirm -> apply by bank transfer", b_partner_applies
        ):
            if self.step("B2 staff approve in the console (no rule covers invoices)", b_staff_approve):
                if self.step("B3 Lumière signs the agreement", b_partner_signs):
                    if self.step("B4 staff import a camt.053 statement; it pays the invoice", b_staff_import):
                        self.step("B5 the membership is active (standing countersignature)", b_active)
        if b_ok["done"]:
            self.step(
                "B6 the executed PDF verifies at /verify",
                lambda: self.verify_executed(b, "B", browser, "fr-FR"),
            )

            def b_dashboard():
                self.goto(b, "/dashboard")
                self.shot2(b, "B", "dashboard")
                self.goto(b, "/page-introuvable", expect_status=404)
                self.extra_shot(b, "B-not-found.png")

            self.step("B7 the dashboard", b_dashboard)

        # --- C: English quick pass ----------------------------------------------------------
        c_ctx = self.context(browser, "C", "en-GB", "Europe/London")
        c = c_ctx.new_page()

        def c_partner():
            self.goto(c, "/")  # the landing page, as a visitor
            self.extra_shot(c, "C-landing.png")
            self.login_partner(c, "owner@acme.example")
            for step, path in (
                ("dashboard", "/dashboard"),
                ("membership", "/membership"),
                ("agreements", "/agreements"),
                ("organisation", "/organisation"),
                ("account", "/account"),
                ("tiers", "/tiers"),
            ):
                self.goto(c, path)
                self.shot2(c, "C", step, phone=False)

        def c_console():
            self.goto(staff, "/admin/")
            self.shot2(staff, "C", "console-overview", phone=False)
            self.goto(staff, "/admin/audit")
            self.shot2(staff, "C", "console-audit", phone=False)
            self.goto(staff, "/admin/approval-rules")
            self.shot2(staff, "C", "console-approval-rules", phone=False)
            self.goto(staff, "/admin/standing-countersignatures")
            self.shot2(staff, "C", "console-standing", phone=False)
            # the template editor and its scrollable "Fields you can use" panel
            self.goto(staff, "/admin/agreement-templates")
            self.click_nav(staff, staff.locator("main a[href*='/admin/agreement-templates/']"))
            self.shot2(staff, "C", "console-template", phone=False)
            self.goto(staff, "/admin/no-such-page", expect_status=404)
            self.extra_shot(staff, "C-console-not-found.png")

        self.step("C1 Acme's owner: the main partner pages in English", c_partner)
        self.step("C2 console overview, audit log, rules, standing countersignatures, a template", c_console)
        for ctx in (staff_ctx, a_ctx, b_ctx, c_ctx):
            ctx.close()

    def report(self) -> int:
        print("\nSubmissions (document POSTs) and timings:")
        for label in ("A", "B"):
            posts = self.submissions.get(label, [])
            print(f"  {label}: {len(posts)} form submissions: {', '.join(posts)}")
            if label in self.timings:
                print(f"     wall-clock to active membership: {self.timings[label]:.1f}s")
        if "b_staff_s" in self.state:
            print(f"  B: of which staff time in the console (script): {self.state['b_staff_s']:.1f}s")
        if "a_staff" in self.state:
            print(f"  A: staff audit events during the journey: {len(self.state['a_staff'])}")
        print(f"  staff submissions (setup, B, C): {len(self.submissions.get('staff', []))}")
        log = self.server.log_text()
        subjects = re.findall(r"email to=(\S+) subject=(.*)", log)
        intl = [(to, s) for to, s in subjects if "example" in to and ("yamada" in to or "lumiere" in to)]
        print(f"\nEmails to the two companies ({len(intl)}):")
        for to, subject in intl:
            print(f"  {to}: {subject}")
        return super().report()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=5081, help="port of the development server")
    parser.add_argument("--db", default="/tmp/walk-international.db", help="SQLite file, rebuilt each run")
    parser.add_argument("--log", default="/tmp/walk-international-server.log", help="the server's log")
    parser.add_argument("--app-dir", default=str(ROOT), help="checkout to serve (its .venv runs flask)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "international"))
    parser.add_argument(
        "--extra-dir", default="/tmp/walk-international-extra", help="review-only screenshots"
    )
    parser.add_argument("--pdf", default="/tmp/walk-international-invoice.pdf")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for a page")
    parser.add_argument(
        "--axe",
        action="store_true",
        help="check every page with axe-core (WCAG 2.1 A/AA) at 1280 and 390 px; exit 1 on a violation",
    )
    parser.add_argument("--axe-out", default="/tmp/liaison-a11y", help="where --axe writes report.md/json")
    args = parser.parse_args()

    fake = FakeStripe().start()
    fake.add_price(PARTNER_PRICE, PARTNER_CENTS, product_name="Industry Partnership Programme: Partner")
    fake.add_price(ASSOCIATE_PRICE, ASSOCIATE_CENTS, product_name="Industry Partnership Programme: Associate")
    print(f"- fake Stripe on {fake.base_url}")
    server = Server(args, fake.base_url)
    try:
        print(f"- fresh database {args.db}, demo data")
        server.prepare()
        print("- development server")
        server.start(timeout=60)
        walk = International(args, server, fake)
        if args.axe:
            walk.axe = Axe(server.base)
        status = walk.run()
        if walk.axe is not None and walk.axe.write(Path(args.axe_out), "walkthrough_international.py"):
            status = status or 1
        return status
    except StepFailed as exc:
        print(f"  FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
