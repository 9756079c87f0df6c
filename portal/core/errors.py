"""Domain errors raised by services, and the generic error pages."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from ..extensions import db

log = logging.getLogger("liaison.errors")


class DomainError(Exception):
    """A business rule said no. `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


ERROR_TITLES = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is nothing here. The link may be old or mistyped."),
    405: ("Method not allowed", "This page cannot be used that way."),
    413: ("Too large", "The file or form you sent is larger than we accept."),
    429: ("Too many attempts", "Please wait a moment before trying again."),
    500: ("Something went wrong", "We could not complete your request. Nothing was changed."),
    503: ("Temporarily unavailable", "The service is busy or under maintenance. Try again soon."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith(("/billing/webhook", "/healthz")) or (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, description: str | None = None):
    title, default_text = ERROR_TITLES.get(code, ERROR_TITLES[500])
    request_id = getattr(g, "request_id", None)
    if _wants_json():
        return jsonify(error=title, detail=description or default_text, request_id=request_id), code
    if request_ctx.url_adapter is None:  # e.g. an untrusted Host header: no URLs can be built
        body = f"{code} {title}\n{description or default_text}\nReference: {request_id}\n"
        return Response(body, status=code, mimetype="text/plain")
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title,
            text=description or default_text,
            request_id=request_id,
        ),
        code,
    )


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
        db.session.rollback()
        log.exception("unhandled error request_id=%s", getattr(g, "request_id", "-"))
        return render_error(500)


def abort_with(code: int, reason: str) -> None:
    """abort() with a short reason that the error page shows to the user."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code]()
    exc.liaison_reason = reason  # type: ignore[attr-defined]
    raise exc
