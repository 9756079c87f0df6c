"""What the browser walkthroughs share: Chromium's flags, the CSP listener, and page steps that
check where they landed (goto, submit, expect_text) and record a step's outcome (step, run)."""

from __future__ import annotations

import re
import sys

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}

# Runs before any page script; reports CSP violations through the console (tagged).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('[CSP] ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') +
                ' at ' + (e.sourceFile || location.href) + ':' + (e.lineNumber || 0));
});
"""


class StepFailed(Exception):
    pass


class BrowserSteps:
    """Base of a walkthrough: subclasses set `base` and `results`, and define `journeys` and `report`."""

    base: str
    results: list[tuple[str, str]]

    def run(self) -> int:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                self.journeys(browser)
            finally:
                browser.close()
        return self.report()

    def journeys(self, browser: Browser) -> None:  # pragma: no cover - defined by each walkthrough
        raise NotImplementedError

    def report(self) -> int:  # pragma: no cover - defined by each walkthrough
        raise NotImplementedError

    def goto(self, page: Page, path: str, expect_status: int = 200) -> None:
        url = path if path.startswith("http") else self.base + path
        resp = page.goto(url, wait_until="load")
        if resp is None or resp.status != expect_status:
            status = resp.status if resp else "no response"
            raise StepFailed(f"GET {url} answered {status}, expected {expect_status}")

    def submit(self, page: Page, button, expect_path: str | None = None, expect_status: int | None = None):
        """Click a submit button and wait for the resulting navigation (and check where it went)."""
        with page.expect_navigation(wait_until="load") as nav:
            button.click()
        resp = nav.value
        status = resp.status if resp else None
        if expect_status is not None and status != expect_status:
            raise StepFailed(
                f"submit on {page.url}: got HTTP {status}, expected {expect_status}{self.page_errors(page)}"
            )
        if expect_path is not None and not re.search(expect_path, page.url.replace(self.base, "", 1)):
            raise StepFailed(
                f"after submitting, browser is on {page.url}, expected a path matching "
                f"{expect_path!r} (HTTP {status}){self.page_errors(page)}"
            )
        return resp

    @staticmethod
    def page_errors(page: Page) -> str:
        texts = page.locator(".alert-danger, .invalid-feedback").all_inner_texts()
        return ("; page says: " + " | ".join(t.strip() for t in texts)) if texts else ""

    def expect_text(self, page: Page, selector: str, text: str) -> None:
        loc = page.locator(selector, has_text=text)
        try:
            loc.first.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:
            shown = " | ".join(t.strip()[:200] for t in page.locator(selector).all_inner_texts()[:5])
            raise StepFailed(
                f"on {page.url}: expected {selector!r} containing {text!r}; found: {shown or 'nothing'}"
            ) from None

    def step(self, name: str, fn) -> bool:
        print(f"- {name}")
        try:
            fn()
        except (StepFailed, PlaywrightError, AssertionError, KeyError, ValueError) as exc:
            self.results.append((name, f"FAILED: {type(exc).__name__}: {exc}"))
            print(f"  FAILED: {exc}", file=sys.stderr)
            return False
        self.results.append((name, "ok"))
        return True
