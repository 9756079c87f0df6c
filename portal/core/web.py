"""Per-request plumbing: request id, security headers, structured security log lines."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from .database import begin_write
from .errors import RETRY_AFTER_SECONDS, abort_with
from .forms import MAX_INT

security_log = logging.getLogger("liaison.security")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'{form_targets}; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def content_security_policy(app: Flask) -> str:
    """Forms may also lead to the payment provider's pages (a POST answered by a redirect there
    counts as the form's target for the browser), when card payment is on."""
    targets = app.config.get("CSP_FORM_ACTION_EXTRA") or []
    if app.config.get("STRIPE_SECRET_KEY"):
        targets = [*targets, "https://checkout.stripe.com", "https://billing.stripe.com"]
    return CSP.format(form_targets="".join(f" {t}" for t in targets))


def security_event(event: str, **fields: Any) -> None:
    """One structured line per security event: who, what, when (log time), IP, request id."""
    line: dict[str, Any] = {"event": event}
    if has_request_context():
        line["ip"] = request.remote_addr
        line["request_id"] = getattr(g, "request_id", None)
        if "user_id" not in fields and current_user and current_user.is_authenticated:
            line["user_id"] = current_user.id
    line.update(fields)
    security_log.info(json.dumps(line, default=str, sort_keys=True))


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number beyond what the database stores is no match (404)."""

    def __init__(self, map, fixed_digits: int = 0, min=None, max=None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, MAX_INT if max is None else max, signed)


def register_url_converters(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter


NUL_MESSAGE = _l(
    "The request contained a character that is not allowed (a NUL byte). Remove it and try again."
)


def nul_tolerant(view: Any) -> Any:
    """A GET view that reads only query parameters and cleans them itself (a search box): a NUL
    byte in them is dropped by the view instead of refusing the request with 400."""
    view.nul_tolerant = True
    return view


def _refuse_nul_bytes() -> None:
    """One place for every form field and query parameter: PostgreSQL cannot store NUL in text."""
    if request.method == "GET" and not request.form:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "nul_tolerant", False):
            return
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort_with(400, NUL_MESSAGE)


WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _writes_begin_as_writers() -> None:
    """On SQLite (the default install) a request that may write takes the write lock when its
    transaction begins, so simultaneous writers queue (busy_timeout) instead of failing with
    "database is locked" when a read snapshot tries to become a write. PostgreSQL: nothing to do."""
    if request.method in WRITING_METHODS:
        begin_write()


def _unavailable_retry_after(response: Response) -> Response:
    if response.status_code == 503:
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def register_request_hooks(app: Flask) -> None:
    def _assign_request_id() -> None:
        g.request_id = uuid.uuid4().hex

    # First of all hooks, so that responses refused by CSRF, the limiter or session checks have one too.
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    # Last of all after-request hooks (they run in reverse): Flask-Limiter's header hook would
    # otherwise replace a 503's Retry-After with its window's reset time (up to an hour).
    app.after_request_funcs.setdefault(None, []).insert(0, _unavailable_retry_after)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_writes_begin_as_writers)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(app))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("HSTS_SECONDS"):
            headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
            )
        if getattr(g, "request_id", None):
            headers["X-Request-ID"] = g.request_id
        # Pages carry CSRF tokens or private data: never cached. Static assets may be.
        if not request.path.startswith("/static/") and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response


STATIC_MAX_AGE = 365 * 24 * 3600


def register_static_fingerprints(app: Flask) -> None:
    """Every `url_for('static', ...)` carries the file's content hash (`?v=...`), and a request with
    one is cached for a year as immutable: a changed file has a new URL, so browsers and proxies never
    serve a stale stylesheet and never ask again for an unchanged one. Hashes are computed once per
    file and process (on every use in debug mode, where files change under the running server)."""
    cache: dict[str, str] = {}
    folder = Path(app.static_folder or "")

    def fingerprint(filename: str) -> str | None:
        if app.debug or filename not in cache:
            try:
                cache[filename] = hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]
            except OSError:
                return None
        return cache[filename]

    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = fingerprint(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
        return response


def stored_pdf(data: bytes | None, expected_sha256: str | None, filename: str, kind: str) -> Response:
    """A PDF from storage, refused (and logged as a security event) unless its bytes still have the
    SHA-256 recorded when it was made: invoices and agreements are served exactly as issued."""
    if data is None or expected_sha256 is None or hashlib.sha256(data).hexdigest() != expected_sha256:
        security_event(f"{kind}.integrity_failure", filename=filename)
        abort_with(500, _("The stored document failed its integrity check. Staff have been alerted."))
    return pdf_file(data, filename)


def pdf_file(data: bytes, filename: str, inline: bool = False) -> Response:
    """A stored PDF as a download (or shown in the browser), never cached: invoices, agreements."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
