"""A browser-like test client: it reads CSRF tokens from pages and posts real forms."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa
from itsdangerous import BadSignature

from portal.auth.models import User
from portal.core.models import Email
from portal.extensions import db

from .factories import PASSWORD

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
BASE_URL = "http://portal.test"


class Browser:
    def __init__(self, app, **environ) -> None:
        self.app = app
        self.client = app.test_client()
        self.environ = environ
        # CSRF tokens taken from pages, by the session's CSRF secret they were signed for: a token
        # stays valid while the session keeps that secret (a new session, at login or logout, has
        # another one), so the landing page is fetched again only when the secret changed.
        self._csrf_tokens: dict[str, tuple[str, float]] = {}

    # --- requests -------------------------------------------------------------------------

    def get(self, url: str, **kwargs):
        kwargs.setdefault("environ_base", self.environ)
        return self.request("GET", url, **kwargs)

    def request(self, method: str, url: str, **kwargs):
        """Each request gets its own app context (hence its own `g` and DB session), as in
        production, even when the test itself holds one."""
        with self.app.app_context():
            return self.client.open(url, method=method, **kwargs)

    def _session_csrf_secret(self) -> str | None:
        """The CSRF secret in the session cookie this browser would send (None: no session yet,
        or a session without one)."""
        cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = serializer.loads(cookie.value)
        except BadSignature:
            return None
        return data.get("csrf_token") if isinstance(data, dict) else None

    def csrf_token(self) -> str:
        """A token for the current session: the landing page's, remembered until the session's
        CSRF secret changes (or the token is half as old as the time limit allows)."""
        secret = self._session_csrf_secret()
        cached = self._csrf_tokens.get(secret) if secret else None
        max_age = (self.app.config.get("WTF_CSRF_TIME_LIMIT") or 3600) / 2
        if cached and 0 <= time.time() - cached[1] < max_age:  # and the clock was not moved back
            return cached[0]
        html = self.get("/").get_data(as_text=True)
        match = CSRF_META.search(html)
        assert match, "no CSRF token on the landing page"
        token = match.group(1)
        secret = self._session_csrf_secret()
        if secret:
            self._csrf_tokens[secret] = (token, time.time())
        return token

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
        payload = dict(data or {})
        if csrf and "csrf_token" not in payload:
            payload["csrf_token"] = self.csrf_token()
        kwargs.setdefault("environ_base", self.environ)
        return self.request("POST", url, data=payload, **kwargs)

    # --- accounts -------------------------------------------------------------------------

    def login(self, email: str, password: str = PASSWORD, remember: bool = False, next: str | None = None):
        url = "/login" + (f"?next={next}" if next else "")
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.post(url, data)

    def login_staff(self, user, password: str = PASSWORD):
        """Password, then the TOTP code of the user's (factory-made) secret."""
        response = self.login(user.email, password)
        assert response.status_code == 302 and "/login/2fa" in response.headers["Location"], response
        return self.post("/login/2fa", {"code": next_totp_code(self.app, user)})

    def logout(self):
        return self.post("/logout")

    def cookie(self, name: str) -> str | None:
        cookie = self.client.get_cookie(name)
        return cookie.value if cookie else None

    def set_cookie(self, name: str, value: str) -> None:
        self.client.set_cookie(name, value, domain="localhost")


def next_totp_code(app, user) -> str:
    """A valid code not used before (each code works once), from this or the next time step."""
    with app.app_context():
        secret, last = db.session.execute(
            sa.select(User.totp_secret, User.totp_last_counter).where(User.id == user.id)
        ).one()
    totp = pyotp.TOTP(secret)
    counter = max(totp.timecode(time.time()), (last or 0) + 1)
    return totp.generate_otp(counter)


def location(response) -> str:
    """The path (and query) a redirect points to."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def text(response) -> str:
    return response.get_data(as_text=True)


def emails_to(address: str) -> list[Email]:
    return list(db.session.scalars(sa.select(Email).where(Email.to_address == address).order_by(Email.id)))


def last_email_to(address: str) -> Email:
    found = emails_to(address)
    assert found, f"no email to {address}"
    return found[-1]


def link_in(email: Email, prefix: str) -> str:
    """The path of the first link in the email that starts with BASE_URL + prefix."""
    match = re.search(re.escape(BASE_URL + prefix) + r"[^\s\"<]*", email.body_text)
    assert match, f"no {prefix} link in {email.subject!r}"
    return match.group(0)[len(BASE_URL) :]
