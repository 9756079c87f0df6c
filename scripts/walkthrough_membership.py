#!/usr/bin/env python3
"""Walk through Liaison's membership and agreement journeys as partners and TTO staff, with screenshots.

A) Invoice path: Kumo Materials (Japan, no membership yet) compares the tiers, applies for Partner,
   staff approve it and pick an account owner, the partner downloads the invoice PDF, Kumo's
   signatory signs the partnership agreement, staff record a partial payment and then the rest, an
   admin countersigns, the membership becomes active, the partner downloads the executed PDF, and
   /verify confirms it and rejects a copy with one byte changed.
B) Card path against a fake Stripe (tests/support/stripe_fake.FakeStripe, run inside this script): an admin
   gives the Partner tier a Stripe price id, Nordlicht Energy (Norway) applies, staff approve, the
   partner pays by card in a stand-in Checkout page, the signed `checkout.session.completed` webhook
   records the payment, the agreement is signed and countersigned, the membership is active; then
   the billing portal and "Do not renew".
C) Acme's signatory accepts the mutual NDA on the NDA gate page.

The script starts its own development server, because the server needs the fake's address:

    .venv/bin/python scripts/walkthrough_membership.py    # Playwright is in requirements/dev.lock
    .venv/bin/python scripts/walkthrough_membership.py --axe --out /tmp/shots   # as a11y_check.sh

It starts FakeStripe, builds a fresh SQLite database (--db, `flask db upgrade` and
`flask portal seed-demo`), serves it with `flask --app wsgi run --port 5079` from --app-dir with
STRIPE_SECRET_KEY=sk_test_x, STRIPE_WEBHOOK_SECRET=whsec_x and STRIPE_API_BASE=<the fake>, logs to
--log, waits for /healthz and stops the server at the end. Staff two-factor codes come from
`flask --app wsgi portal demo-totp` run with the same environment.

Screenshots (full page, 1280 px wide) go to --out (default docs/screenshots, names membership-*.png);
review-only screenshots (the stand-in Stripe pages, intermediate states) go to --extra-dir. The invoice
PDF is saved as --pdf and its first page converted with pdftoppm into --out. Console messages, page
errors, CSP violations, failed requests, HTTP errors and server tracebacks are printed at the end;
the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route
from playwright.sync_api import Error as PlaywrightError
from walkthrough_kit import CSP_LISTENER, DESKTOP, Axe, BrowserSteps, StepFailed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.stripe_fake import FakeStripe, signed_event  # noqa: E402

DEMO_PASSWORD = "liaison-demo-2026"
STAFF_EMAIL = "admin@liaison.example"
INVOICE_OWNER = "owner@kumo.example"  # Kumo Materials K.K., Japan
CARD_OWNER = "owner@nordlicht.example"  # Nordlicht Energy AS, Norway
STRIPE_SECRET = "sk_test_x"
WEBHOOK_SECRET = "whsec_x"
PRICE_ID = "price_partner"
PRICE_CENTS = 25_000_00


FAKE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;background:#f6f9fc;margin:0;padding:4rem}}
main{{max-width:30rem;margin:auto;background:#fff;border-radius:8px;padding:2rem;
box-shadow:0 2px 8px rgba(0,0,0,.1)}}code{{word-break:break-all}}</style></head>
<body><main><h1>{title}</h1><p>Stand-in for Stripe, served by the walkthrough.</p>
<p><code>{url}</code></p></main></body></html>"""


class Server:
    """The development server, with a fresh database, pointed at the fake Stripe."""

    def __init__(self, args: argparse.Namespace, stripe_base: str) -> None:
        self.app_dir = Path(args.app_dir)
        self.port = args.port
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_path = Path(args.db)
        self.log_path = Path(args.log)
        self.flask = str(self.app_dir / ".venv/bin/flask")
        self.env = {
            **os.environ,
            "LIAISON_ENV": "development",
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "BASE_URL": self.base,
            "STRIPE_SECRET_KEY": STRIPE_SECRET,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe_base,
            # the fake Stripe's checkout and portal pages, which the browser must be allowed to reach
            "CSP_FORM_ACTION_EXTRA": "https://checkout.stripe.test,https://billing.stripe.test",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("FLASK_DEBUG", None)
        self.proc: subprocess.Popen | None = None
        self.log_file = None

    def flask_cmd(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [self.flask, "--app", "wsgi", *args]
        proc = subprocess.run(
            cmd, cwd=self.app_dir, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise StepFailed(
                f"`{' '.join(cmd)}` failed ({proc.returncode}): {proc.stdout[-800:]} {proc.stderr[-1500:]}"
            )
        return proc

    def prepare(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        self.flask_cmd("db", "upgrade")
        print("  " + self.flask_cmd("portal", "seed-demo").stdout.strip().splitlines()[0])

    def start(self, timeout: float = 30) -> None:
        if _port_answers(self.base):
            raise StepFailed(f"something already answers on {self.base}; stop it or pass --port")
        self.log_file = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [self.flask, "--app", "wsgi", "run", "--port", str(self.port), "--no-reload"],
            cwd=self.app_dir,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise StepFailed(f"the server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        print(f"  server pid {self.proc.pid} answers on {self.base} (log {self.log_path})")
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise StepFailed(f"{self.base}/healthz did not answer within {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self.log_file is not None:
            self.log_file.close()

    def totp(self, email: str) -> str:
        out = self.flask_cmd("portal", "demo-totp", email, timeout=60).stdout.strip()
        code = out.splitlines()[-1] if out else ""
        if not re.fullmatch(r"\d{6}", code):
            raise StepFailed(f"demo-totp printed {out!r}, not a six-digit code")
        return code

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def _port_answers(base: str) -> bool:
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False
    return True


class Walkthrough(BrowserSteps):
    def __init__(self, args: argparse.Namespace, server: Server, fake: FakeStripe) -> None:
        self.args = args
        self.server = server
        self.fake = fake
        self.base = server.base
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.extra = Path(args.extra_dir)
        self.extra.mkdir(parents=True, exist_ok=True)
        self.pdf_path = Path(args.pdf)
        self.timeout = args.timeout * 1000
        self.messages: list[str] = []
        self.notes: list[str] = []  # observations worth a look (wording, states), not failures
        self.results: list[tuple[str, str]] = []
        self.shots: list[str] = []
        self.state: dict = {}

    # --- plumbing (as in scripts/walkthrough.py) -------------------------------------------

    def new_context(self, browser: Browser, label: str) -> BrowserContext:
        ctx = browser.new_context(
            viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin", accept_downloads=True
        )
        ctx.set_default_timeout(self.timeout)
        ctx.set_default_navigation_timeout(self.timeout)
        ctx.add_init_script(CSP_LISTENER)
        ctx.on("page", lambda page: self.watch(page, label))
        return ctx

    def watch(self, page: Page, label: str) -> None:
        def on_console(msg):
            if msg.type in ("error", "warning") or msg.text.startswith("[CSP]"):
                self.messages.append(f"[{label}] console.{msg.type} on {page.url}: {msg.text}")

        def on_response(resp):
            if resp.status >= 400 and not (resp.status == 400 and resp.request.method == "POST"):
                self.messages.append(f"[{label}] HTTP {resp.status} {resp.request.method} {resp.url}")

        def on_dialog(dialog):
            self.notes.append(
                f"[{label}] {dialog.type} on {page.url.replace(self.base, '')}: {dialog.message!r}"
            )
            dialog.accept()

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.messages.append(f"[{label}] page error on {page.url}: {exc}"))

        def on_failed(req):
            # A download (the invoice PDF, Content-Disposition: attachment) ends its navigation as
            # ERR_ABORTED in Chromium; that is how downloads look, not a failure.
            # The favicon request is sometimes cut off the same way when a step navigates at once.
            if req.url.endswith(("/pdf", "/favicon.svg")) and "ERR_ABORTED" in (req.failure or ""):
                return
            self.messages.append(f"[{label}] request failed {req.url}: {req.failure}")

        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        page.on("dialog", on_dialog)

    def shot(self, page: Page, name: str) -> None:
        path = self.out / name
        page.wait_for_load_state("load")
        self.audit(page, name)
        self.check_width(page, name)
        page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in docs
        # 1280 px wide even when the page overflows (check_width reports it): what the window shows.
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": height},
            animations="disabled",
            caret="initial",
        )
        self.shots.append(str(path))
        print(f"  screenshot {path}")

    def check_width(self, page: Page, name: str) -> None:
        """A page wider than the window scrolls sideways (and makes a full-page screenshot wider)."""
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > DESKTOP["width"] + 1:
            self.messages.append(
                f"[layout] {page.url.replace(self.base, '')} ({name}) is {width}px wide in a "
                f"{DESKTOP['width']}px window: it scrolls sideways"
            )

    def extra_shot(self, page: Page, name: str) -> None:
        self.audit(page, name)
        self.check_width(page, name)
        page.screenshot(path=str(self.extra / name), full_page=True, animations="disabled")
        print(f"  review shot {self.extra / name}")

    def login_partner(self, page: Page, email: str) -> None:
        self.goto(page, "/login")
        page.fill("#email", email)
        page.fill("#password", DEMO_PASSWORD)
        self.submit(page, page.get_by_role("button", name="Sign in", exact=True), expect_path=r"^/dashboard")

    def login_staff(self, page: Page) -> None:
        self.goto(page, "/login")
        page.fill("#email", STAFF_EMAIL)
        page.fill("#password", DEMO_PASSWORD)
        self.submit(page, page.get_by_role("button", name="Sign in", exact=True), expect_path=r"^/login/2fa")
        for attempt in (1, 2):
            page.fill("#code", self.server.totp(STAFF_EMAIL))
            self.submit(page, page.get_by_role("button", name="Verify"))
            if page.url.replace(self.base, "").startswith("/admin"):
                return
            if attempt == 1:  # the code was used in this 30 s window already (replay protection)
                wait = 31 - int(time.time()) % 30
                print(f"  code refused, waiting {wait}s for the next one")
                time.sleep(wait)
        raise StepFailed(f"two-factor code refused twice; on {page.url}{self.page_errors(page)}")

    def post_webhook(self, event: dict) -> dict:
        payload, signature = signed_event(event, WEBHOOK_SECRET)
        req = urllib.request.Request(
            self.base + "/billing/webhook",
            data=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                body = resp.read().decode()
                status = resp.status
        except urllib.error.HTTPError as exc:
            raise StepFailed(f"webhook {event['type']} answered {exc.code}: {exc.read()[:300]!r}") from None
        print(f"  webhook {event['type']} -> {status} {body.strip()}")
        if status != 200:
            raise StepFailed(f"webhook {event['type']} answered {status}: {body}")
        return json.loads(body)

    def leave_for_stripe(self, page: Page, button_name: str, host: str) -> None:
        """Click a form button whose POST answers 303 to `host` and follow it like a payer would.
        If the browser refuses (CSP form-action applies to the redirect), record it as a failed
        check and follow the redirect by hand (same cookies, same form fields) so the walk goes on."""
        button = page.get_by_role("button", name=button_name)
        if not button.count():
            raise StepFailed(f"no {button_name!r} button on {page.url}{self.page_errors(page)}")
        form_action = button.locator("xpath=ancestor::form[1]").get_attribute("action")
        origin = page.url
        pattern = re.compile(r"^https://" + re.escape(host) + "/")
        try:
            with page.expect_navigation(url=pattern, wait_until="load", timeout=8000):
                button.click()
            self.results.append((f"browser follows {button_name!r} to {host}", "ok"))
            return
        except PlaywrightError as exc:
            page.wait_for_timeout(300)
            csp = [m for m in self.messages if "[CSP]" in m and "form-action" in m]
            reason = csp[-1] if csp else str(exc).splitlines()[0]
            if not csp and "ERR_NAME_NOT_RESOLVED" in reason:
                # The browser did leave for the payment host; the stand-in host has no DNS and
                # Playwright cannot route a navigation reached by redirect. That is success here.
                self.messages[:] = [m for m in self.messages if host not in m]
                self.results.append((f"browser follows {button_name!r} to {host}", "ok"))
                print(f"  the browser left for {host} (the stand-in host has no DNS)")
                self.goto(page, origin)
                reason = ""
            if reason:
                self.results.append(
                    (
                        f"browser follows {button_name!r} to {host}",
                        f"FAILED: the browser stayed on {page.url} ({reason}); continuing by following "
                        "the redirect outside the browser",
                    )
                )
            if reason:
                print(f"  FAILED in the browser: {reason}", file=sys.stderr)
            if reason and page.url == origin:
                stuck = button.is_disabled()
                self.extra_shot(page, f"blocked-{host.split('.')[0]}.png")
                if stuck:
                    self.notes.append(
                        f"{page.url.replace(self.base, '')}: after the blocked {button_name!r} the button "
                        "stays disabled and nothing tells the payer what happened"
                    )
        if page.url != origin:
            self.goto(page, origin)
        token = page.locator(f"form[action='{form_action}'] input[name=csrf_token]").input_value()
        resp = page.request.post(self.base + form_action, form={"csrf_token": token}, max_redirects=0)
        location = resp.headers.get("location", "")
        print(f"  POST {form_action} -> {resp.status} {location}")
        if resp.status != 303 or not pattern.match(location):
            raise StepFailed(f"POST {form_action} answered {resp.status} {location!r}")
        page.goto(location, wait_until="load")

    # --- shared steps --------------------------------------------------------------------

    def apply_for_partner(self, page: Page, prefix: str, with_error: bool) -> None:
        self.goto(page, "/tiers")
        if prefix == "membership-":
            self.shot(page, "membership-tiers.png")
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name=re.compile(r"Apply for Partner")).click()
        if not re.search(r"^/membership/apply\?tier=partner", page.url.replace(self.base, "")):
            raise StepFailed(f"'Apply for Partner' led to {page.url}")
        self.expect_text(page, "h1", "Apply for membership")
        chosen = page.locator("#tier").input_value()
        if chosen != "partner":
            raise StepFailed(f"the tier select shows {chosen!r}, not the Partner tier the partner clicked")
        prefilled = {
            f: page.locator(f"#{f}").input_value()
            for f in ("signatory_name", "signatory_title", "billing_name", "billing_email", "billing_address")
        }
        print(f"  prefilled: {prefilled}")
        page.fill(
            "#interests", "Bio-based coatings and battery separator materials; open to joint PhD projects."
        )
        page.select_option("#heard_from", "event")
        for selector, value in (
            ("#registration_number", "0100-01-654321"),
            ("#address_line1", "2-4-1 Marunouchi"),
            ("#postcode", "100-0005"),
            ("#city", "Tokyo"),
        ):
            if not page.locator(selector).input_value():
                page.fill(selector, value)
        if not prefilled["signatory_name"]:
            page.fill("#signatory_name", "Haruto Sato")
            page.fill("#signatory_title", "Director, Open Innovation")
        if with_error:
            self.shot(page, "membership-apply.png")
            keep = page.locator("#signatory_name").input_value()
            page.fill("#signatory_name", "")
            resp = self.submit(
                page,
                page.get_by_role("button", name="Submit the application"),
                expect_path=r"^/membership/apply",
            )
            if resp is not None and resp.status != 400:
                self.notes.append(
                    f"apply: the refused form answers HTTP {resp.status} (other refused forms answer 400)"
                )
            self.expect_text(page, ".alert-danger", "signatory")
            self.expect_text(page, "#signatory_name-error", "")
            print(f"  error summary: {page.locator('.alert-danger').inner_text().strip()!r}")
            print(f"  field error: {page.locator('#signatory_name-error').inner_text().strip()!r}")
            focused = page.evaluate("document.activeElement && document.activeElement.className")
            if "alert" not in str(focused):
                self.notes.append(f"apply: after the failed submit, focus is on {focused!r}, not the summary")
            self.shot(page, "membership-apply-error.png")
            # Did the other answers survive the failed submit?
            if (
                page.locator("#interests").input_value() == ""
                or page.locator("#tier").input_value() != "partner"
            ):
                raise StepFailed("the failed submit lost the other answers (interests or tier)")
            page.fill("#signatory_name", keep)
        self.submit(
            page, page.get_by_role("button", name="Submit the application"), expect_path=r"^/membership$"
        )
        self.expect_text(page, ".alert-success", "Thank you")
        self.expect_text(page, "main", "Your application for Partner")

    def approve(self, staff: Page, company: str, officer: str, shots: bool) -> None:
        self.goto(staff, "/admin/applications")
        self.expect_text(staff, "table", company)
        if shots:
            self.shot(staff, "membership-queue.png")
        with staff.expect_navigation(wait_until="load"):
            staff.get_by_role("link", name=re.compile(company)).first.click()
        self.expect_text(staff, "h1", company)
        if shots:
            self.shot(staff, "membership-application.png")
        staff.select_option("#account_owner", label=officer)
        self.submit(
            staff,
            staff.get_by_role("button", name="Approve the application"),
            expect_path=r"^/admin/applications/\d+$",
        )
        self.expect_text(staff, ".alert-success", "approved")
        self.extra_shot(staff, f"application-approved-{company.split()[0].lower()}.png")

    def sign_agreement(self, page: Page, shots: bool) -> str:
        """The partner's signatory opens the agreement waiting for them, downloads it and signs it."""
        self.goto(page, "/agreements")
        self.expect_text(page, ".alert-warning", "waiting for a signature")
        if shots:
            self.shot(page, "agreements-partner-list.png")
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name=re.compile("Review and sign")).click()
        self.expect_text(page, "h1", "Partnership Agreement")
        number = page.locator(".lead").first.inner_text().split("·")[0].strip()
        with page.expect_download() as dl:
            page.get_by_role("link", name="Download the PDF").first.click()
        if not dl.value.suggested_filename.endswith("-for-signature.pdf"):
            raise StepFailed(f"download named {dl.value.suggested_filename}")
        if not page.locator("#full_name").input_value():
            self.notes.append("sign form: the signatory's name is not prefilled")
        page.check("#confirm")
        if shots:
            self.shot(page, "agreement-sign.png")
        self.submit(
            page, page.get_by_role("button", name="Sign the agreement"), expect_path=r"^/agreements/\d+$"
        )
        self.expect_text(page, ".alert-success", "Signed")
        if shots:
            self.shot(page, "agreement-signed-partner.png")
        return number

    def countersign(self, staff: Page, number: str, shots: bool) -> None:
        self.goto(staff, "/admin/agreements?status=partner_signed")
        self.expect_text(staff, "table", number)
        if shots:
            self.shot(staff, "agreements-admin-list.png")
        with staff.expect_navigation(wait_until="load"):
            staff.get_by_role("link", name=number, exact=True).click()
        self.expect_text(staff, "h2", "Countersign for the institution")
        staff.check("#confirm")
        if shots:
            self.shot(staff, "agreement-countersign.png")
        self.submit(
            staff,
            staff.get_by_role("button", name="Countersign and execute"),
            expect_path=r"^/admin/agreements/\d+$",
        )
        self.expect_text(staff, ".alert-success", "is executed")
        if "PDF could not be produced" in staff.content():
            raise StepFailed("the executed PDF was not produced")
        if shots:
            self.shot(staff, "agreement-executed-admin.png")

    def pdf_pages(self, pdf: Path, name: str, pages: list[int]) -> None:
        """PNG pages of a PDF into the screenshot folder (pdftoppm), to look at."""
        for number in pages:
            prefix = self.extra / f"{name}-tmp"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", str(number), "-l", str(number), str(pdf), str(prefix)],
                check=True,
                timeout=60,
            )
            made = sorted(self.extra.glob(f"{name}-tmp-*.png"))
            if len(made) != 1:
                raise StepFailed(f"pdftoppm made {made}, expected one PNG")
            target = self.out / f"{name}-{number}.png"
            shutil.move(str(made[0]), target)
            self.shots.append(str(target))
            print(f"  screenshot {target} (page {number} of {pdf})")

    # --- journeys ------------------------------------------------------------------------

    def journeys(self, browser: Browser) -> None:
        staff_ctx = self.new_context(browser, "staff")
        staff = staff_ctx.new_page()
        kumo_ctx = self.new_context(browser, "kumo")
        kumo = kumo_ctx.new_page()
        nord_ctx = self.new_context(browser, "nordlicht")
        nord = nord_ctx.new_page()
        acme_ctx = self.new_context(browser, "acme")
        acme = acme_ctx.new_page()

        # --- A) invoice path ---------------------------------------------------------------

        def a_apply():
            self.login_partner(kumo, INVOICE_OWNER)
            self.extra_shot(kumo, "kumo-dashboard-before.png")
            if (
                "coming to the\n          portal soon" in kumo.content()
                or kumo.get_by_text(re.compile(r"applying online is coming to the\s+portal soon")).count()
            ):
                self.notes.append(
                    "dashboard (registered company): says applying online is 'coming to the portal soon', "
                    "but /tiers and /membership/apply are live"
                )
            self.goto(kumo, "/membership")
            self.extra_shot(kumo, "kumo-membership-before.png")
            self.apply_for_partner(kumo, "membership-", with_error=True)
            self.shot(kumo, "membership-submitted.png")

        def a_staff_approves():
            self.login_staff(staff)
            self.approve(staff, "Kumo Materials", "Priya Natarajan", shots=True)

        def a_partner_sees_invoice():
            self.goto(kumo, "/membership")
            self.expect_text(kumo, "main", "Your application is approved")
            self.expect_text(kumo, "table", "INV-")
            self.shot(kumo, "membership-awaiting-payment.png")
            if kumo.get_by_role("button", name=re.compile("Pay by card")).count():
                self.notes.append("kumo: card payment offered although the tier has no Stripe price yet")
            with kumo.expect_download() as dl:
                kumo.get_by_role("link", name="Download PDF").first.click()
            download = dl.value
            print(f"  downloaded {download.suggested_filename}")
            self.state["invoice_filename"] = download.suggested_filename
            download.save_as(str(self.pdf_path))
            if self.pdf_path.read_bytes()[:5] != b"%PDF-":
                raise StepFailed(f"{self.pdf_path} is not a PDF")
            prefix = self.out / "membership-invoice-pdf"
            target = self.out / "membership-invoice-pdf.png"
            for stale in [target, *self.out.glob("membership-invoice-pdf-*.png")]:
                stale.unlink(missing_ok=True)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(self.pdf_path), str(prefix)],
                check=True,
                timeout=60,
            )
            made = list(self.out.glob("membership-invoice-pdf-*.png"))  # pdftoppm appends -1 (or -01)
            if len(made) != 1:
                raise StepFailed(f"pdftoppm made {made}, expected one PNG")
            shutil.move(str(made[0]), target)
            self.shots.append(str(target))
            print(f"  screenshot {target} (page 1 of {self.pdf_path})")
            if shutil.which("pdftotext"):
                text = subprocess.run(
                    ["pdftotext", "-layout", str(self.pdf_path), "-"], capture_output=True, text=True
                ).stdout
                (self.extra / "invoice.txt").write_text(text, encoding="utf-8")

        def a_staff_records_payments():
            self.goto(staff, "/admin/invoices")
            self.expect_text(staff, "table", "Kumo")
            self.extra_shot(staff, "admin-invoices.png")
            with staff.expect_navigation(wait_until="load"):
                staff.locator("tr", has_text="Kumo").get_by_role(
                    "link", name=re.compile("INV-")
                ).first.click()
            self.expect_text(staff, "h1", "Invoice INV-")
            balance = staff.locator("#amount").input_value()
            print(f"  amount field prefilled with the balance: {balance}")
            self.extra_shot(staff, "admin-invoice-open.png")
            staff.fill("#amount", "10000.00")
            staff.fill("#reference", "MUFG 20260114-001 partial")
            self.submit(
                staff,
                staff.get_by_role("button", name="Record payment"),
                expect_path=r"^/admin/invoices/\d+$",
            )
            self.expect_text(staff, ".alert-success", "Payment recorded")
            rest = staff.locator("#amount").input_value()
            print(f"  after the partial payment the amount field shows {rest}")
            self.extra_shot(staff, "admin-invoice-partial.png")
            staff.fill("#reference", "MUFG 20260121-002 balance")
            self.submit(
                staff,
                staff.get_by_role("button", name="Record payment"),
                expect_path=r"^/admin/invoices/\d+$",
            )
            self.expect_text(staff, ".alert-success", "Payment recorded")
            self.expect_text(staff, ".page-header", "Paid")
            self.shot(staff, "membership-invoice-admin.png")

        def a_partner_signs():
            self.goto(kumo, "/dashboard")
            self.expect_text(kumo, ".alert-warning", "waiting for your signature")
            self.extra_shot(kumo, "kumo-dashboard-to-sign.png")
            self.state["kumo_agreement"] = self.sign_agreement(kumo, shots=True)

        def a_paid_awaiting_countersignature():
            self.goto(kumo, "/membership")
            self.expect_text(kumo, "main", "Thank you, your payment has arrived")
            self.extra_shot(kumo, "kumo-membership-paid-awaiting-signature.png")

        def a_admin_countersigns():
            self.countersign(staff, self.state["kumo_agreement"], shots=True)

        def a_partner_active():
            self.goto(kumo, "/membership")
            self.expect_text(kumo, "main", "active")
            self.shot(kumo, "membership-active.png")
            self.goto(kumo, "/dashboard")
            self.extra_shot(kumo, "kumo-dashboard-active.png")

        def a_download_executed_and_verify():
            self.goto(kumo, "/agreements")
            self.expect_text(kumo, "table", "Executed")
            with kumo.expect_navigation(wait_until="load"):
                kumo.get_by_role("link", name=self.state["kumo_agreement"], exact=True).click()
            self.shot(kumo, "agreement-executed-partner.png")
            with kumo.expect_download() as dl:
                kumo.get_by_role("link", name="Download the PDF").first.click()
            if not dl.value.suggested_filename.endswith("-executed.pdf"):
                raise StepFailed(f"the executed download is named {dl.value.suggested_filename}")
            pdf = Path(self.args.agreement_pdf)
            dl.value.save_as(str(pdf))
            data = pdf.read_bytes()
            pages = int(
                re.search(
                    r"Pages:\s+(\d+)",
                    subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
                ).group(1)
            )
            print(f"  executed PDF: {pages} pages, {len(data):,} bytes")
            self.pdf_pages(pdf, "agreement-pdf", [1, pages - 1, pages])
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
            ).stdout
            (self.extra / "agreement-executed.txt").write_text(text, encoding="utf-8")
            for expected in (
                "Certificate of execution",
                "Haruto Sato",
                "Kumo Materials K.K.",
                "EUR 25,000.00",
            ):
                if expected not in text:
                    raise StepFailed(f"the executed PDF does not say {expected!r}")
            # /verify, as someone the partner sent the PDF to: not signed in.
            visitor_ctx = self.new_context(kumo.context.browser, "visitor")
            visitor = visitor_ctx.new_page()
            self.goto(visitor, "/verify")
            visitor.set_input_files("#document", str(pdf))
            self.submit(visitor, visitor.get_by_role("button", name="Verify the file"))
            self.expect_text(visitor, ".alert-success", "Genuine and unaltered")
            self.shot(visitor, "agreement-verify-genuine.png")
            changed = bytearray(data)
            changed[len(changed) // 2] ^= 0x01
            altered = self.extra / "agreement-one-byte-changed.pdf"
            altered.write_bytes(bytes(changed))
            self.goto(visitor, "/verify")
            visitor.set_input_files("#document", str(altered))
            self.submit(visitor, visitor.get_by_role("button", name="Verify the file"))
            self.expect_text(visitor, ".alert-danger", "Not verified")
            self.shot(visitor, "agreement-verify-altered.png")
            visitor_ctx.close()

        # --- B) card path ------------------------------------------------------------------

        def b_tier_price():
            self.goto(staff, "/admin/tiers")
            self.extra_shot(staff, "admin-tiers.png")
            with staff.expect_navigation(wait_until="load"):
                staff.get_by_role("link", name="Partner", exact=True).click()
            self.expect_text(staff, "h1", "Partner")
            staff.fill("#stripe_price_id", PRICE_ID)
            self.shot(staff, "membership-tier-edit.png")
            self.submit(staff, staff.get_by_role("button", name="Save tier"), expect_path=r"^/admin/tiers$")
            self.expect_text(staff, ".alert-success", "saved")
            self.extra_shot(staff, "admin-tiers-saved.png")

        def b_apply_and_approve():
            self.login_partner(nord, CARD_OWNER)
            self.goto(nord, "/membership")
            if "is being reviewed" not in nord.content() and "Submitted" not in nord.content():
                self.apply_for_partner(nord, "card-", with_error=False)  # the demo seed may have applied
            self.extra_shot(nord, "nordlicht-submitted.png")
            self.approve(staff, "Nordlicht Energy", "Oscar Mbeki", shots=False)

        def b_pay_by_card():
            self.goto(nord, "/membership")
            self.shot(nord, "membership-card-offer.png")

            def checkout(route: Route) -> None:
                route.fulfill(
                    status=200,
                    content_type="text/html",
                    body=FAKE_PAGE.format(title="Fake Stripe Checkout", url=route.request.url),
                )

            nord.route("https://checkout.stripe.test/**", checkout)
            self.leave_for_stripe(nord, "Pay by card (Stripe)", "checkout.stripe.test")
            match = re.match(r"^https://checkout\.stripe\.test/pay/([^/?#]+)", nord.url)
            if not match:
                raise StepFailed(f"Pay by card went to {nord.url}, not https://checkout.stripe.test/pay/<id>")
            session_id = match.group(1)
            print(f"  Stripe Checkout session {session_id}")
            self.state["session_id"] = session_id
            self.extra_shot(nord, "stripe-checkout-fake.png")
            self.fake.complete_checkout(session_id)
            session = self.fake.checkout_sessions[session_id]
            # Stripe sends the payer to success_url, usually before the webhook arrives.
            success = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            print(f"  success_url {success}")
            self.goto(nord, success)
            self.expect_text(nord, "h1", "confirming")
            self.extra_shot(nord, "card-return-before-webhook.png")
            answer = self.post_webhook(self.fake.event("checkout.session.completed", session))
            if answer.get("duplicate"):
                raise StepFailed(f"the first delivery was treated as a duplicate: {answer}")
            self.goto(nord, "/membership/card-return")
            self.expect_text(nord, "h1", "your payment is through")
            self.shot(nord, "membership-card-return.png")
            number = self.sign_agreement(nord, shots=False)
            self.countersign(staff, number, shots=False)
            self.goto(nord, "/membership")
            self.expect_text(nord, "main", "active")
            self.shot(nord, "membership-card-active.png")
            # The bank invoice was voided by the card payment: what does its PDF say now?
            link = nord.locator("tr", has_text="Void").get_by_role("link", name="Download PDF")
            if link.count() and shutil.which("pdftotext"):
                href = link.first.get_attribute("href")
                pdf = nord.context.request.get(self.base + href).body()
                void_pdf = self.extra / "void-invoice.pdf"
                void_pdf.write_bytes(pdf)
                text = subprocess.run(
                    ["pdftotext", "-layout", str(void_pdf), "-"], capture_output=True, text=True
                ).stdout
                if not re.search(r"\bvoid|cancel", text, re.I):
                    due = re.search(r"Total due.*", text)
                    self.notes.append(
                        f"membership: the voided invoice's PDF ({href}) has no VOID mark; it still reads "
                        f"{' '.join(due.group(0).split()) if due else '(no total)'!r} with the bank details"
                    )

        def b_billing_portal():
            def portal(route: Route) -> None:
                route.fulfill(
                    status=200,
                    content_type="text/html",
                    body=FAKE_PAGE.format(title="Fake Stripe billing portal", url=route.request.url),
                )

            nord.route("https://billing.stripe.test/**", portal)
            self.goto(nord, "/membership")
            self.leave_for_stripe(nord, "Card, receipts and billing details", "billing.stripe.test")
            print(f"  billing portal {nord.url}")
            self.extra_shot(nord, "stripe-billing-portal-fake.png")
            portal_session = next(iter(self.fake.portal_sessions.values()), None)
            if portal_session and portal_session.get("return_url") != self.base + "/membership":
                self.notes.append(f"billing portal return_url is {portal_session.get('return_url')}")

        def b_do_not_renew():
            self.goto(nord, "/membership")
            self.submit(nord, nord.get_by_role("button", name="Do not renew"), expect_path=r"^/membership$")
            self.expect_text(nord, ".alert-success", "will not renew")
            sub_id = next(iter(self.fake.subscriptions))
            sub = self.fake.subscriptions[sub_id]
            if sub["cancel_at_period_end"] is not True:
                raise StepFailed(
                    f"Stripe subscription {sub_id} has cancel_at_period_end={sub['cancel_at_period_end']}"
                )
            self.shot(nord, "membership-card-not-renewing.png")
            # Stripe then sends customer.subscription.updated; the page must stay the same.
            self.post_webhook(self.fake.event("customer.subscription.updated", sub))
            self.goto(nord, "/membership")
            self.expect_text(nord, "main", "Ends with the period")
            self.extra_shot(nord, "card-after-subscription-updated.png")

        a_ok = self.step("A1 Kumo owner compares tiers and applies for Partner (with one error)", a_apply)
        staff_ok = self.step(
            "A2 staff signs in with 2FA, opens the queue and approves Kumo", a_staff_approves
        )
        if a_ok and staff_ok:
            self.step("A3 Kumo sees the invoice and downloads the PDF", a_partner_sees_invoice)
            signed = self.step("A4 Kumo's signatory signs the partnership agreement", a_partner_signs)
            if self.step("A5 staff record a partial payment, then the rest", a_staff_records_payments):
                self.step("A6 paid: Kumo waits for the countersignature", a_paid_awaiting_countersignature)
                if signed and self.step("A7 an admin countersigns", a_admin_countersigns):
                    self.step("A8 Kumo's membership is active", a_partner_active)
                    self.step(
                        "A9 Kumo downloads the executed PDF; /verify confirms it, rejects a changed byte",
                        a_download_executed_and_verify,
                    )
        if staff_ok and self.step("B1 admin sets the Partner tier's Stripe price id", b_tier_price):
            if self.step("B2 Nordlicht applies for Partner and staff approve", b_apply_and_approve):
                if self.step("B3 Nordlicht pays by card, signs; an admin countersigns", b_pay_by_card):
                    self.step("B4 Nordlicht opens the billing portal", b_billing_portal)
                    self.step("B5 Nordlicht chooses 'Do not renew'", b_do_not_renew)

        def c_nda():
            self.login_partner(acme, "owner@acme.example")
            self.goto(acme, "/agreements")
            self.extra_shot(acme, "acme-agreements.png")
            with acme.expect_navigation(wait_until="load"):
                acme.get_by_role("link", name="Read the NDA").click()
            acme.check("#confirm")
            self.shot(acme, "agreement-nda.png")
            self.submit(acme, acme.get_by_role("button", name="Accept the NDA"), expect_path=r"^/nda")
            self.expect_text(acme, ".alert-success", "accepted the NDA")
            self.extra_shot(acme, "acme-nda-accepted.png")

        self.step("C1 Acme's signatory accepts the mutual NDA", c_nda)
        for ctx in (staff_ctx, kumo_ctx, nord_ctx, acme_ctx):
            ctx.close()

    def report(self) -> int:
        log = self.server.log_text()
        for block in re.findall(r"Traceback \(most recent call last\):.*?(?=\n\S|\Z)", log, flags=re.S):
            self.messages.append("[server] " + block.strip().splitlines()[-1][:300])
        for line in log.splitlines():
            if re.search(r"\b(ERROR|CRITICAL)\b", line):
                self.messages.append(f"[server] {line[:300]}")
        if self.fake.errors:
            self.messages.extend(f"[fake stripe] {e!r}" for e in self.fake.errors)
        print("\nSteps:")
        for name, result in self.results:
            print(f"  {'✔' if result == 'ok' else '✘'} {name}: {result}")
        subjects = re.findall(r"email to=(\S+) subject=(.*)", log)
        print(f"\nEmails sent ({len(subjects)}):")
        for to, subject in subjects:
            print(f"  {to}: {subject}")
        print(f"\nScreenshots ({len(self.shots)}):")
        for s in self.shots:
            print(f"  {s}")
        print(f"Review-only screenshots in {self.extra}")
        print(f"\nNotes ({len(self.notes)}):")
        for n in self.notes or ["none"]:
            print(f"  {n}")
        print(
            f"\nConsole messages, page errors, CSP violations, HTTP and server errors ({len(self.messages)}):"
        )
        for m in self.messages or ["none"]:
            print(f"  {m}")
        return 0 if self.results and all(r == "ok" for _, r in self.results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=5079, help="port of the development server")
    parser.add_argument("--db", default="/tmp/walk-membership.db", help="SQLite file, rebuilt each run")
    parser.add_argument("--log", default="/tmp/walk-membership-server.log", help="the server's log")
    parser.add_argument("--app-dir", default=str(ROOT), help="checkout to serve (its .venv runs flask)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="screenshot folder")
    parser.add_argument("--extra-dir", default="/tmp/walk-membership-extra", help="review-only screenshots")
    parser.add_argument("--pdf", default="/tmp/invoice.pdf", help="where the downloaded invoice is saved")
    parser.add_argument(
        "--agreement-pdf", default="/tmp/agreement-executed.pdf", help="where the executed agreement is saved"
    )
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait for a page")
    parser.add_argument(
        "--axe",
        action="store_true",
        help="check every page with axe-core (WCAG 2.1 A/AA) at 1280 and 390 px; exit 1 on a violation",
    )
    parser.add_argument(
        "--axe-out", default="/tmp/liaison-a11y-membership", help="where --axe writes reports"
    )
    args = parser.parse_args()

    fake = FakeStripe().start()
    fake.add_price(PRICE_ID, PRICE_CENTS, product_name="Industry Partnership Programme: Partner")
    print(f"- fake Stripe on {fake.base_url}")
    server = Server(args, fake.base_url)
    try:
        print(f"- fresh database {args.db}, demo data")
        server.prepare()
        print("- development server")
        server.start()
        walk = Walkthrough(args, server, fake)
        if args.axe:
            walk.axe = Axe(server.base)
        status = walk.run()
        if walk.axe is not None and walk.axe.write(Path(args.axe_out), "walkthrough_membership.py"):
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
