#!/usr/bin/env python3
"""Walk through Liaison as a new company, an invited colleague and TTO staff, taking screenshots.

Usage (Playwright for Python in its own venv, system Chromium, no `playwright install`):

    python3 -m venv /tmp/pw && /tmp/pw/bin/pip install -q playwright
    /tmp/pw/bin/python scripts/walkthrough.py http://127.0.0.1:5000 /path/to/server.log

The server's log is where the development mail backend prints emails; the confirmation and
invitation links are read from it. Staff two-factor codes come from
`flask --app wsgi portal demo-totp EMAIL`, run in --app-dir (the checkout the server runs from).

Screenshots (full page, 1280 px wide; two at 390 px) go to --out (default docs/screenshots next to
this script). Console messages, page errors, CSP violations, failed requests and HTTP errors are
collected and printed at the end; the exit code is non-zero if a step failed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page
from walkthrough_kit import CSP_LISTENER, DESKTOP, BrowserSteps, StepFailed

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
PASSWORD = "Quiet-meadow-bridge-5"
COLLEAGUE_PASSWORD = "Amber-lantern-harbour-8"
STAFF_EMAIL = "admin@liaison.example"
STAFF_PASSWORD = "liaison-demo-2026"


class Walkthrough(BrowserSteps):
    def __init__(self, args: argparse.Namespace) -> None:
        self.base = args.base_url.rstrip("/")
        self.log_path = Path(args.log_file)
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.extra = Path(args.extra_dir) if args.extra_dir else None
        if self.extra:
            self.extra.mkdir(parents=True, exist_ok=True)
        self.app_dir = Path(args.app_dir)
        self.timeout = args.timeout * 1000
        self.run_id = time.strftime("%H%M%S") + uuid.uuid4().hex[:4]
        self.owner_email = f"walk-{self.run_id}@example.com"
        self.colleague_email = f"colleague-{self.run_id}@example.com"
        self.company = f"Brightwater Sensors {self.run_id} Ltd"
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.messages: list[str] = []  # console, page errors, CSP, HTTP errors
        self.results: list[tuple[str, str]] = []
        self.shots: list[str] = []

    # --- plumbing -------------------------------------------------------------------------

    def new_context(self, browser: Browser, label: str, viewport=DESKTOP) -> BrowserContext:
        ctx = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="Europe/Berlin")
        ctx.set_default_timeout(self.timeout)
        ctx.set_default_navigation_timeout(self.timeout)
        ctx.add_init_script(CSP_LISTENER)
        ctx.on("page", lambda page: self.watch(page, label))
        return ctx

    def watch(self, page: Page, label: str) -> None:
        def on_console(msg):
            if msg.type in ("error", "warning") or msg.text.startswith("[CSP]"):
                self.messages.append(f"[{label}] console.{msg.type} on {page.url}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.messages.append(f"[{label}] page error on {page.url}: {exc}"))
        page.on(
            "requestfailed",
            lambda req: self.messages.append(f"[{label}] request failed {req.url}: {req.failure}"),
        )

        def on_response(resp):
            # 400 after a deliberately invalid form is expected; report everything else >= 400.
            if resp.status >= 400 and not (resp.status == 400 and resp.request.method == "POST"):
                self.messages.append(f"[{label}] HTTP {resp.status} {resp.request.method} {resp.url}")

        page.on("response", on_response)
        page.on("dialog", lambda dialog: dialog.accept())

    def shot(self, page: Page, name: str, full_page: bool = True) -> None:
        path = self.out / name
        page.wait_for_load_state("load")
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="initial")
        self.shots.append(str(path))
        print(f"  screenshot {path}")

    def extra_shot(self, page: Page, name: str, full_page: bool = False) -> None:
        if self.extra:
            page.screenshot(path=str(self.extra / name), full_page=full_page)

    def link_from_log(self, to: str, path_prefix: str, wait: float = 15.0) -> str:
        """The newest link starting with BASE_URL + path_prefix in an email to `to`."""
        pattern = re.compile(re.escape(self.base) + re.escape(path_prefix) + r"[^\s\"'<>]+")
        deadline = time.time() + wait
        while True:
            with self.log_path.open("r", encoding="utf-8", errors="replace") as fh:
                fh.seek(self.log_offset)
                text = fh.read()
            found = None
            for block in re.split(r"(?=email to=)", text):
                if block.startswith(f"email to={to} ") or block.startswith(f"email to={to}\n"):
                    links = pattern.findall(block)
                    if links:
                        found = links[-1]
            if found:
                return found
            if time.time() > deadline:
                raise StepFailed(
                    f"no email to {to} with a link starting {self.base}{path_prefix} in {self.log_path} "
                    f"(read {len(text)} new characters; is the server logging mail there, and is its "
                    f"BASE_URL {self.base}?)"
                )
            time.sleep(0.5)

    def totp(self, email: str) -> str:
        cmd = [str(self.app_dir / ".venv/bin/flask"), "--app", "wsgi", "portal", "demo-totp", email]
        proc = subprocess.run(cmd, cwd=self.app_dir, capture_output=True, text=True, timeout=60)
        code = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        if proc.returncode != 0 or not re.fullmatch(r"\d{6}", code):
            raise StepFailed(
                f"`{' '.join(cmd)}` in {self.app_dir} failed ({proc.returncode}): "
                f"{proc.stdout.strip()} {proc.stderr.strip()[-500:]}"
            )
        return code

    # --- journeys ---------------------------------------------------------------------------

    def journeys(self, browser: Browser) -> None:
        owner_ctx = self.new_context(browser, "owner")
        owner = owner_ctx.new_page()
        state: dict[str, str] = {}

        def landing():
            self.goto(owner, "/")
            self.shot(owner, "landing.png")
            with owner.expect_navigation(wait_until="load"):
                owner.get_by_role("link", name="Become a partner").first.click()
            if "/signup" not in owner.url:
                raise StepFailed(f"'Become a partner' led to {owner.url}, not /signup")
            self.shot(owner, "signup.png")

        def signup_errors():
            owner.fill("#full_name", "Robin Walker")
            owner.fill("#email", self.owner_email)
            owner.select_option("#country", "GB")
            owner.fill("#password", "short-pw")
            owner.fill("#confirm", "short-pw")
            owner.check("#accept")
            self.submit(owner, owner.get_by_role("button", name="Create account"), expect_path=r"^/signup")
            summary = owner.locator(".alert-danger")
            if not summary.count():
                raise StepFailed("sign-up with a short password and no company name showed no error summary")
            text = summary.inner_text()
            if "Company legal name" not in text:
                raise StepFailed(f"error summary does not mention the missing company name: {text!r}")
            if "Password" not in text:
                self.messages.append(
                    "[ux] sign-up: the too-short password is not reported together with the "
                    f"missing company name; the summary only says {text!r}"
                )
            self.shot(owner, "signup-errors.png")
            self.extra_shot(owner, "signup-errors-top.png")

        def signup():
            owner.fill("#legal_name", self.company)
            owner.select_option("#country", "GB")
            owner.fill("#full_name", "Robin Walker")
            owner.fill("#job_title", "Head of R&D")
            owner.fill("#email", self.owner_email)
            owner.fill("#password", PASSWORD)
            owner.fill("#confirm", PASSWORD)
            if not owner.is_checked("#accept"):
                owner.check("#accept")
            self.submit(
                owner, owner.get_by_role("button", name="Create account"), expect_path=r"^/signup/check-email"
            )
            self.expect_text(owner, "h1", "Check your email")
            self.shot(owner, "check-email.png")

        def verify():
            link = self.link_from_log(self.owner_email, "/verify-email/")
            print(f"  confirmation link {link[:60]}…")
            self.goto(owner, link)
            self.shot(owner, "verify.png")
            self.submit(
                owner, owner.get_by_role("button", name=re.compile("Confirm", re.I)), expect_path=r"^/login"
            )
            self.expect_text(owner, ".alert", "confirmed")

        def login():
            self.shot(owner, "login.png")
            self.focus_walk(owner)
            owner.fill("#email", self.owner_email)
            owner.fill("#password", PASSWORD)
            self.submit(
                owner, owner.get_by_role("button", name="Sign in", exact=True), expect_path=r"^/dashboard"
            )
            self.expect_text(owner, "h1", "Welcome")
            self.shot(owner, "dashboard.png")

        def organisation():
            self.goto(owner, "/organisation")
            owner.fill("#trading_name", "Brightwater")
            owner.fill("#website", "https://brightwater.example.com")
            owner.fill("#address_line1", "12 Harbour Street")
            owner.fill("#postcode", "BS1 4RN")
            owner.fill("#city", "Bristol")
            owner.select_option("#sector", index=2)
            owner.select_option("#size_band", index=1)
            self.submit(
                owner, owner.get_by_role("button", name="Save profile"), expect_path=r"^/organisation"
            )
            self.expect_text(owner, ".alert", "Company profile saved")
            self.extra_shot(owner, "organisation-saved.png", full_page=True)

        def invite():
            owner.fill("#email", self.colleague_email)
            self.submit(
                owner, owner.get_by_role("button", name="Send invitation"), expect_path=r"^/organisation"
            )
            self.expect_text(owner, ".alert", "Invitation sent")
            self.expect_text(owner, "#colleagues", self.colleague_email)
            owner.wait_for_timeout(200)
            box = owner.locator(".alert-success").first.bounding_box()
            height = owner.viewport_size["height"]
            if box is None or box["y"] + box["height"] <= 0 or box["y"] >= height:
                self.messages.append(
                    "[ux] organisation: after 'Send invitation' the browser lands on "
                    f"{owner.url.replace(self.base, '')} "
                    f"and the success message is out of view (y={box and round(box['y'])})"
                )
            self.extra_shot(owner, "after-invite-viewport.png")
            owner.evaluate("window.scrollTo(0, 0)")
            self.shot(owner, "organisation.png")

        def account():
            self.goto(owner, "/account")
            self.shot(owner, "account.png")

        def phone_dashboard():
            owner.set_viewport_size(PHONE)
            self.goto(owner, "/dashboard")
            self.shot(owner, "dashboard-phone.png")
            toggler = owner.locator(".navbar-toggler")
            if toggler.is_visible():
                toggler.click()
                owner.locator("#main-nav.show").wait_for(state="visible")
                owner.wait_for_timeout(400)
                self.extra_shot(owner, "dashboard-phone-menu.png")
            owner.set_viewport_size(DESKTOP)

        def colleague():
            link = self.link_from_log(self.colleague_email, "/invitations/")
            print(f"  invitation link {link[:60]}…")
            ctx = self.new_context(browser, "colleague")
            page = ctx.new_page()
            self.goto(page, link)
            self.expect_text(page, "h1", "Join")
            self.shot(page, "invitation-accept.png")
            page.fill("#full_name", "Sam Okafor")
            page.fill("#job_title", "Research engineer")
            page.fill("#password", COLLEAGUE_PASSWORD)
            page.fill("#confirm", COLLEAGUE_PASSWORD)
            page.check("#accept")
            self.submit(
                page, page.get_by_role("button", name=re.compile("^Join")), expect_path=r"^/dashboard"
            )
            self.expect_text(page, "h1", "Welcome")
            self.shot(page, "colleague-dashboard.png")
            self.goto(page, "/organisation")
            self.extra_shot(page, "colleague-organisation.png", full_page=True)
            ctx.close()

        def staff():
            ctx = self.new_context(browser, "staff")
            page = ctx.new_page()
            state["staff_ctx"] = "open"
            try:
                self.goto(page, "/login")
                page.fill("#email", STAFF_EMAIL)
                page.fill("#password", STAFF_PASSWORD)
                self.submit(
                    page, page.get_by_role("button", name="Sign in", exact=True), expect_path=r"^/login/2fa"
                )
                if "/setup" in page.url:
                    raise StepFailed(
                        "the demo admin was sent to 2FA setup; demo data should have TOTP enabled"
                    )
                self.shot(page, "2fa.png")
                for attempt in (1, 2):
                    page.fill("#code", self.totp(STAFF_EMAIL))
                    self.submit(page, page.get_by_role("button", name="Verify"))
                    if page.url.replace(self.base, "").startswith("/admin"):
                        break
                    if attempt == 1:  # code already used in this 30 s window (replay protection)
                        wait = 31 - int(time.time()) % 30
                        print(f"  code refused, waiting {wait}s for the next one")
                        time.sleep(wait)
                else:
                    raise StepFailed(f"two-factor code refused twice; on {page.url}{self.page_errors(page)}")
                self.extra_shot(page, "admin-index.png", full_page=True)
                for path, name in (
                    ("/admin/users", "admin-users.png"),
                    ("/admin/organisations", "admin-organisations.png"),
                    ("/admin/audit", "audit.png"),
                ):
                    self.goto(page, path)
                    self.shot(page, name)
                self.goto(page, "/account")
                self.extra_shot(page, "admin-account.png", full_page=True)
            finally:
                ctx.close()

        def landing_phone():
            ctx = self.new_context(browser, "phone", viewport=PHONE)
            page = ctx.new_page()
            self.goto(page, "/")
            self.shot(page, "landing-phone.png")
            ctx.close()

        ok = (
            self.step("visitor opens / and goes to sign-up", landing)
            and self.step("sign-up with short password and no company name shows errors", signup_errors)
            and self.step("sign-up creates the company account", signup)
            and self.step("confirmation link from the log confirms the email", verify)
            and self.step("owner signs in and sees the dashboard", login)
        )
        if ok:
            self.step("owner saves part of the company profile", organisation)
            invited = self.step("owner invites a colleague", invite)
            self.step("owner opens account settings", account)
            self.step("owner's dashboard at phone width", phone_dashboard)
            if invited:
                self.step("colleague accepts the invitation and sees the dashboard", colleague)
        owner_ctx.close()
        self.step("staff admin signs in with 2FA and visits the console", staff)
        self.step("landing page at phone width", landing_phone)

    FOCUS_INFO = """() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const label = (el.getAttribute('aria-label') || el.innerText || el.value ||
                     el.id || el.name || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0)
                   || (cs.boxShadow && cs.boxShadow !== 'none' && !/rgba\\(0, 0, 0, 0\\)/.test(cs.boxShadow));
      const r = el.getBoundingClientRect();
      return {tag: el.tagName.toLowerCase(), cls: el.className, label, ring,
              visible: r.width > 1 && r.height > 1,
              outline: cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor};
    }"""

    def focus_walk(self, page: Page, presses: int = 16) -> None:
        """Tab through the login page as loaded (focus starts where autofocus puts it) and check
        that every stop shows a focus style; then Shift+Tab back to the skip link."""
        start = page.evaluate(self.FOCUS_INFO)
        print(f"  Tab order on the login page (autofocus on {start and start['label']!r}):")
        seen = 0
        for i in range(1, presses + 1):
            page.keyboard.press("Tab")
            info = page.evaluate(self.FOCUS_INFO)
            if info is None:
                print(f"    {i:2}: (left the page: back to the browser UI)")
                break
            seen += 1
            flag = "focus ring" if info["ring"] and info["visible"] else "NO VISIBLE FOCUS STYLE"
            print(f"    {i:2}: <{info['tag']}> {info['label']!r}: {flag} ({info['outline']})")
            if flag != "focus ring":
                self.messages.append(
                    f"[a11y] login page: <{info['tag']}> {info['label']!r} has no visible focus style"
                )
            self.extra_shot(page, f"login-focus-{i:02}.png")
        page.locator("#email").focus()
        for i in range(1, 15):
            page.keyboard.press("Shift+Tab")
            info = page.evaluate(self.FOCUS_INFO)
            if info and "skip-link" in str(info["cls"]):
                print(
                    f"    skip link reached with {i} Shift+Tab from the email field; "
                    f"{'visible' if info['visible'] else 'NOT visible'} when focused"
                )
                self.extra_shot(page, "login-skip-link.png")
                break
        else:
            self.messages.append("[a11y] login page: no skip link reachable with Shift+Tab")
        page.evaluate("document.activeElement && document.activeElement.blur()")

    def report(self) -> int:
        print("\nSteps:")
        for name, result in self.results:
            print(f"  {'✔' if result == 'ok' else '✘'} {name}: {result}")
        print(
            f"\nAccounts created: owner {self.owner_email}, colleague {self.colleague_email} "
            f"(password {PASSWORD} / {COLLEAGUE_PASSWORD})"
        )
        print(f"\nScreenshots ({len(self.shots)}):")
        for s in self.shots:
            print(f"  {s}")
        print(f"\nConsole messages, page errors, CSP violations, HTTP errors ({len(self.messages)}):")
        for m in self.messages or ["  none"]:
            print(f"  {m}")
        return 0 if all(r == "ok" for _, r in self.results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url", help="the server's BASE_URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("log_file", help="the server's log file (emails are printed there)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="screenshot folder")
    parser.add_argument("--extra-dir", help="also save review-only screenshots (focus states, menus) here")
    parser.add_argument(
        "--app-dir",
        default=str(ROOT),
        help="checkout the server runs from (its .venv gives the demo TOTP code)",
    )
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait for a page")
    args = parser.parse_args()
    if not Path(args.log_file).exists():
        parser.error(f"log file {args.log_file} does not exist")
    return Walkthrough(args).run()


if __name__ == "__main__":
    sys.exit(main())
