"""Who may do what. Authentication (-> login) is separate from authorisation (-> 403).

Objects of another organisation answer 404 (`get_owned_or_404`), as if they did not exist.
Staff blueprints are guarded once, with `guard_staff_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no `//`, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


# What Flask-Login flashes on the way to the sign-in page. Lazy: it becomes text in the reader's
# language when flashed (`login_manager.login_message = LOGIN_MESSAGE` with
# `login_manager.localize_callback = str`).
LOGIN_MESSAGE = _l("Please sign in to see this page.")


def login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def partner_required(view: F) -> F:
    """A signed-in partner user with an organisation. Staff are sent to the console (403 here)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_redirect()
        if current_user.organisation_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def org_role_required(*roles: str) -> Callable[[F], F]:
    """A partner user holding at least one of the given roles inside their organisation."""

    def decorator(view: F) -> F:
        @wraps(view)
        @partner_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_org_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def second_factor_done() -> bool:
    return bool(session.get("mfa_ok"))


def guard_staff_blueprint(bp: Blueprint, needs_admin: Callable[[], bool] = lambda: False) -> None:
    """One guard for a whole staff blueprint: visitor -> login, partner -> 403, no 2FA -> 403, and a
    staff member on a view that `needs_admin()` says is for admins -> 403."""

    @bp.before_request
    def _staff_only() -> Any:
        if not current_user.is_authenticated:
            return login_redirect()
        if not current_user.is_staff:
            abort(403)
        if not second_factor_done():
            abort(403)
        if not current_user.is_admin and needs_admin():
            abort(403)
        return None


def get_owned_or_404(model: type[M], ident: Any, organisation_id: int | None) -> M:
    """Load an object that belongs to an organisation; another organisation's object is a 404."""
    obj = db.session.get(model, ident)
    if obj is None or organisation_id is None or obj.organisation_id != organisation_id:  # type: ignore[attr-defined]
        abort(404)
    return obj
