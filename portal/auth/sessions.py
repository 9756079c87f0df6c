"""Starting a signed-in session (a fresh session, the timestamps the timeouts read, the second factor)."""

from __future__ import annotations

import time

from flask import session, url_for
from flask_login import login_user

from . import services
from .models import User


def home_for(user: User) -> str:
    if user.is_staff:
        return url_for("admin.index")
    if user.is_researcher:
        return url_for("challenges.research")
    return url_for("main.dashboard")


def start_session(user: User, remember: bool) -> None:
    language = session.get("locale")  # the switcher's choice outlives the old session
    session.clear()  # a fresh session at every login
    if language:
        session["locale"] = language
        if not user.locale:  # first choice made before signing in: it becomes the profile's
            user.locale = language
    login_user(user, remember=remember and not user.is_staff)
    now = time.time()
    session["auth_at"] = now
    session["seen_at"] = now
    session["remember"] = bool(remember and not user.is_staff)
    session.permanent = not session["remember"]
    if user.needs_second_factor:
        session["mfa_ok"] = True
    services.record_login(user)
