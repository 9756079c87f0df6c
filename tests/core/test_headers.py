"""Security headers on every kind of page, no inline script or style (the CSP forbids them),
and no open redirect through the `next` parameter of the login."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest

from portal.partners.models import OrgRole

from ..support.browser import location, next_totp_code, text
from ..support.factories import PASSWORD, commit, make_partner, make_staff, make_user
from ..support.world import make_invitation

ANONYMOUS_PAGES = ["/", "/login", "/signup", "/reset-password", "/no-such-page", "/healthz"]
PARTNER_PAGES = ["/dashboard", "/organisation"]
STAFF_PAGES = ["/admin/", "/admin/users", "/admin/audit"]

SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline <script> and <style>
    blocks, style="" attributes, on*="" event handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script_has_src = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            self._script_has_src = bool(names.get("src"))
            if not self._script_has_src:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}">')
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and self._script_has_src and data.strip():
            self.found.append("<script src> with inline code")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture
def people(ctx):
    """An owner whose organisation has a colleague and an open invitation (so the pages show
    their tables and buttons), and a staff user."""
    owner = make_partner()
    make_user(owner.organisation, {OrgRole.MEMBER})
    make_invitation(owner.organisation, owner)
    staff = make_staff()
    commit()
    return owner, staff


def walk(make_browser, people) -> list[tuple[str, object]]:
    owner, staff = people
    visited = []
    anonymous = make_browser()
    visited += [(path, anonymous.get(path)) for path in ANONYMOUS_PAGES]
    partner = make_browser()
    assert location(partner.login(owner.email)) == "/dashboard"
    visited += [(path, partner.get(path)) for path in PARTNER_PAGES]
    console = make_browser()
    assert location(console.login_staff(staff)) == "/admin/"
    visited += [(path, console.get(path)) for path in STAFF_PAGES]
    return visited


def test_walked_pages_answer_as_expected(make_browser, people):
    statuses = {path: response.status_code for path, response in walk(make_browser, people)}
    assert statuses == {**dict.fromkeys(statuses, 200), "/no-such-page": 404}


def test_security_headers_on_every_page(make_browser, people):
    problems = []
    for path, response in walk(make_browser, people):
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            if directive not in csp:
                problems.append(f"{path}: CSP lacks {directive}")
        if "'unsafe-inline'" in csp:
            problems.append(f"{path}: CSP allows 'unsafe-inline'")
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{path}: X-Content-Type-Options is {headers.get('X-Content-Type-Options')!r}")
        if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
            problems.append(f"{path}: Referrer-Policy is {headers.get('Referrer-Policy')!r}")
        if headers.get("X-Frame-Options") != "DENY":
            problems.append(f"{path}: X-Frame-Options is {headers.get('X-Frame-Options')!r}")
        if "no-store" not in headers.get("Cache-Control", ""):
            problems.append(f"{path}: Cache-Control is {headers.get('Cache-Control')!r}")
        if not headers.get("X-Request-ID"):
            problems.append(f"{path}: no X-Request-ID")
    assert not problems, "\n".join(problems)


def test_request_ids_are_unique_per_request(browser):
    ids = {browser.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_404_page_quotes_the_request_id_of_its_response(browser):
    response = browser.get("/no-such-page")
    assert response.status_code == 404
    request_id = response.headers.get("X-Request-ID")
    assert request_id and len(request_id) >= 16
    assert request_id in text(response)
    assert "Page not found" in text(response)


def test_no_inline_script_or_style_on_any_page(make_browser, people):
    problems = []
    for path, response in walk(make_browser, people):
        if response.mimetype != "text/html":
            continue
        problems += [f"{path}: {found}" for found in inline_code(text(response))]
    assert not problems, "\n".join(problems)


def test_the_inline_code_detector_detects(browser):
    """Control: the walk above would notice inline code if a template had some."""
    html = (
        '<script src="/static/js/site.js"></script><script>alert(1)</script>'
        '<p style="color:red" onclick="x()"><a href="javascript:void(0)">x</a></p><style>p{}</style>'
    )
    assert len(inline_code(html)) == 5
    assert inline_code('<script src="/static/js/site.js" defer></script><p class="x">ok</p>') == []


def test_static_files_are_not_forced_uncached_but_keep_the_security_headers(browser):
    response = browser.get("/static/js/site.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    response.close()


# --- hostile `next` after login -------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example",
    "https://evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
]


def assert_on_site(response) -> str:
    assert response.status_code == 302
    target = response.headers["Location"]
    parts = urlsplit(target)
    assert not parts.scheme and not parts.netloc, target
    assert target.startswith("/") and not target.startswith("//"), target
    assert "\\" not in target and not any(ord(c) < 32 for c in target), target
    return target


def login_url(next_value: str) -> str:
    return "/login?" + urlencode({"next": next_value})


@pytest.mark.parametrize("next_value", HOSTILE_NEXT)
def test_hostile_next_is_ignored_after_partner_login(ctx, browser, next_value):
    user = make_partner()
    commit()
    response = browser.post(login_url(next_value), {"email": user.email, "password": PASSWORD})
    assert assert_on_site(response) == "/dashboard"


@pytest.mark.parametrize("next_value", HOSTILE_NEXT)
def test_hostile_next_is_ignored_after_staff_second_factor(app, ctx, browser, next_value):
    staff = make_staff()
    commit()
    response = browser.post(login_url(next_value), {"email": staff.email, "password": PASSWORD})
    assert assert_on_site(response) == "/login/2fa"
    response = browser.post("/login/2fa", {"code": next_totp_code(app, staff)})
    assert assert_on_site(response) == "/admin/"


def test_a_same_site_next_is_honoured(app, ctx, make_browser):
    user = make_partner()
    staff = make_staff()
    commit()
    browser = make_browser()
    response = browser.post(login_url("/organisation"), {"email": user.email, "password": PASSWORD})
    assert assert_on_site(response) == "/organisation"

    browser = make_browser()
    browser.post(login_url("/admin/users?q=x"), {"email": staff.email, "password": PASSWORD})
    response = browser.post("/login/2fa", {"code": next_totp_code(app, staff)})
    assert assert_on_site(response) == "/admin/users?q=x"


def test_the_login_redirect_carries_next_and_leads_back(ctx, browser):
    user = make_partner()
    commit()
    response = browser.get("/organisation")
    assert location(response) == "/login?next=/organisation"
    response = browser.post(location(response), {"email": user.email, "password": PASSWORD})
    assert assert_on_site(response) == "/organisation"


def test_a_request_refused_for_csrf_still_carries_its_request_id(app):
    from ..support.browser import Browser

    response = Browser(app).post("/logout", csrf=False)
    assert response.status_code == 400
    request_id = response.headers.get("X-Request-ID")
    assert request_id and request_id != "None"
    assert request_id in response.get_data(as_text=True)
