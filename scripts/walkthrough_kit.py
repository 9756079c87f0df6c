"""What the browser walkthroughs share: Chromium's flags, the CSP listener, page steps that
check where they landed (goto, submit, expect_text) and record a step's outcome (step, run), and
the accessibility audit (Axe): with --axe, every page a step lands on is checked by axe-core at
1280 and 390 px against WCAG 2.1 A and AA."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path

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
PHONE = {"width": 390, "height": 844}

AXE_DIR = Path(__file__).resolve().parent.parent / "tests" / "a11y" / "vendor"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Runs before any page script; reports CSP violations through the console (tagged).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('[CSP] ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') +
                ' at ' + (e.sourceFile || location.href) + ':' + (e.lineNumber || 0));
});
"""


class StepFailed(Exception):
    pass


class Axe:
    """axe-core (tests/a11y/vendor/axe.min.js, vendored by scripts/vendor_axe.sh) run in the page at
    each width. The script is evaluated through the DevTools protocol, which the portal's CSP does not
    govern, so the page's own policy stays in force. A page is checked again only when its markup
    changed (the CSRF token aside): a form that failed validation is checked, the same page
    reloaded is not. Only the portal's own pages (under `base`) are checked."""

    def __init__(self, base: str, widths=(DESKTOP, PHONE)) -> None:
        self.base = base
        self.widths = widths
        self.source = (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")
        self.version = (AXE_DIR / "VERSION").read_text(encoding="utf-8").split("\n")[0]
        self.seen: set[tuple[str, str]] = set()
        self.checks: list[dict] = []  # one per page x width: url, width, label, violations
        self.seconds = 0.0

    def check(self, page: Page, label: str) -> None:
        url = page.url
        if not url.startswith(self.base):
            return
        t0 = time.monotonic()
        markup = re.sub(r'(name="csrf_token"[^>]*value=|nonce=)"[^"]*"', r"\1", page.content())
        key = (url, hashlib.sha256(markup.encode()).hexdigest())
        if key in self.seen:
            return
        self.seen.add(key)
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source + "\n;true")
        before = page.viewport_size
        for size in self.widths:
            if page.viewport_size != size:
                page.set_viewport_size(size)
                page.wait_for_timeout(100)
            result = page.evaluate(
                "(tags) => axe.run(document, "
                "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                AXE_TAGS,
            )
            violations = [
                {
                    "rule": v["id"],
                    "impact": v.get("impact"),
                    "help": v.get("help"),
                    "help_url": v.get("helpUrl"),
                    "nodes": [
                        {
                            "target": n.get("target"),
                            "html": (n.get("html") or "")[:300],
                            "summary": (n.get("failureSummary") or "")[:400],
                        }
                        for n in v.get("nodes", [])
                    ],
                }
                for v in result["violations"]
            ]
            path = url[len(self.base) :] or "/"
            self.checks.append(
                {"url": path, "width": size["width"], "label": label, "violations": violations}
            )
            for v in violations:
                print(f"  axe {size['width']}px {path}: {v['rule']} ({v['impact']}) x{len(v['nodes'])}")
        if before and page.viewport_size != before:
            page.set_viewport_size(before)
        self.seconds += time.monotonic() - t0

    def violations(self) -> list[dict]:
        return [dict(v, url=c["url"], width=c["width"]) for c in self.checks for v in c["violations"]]

    def write(self, out: Path, title: str) -> int:
        """report.json (every check) and report.md (by rule) in `out`; returns the violation count."""
        out.mkdir(parents=True, exist_ok=True)
        found = self.violations()
        pages = sorted({c["url"] for c in self.checks})
        (out / "report.json").write_text(
            json.dumps(
                {"axe": self.version, "tags": AXE_TAGS, "checks": self.checks}, indent=1, ensure_ascii=False
            ),
            encoding="utf-8",
        )
        by_rule: dict[str, list[dict]] = {}
        for v in found:
            by_rule.setdefault(v["rule"], []).append(v)
        lines = [
            f"# Accessibility: {title}",
            "",
            f"{self.version}; tags {', '.join(AXE_TAGS)}; {len(self.checks)} checks "
            f"({len(pages)} distinct URLs x widths {', '.join(str(w['width']) for w in self.widths)} px) "
            f"in {self.seconds:.0f}s; **{len(found)} violations**.",
            "",
        ]
        for rule, items in sorted(by_rule.items()):
            lines += [f"## {rule} ({items[0]['impact']}): {items[0]['help']}", "", items[0]["help_url"], ""]
            for v in items:
                for n in v["nodes"]:
                    lines.append(
                        f"- {v['url']} at {v['width']} px: `{' '.join(n['target'])}` `{n['html'][:160]}`"
                    )
            lines.append("")
        lines += ["## Pages checked", ""] + [f"- {p}" for p in pages]
        (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(
            f"\nAccessibility (axe-core, WCAG 2.1 A/AA): {len(self.checks)} checks of {len(pages)} URLs, "
            f"{self.seconds:.0f}s; {len(found)} violations; report in {out}/report.md"
        )
        for rule, items in sorted(by_rule.items()):
            where = sorted({f"{v['url']} ({v['width']})" for v in items})
            print(
                f"  {rule}: {sum(len(v['nodes']) for v in items)} nodes on {', '.join(where[:6])}"
                + (" ..." if len(where) > 6 else "")
            )
        return len(found)


class BrowserSteps:
    """Base of a walkthrough: subclasses set `base` and `results`, and define `journeys` and `report`."""

    base: str
    results: list[tuple[str, str]]
    axe: Axe | None = None

    def audit(self, page: Page, label: str = "") -> None:
        """With --axe: check the page the browser is on (see Axe.check)."""
        if self.axe is not None:
            self.axe.check(page, label)

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
        self.audit(page, "goto")

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
        self.audit(page, "submit")
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
