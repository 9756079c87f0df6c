"""Domain errors raised by services, and the generic error pages."""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3

import sqlalchemy as sa
from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager

log = logging.getLogger("liaison.errors")


class DomainError(Exception):
    """A business rule said no. `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


ERROR_TITLES = {
    400: (_l("Bad request"), _l("The request could not be understood. Reload the page and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is nothing here. The link may be old or mistyped.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("The file or form you sent is larger than we accept.")),
    429: (_l("Too many attempts"), _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"), _l("We could not complete your request. Nothing was changed.")),
    503: (_l("Temporarily unavailable"), _l("The service is busy or under maintenance. Try again soon.")),
}


RETRY_AFTER_SECONDS = "30"

# What "cannot serve now" looks like, by kind (a bug, such as a missing table, is none of these).
# SQLite result codes (sqlite3 exceptions carry `sqlite_errorname`, e.g. SQLITE_IOERR_WRITE) by prefix:
_SQLITE_KINDS = {
    "SQLITE_READONLY": "read-only",
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_FULL": "full",
    "SQLITE_CANTOPEN": "unavailable",
    "SQLITE_IOERR": "unavailable",
    "SQLITE_NOLFS": "unavailable",
    "SQLITE_PROTOCOL": "unavailable",
}
# PostgreSQL SQLSTATEs: 25006 read-only transaction (a replica or a read-only database), 55P03 lock
# not available, 40001 / 40P01 serialization failure and deadlock, 53100 disk full; and the classes
# 08 connection, 53 insufficient resources, 57 operator intervention (shutdown, statement timeout),
# 58 system error.
_PG_CODES = {"25006": "read-only", "55P03": "busy", "40001": "busy", "40P01": "busy", "53100": "full"}
_PG_CLASSES = ("08", "53", "57", "58")
_OS_KINDS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read-only", errno.EIO: "unavailable"}


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the database or the disk cannot serve now: `read-only`, `busy`, `full` or `unavailable`;
    None when `exc` is not such a condition (a bug stays a 500). The pages answer 503 with
    Retry-After for any reason; /healthz names it."""
    if isinstance(exc, sa.exc.TimeoutError):  # no free connection in the pool
        return "busy"
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return "unavailable"
        orig = exc.orig
        if isinstance(orig, sqlite3.Error):
            name = getattr(orig, "sqlite_errorname", "") or ""
            return next((kind for prefix, kind in _SQLITE_KINDS.items() if name.startswith(prefix)), None)
        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate:
            return _PG_CODES.get(sqlstate) or ("unavailable" if sqlstate[:2] in _PG_CLASSES else None)
        # A driver error without a SQLSTATE is raised before any statement ran: no connection.
        return "unavailable" if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) else None
    if isinstance(exc, OSError):
        return _OS_KINDS.get(exc.errno)
    return None


def is_unavailable(exc: BaseException) -> bool:
    return unavailable_reason(exc) is not None


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith(("/billing/webhook", "/healthz")) or (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _in_reader_language(text: object) -> str:
    """A lazy title or reason as text in the reader's language; English if translating fails (the
    error page must answer whatever else is broken)."""
    try:
        return str(text)
    except Exception:
        log.exception("error text could not be translated")
        return str(getattr(text, "_args", [text])[0])


def render_error(code: int, description: str | None = None):
    title, default_text = ERROR_TITLES.get(code, ERROR_TITLES[500])
    title = _in_reader_language(title)
    text = _in_reader_language(description or default_text)
    request_id = getattr(g, "request_id", None)
    if _wants_json():
        return jsonify(error=title, detail=text, request_id=request_id), code
    if request_ctx.url_adapter is None:  # e.g. an untrusted Host header: no URLs can be built
        reference = _in_reader_language(_l("Reference: %(reference)s", reference=request_id))
        body = f"{code} {title}\n{text}\n{reference}\n"
        return Response(body, status=code, mimetype="text/plain")
    try:
        html = render_template("errors/error.html", code=code, title=title, text=text, request_id=request_id)
    except Exception:  # the page itself failed (a template, the database): still answer, with headers
        log.exception("error page %s could not be rendered; sending the plain one", code)
        html = _plain_error(code, title, text, request_id)
    return html, code


_PLAIN_ERROR = """<!doctype html><html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">
<p style="font-size:3rem;margin:0">{code}</p><h1>{title}</h1><p>{text}</p><p><a href="/">{home}</a></p>
<p><small>{reference}</small></p>
</body></html>"""


def _plain_error(code: int, title: str, text: str, request_id: str | None) -> str:
    """The error page without a template, in the reader's language (English if even that fails)."""
    reference = escape(request_id or "-")
    try:
        from .i18n import current_language

        language = current_language()
        home = _("Home page")
        quote = _(
            "If you contact us about this, quote the reference <code>%(reference)s</code>.",
            reference=reference,
        )
    except Exception:
        language, home = "en", "Home page"
        quote = f"If you contact us about this, quote the reference <code>{reference}</code>."
    return _PLAIN_ERROR.format(
        language=language,
        code=code,
        title=escape(title),
        text=escape(text),
        home=escape(home),
        reference=quote,
    )


def render_unavailable():
    """The 503 page when the database or the disk cannot serve: rendered for an anonymous viewer (the
    signed-in user cannot be loaded), with Retry-After. Whatever the request had begun is dropped."""
    with contextlib.suppress(Exception):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request cache: no user query
    g.mail_queued = []  # nothing this request queued was committed
    body, code = render_error(503)
    response = Response(body) if isinstance(body, str) else body
    response.status_code = code
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        code = exc.code or 500
        if code == 400:
            log.info("400 on %s: %s", request.path, exc.description)
        # Only our own short reasons are shown; werkzeug's defaults are replaced by ours.
        custom = getattr(exc, "liaison_reason", None)
        response = render_error(code, custom)
        if code == 429 or code == 503:
            retry = exc.get_headers() if hasattr(exc, "get_headers") else []
            resp = app.make_response(response)
            for name, value in retry:
                if name.lower() == "retry-after":
                    resp.headers["Retry-After"] = value
            if code == 429 and "Retry-After" not in resp.headers:
                resp.headers["Retry-After"] = "60"
            return resp
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if is_unavailable(exc):
            log.warning("503, storage unavailable request_id=%s: %s", getattr(g, "request_id", "-"), exc)
            return render_unavailable()
        with contextlib.suppress(Exception):
            db.session.rollback()
        log.exception("unhandled error request_id=%s", getattr(g, "request_id", "-"))
        return render_error(500)


def abort_with(code: int, reason: str) -> None:
    """abort() with a short reason that the error page shows to the user."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code]()
    exc.liaison_reason = reason  # type: ignore[attr-defined]
    raise exc
