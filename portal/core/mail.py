"""Email outbox.

`queue_email` renders the text and HTML templates and adds an `Email` row to the current
transaction, so a message exists only if the change that caused it was committed. After the
request has answered, the `Courier` (a thread of the process) sends that request's own messages
(console log in development, SMTP in production, a list in tests): a slow or dead SMTP server never
holds up a page. A failed send is retried with exponential backoff by the courier's sweep or by
`flask portal deliver-mail`; nothing is lost while SMTP is down, and the attempt is counted before
the send, so a killed worker loses none.
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import ssl
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, render_template

from ..extensions import db
from .database import begin_write
from .i18n import as_reader, reader_of
from .models import Email, EmailAttachment, EmailStatus
from .templating import brand_colour
from .types import utcnow

log = logging.getLogger("liaison.mail")


def queue_email(
    to: str,
    subject: str,
    template: str,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: Any,
) -> Email:
    """Render `emails/<template>.txt` and `.html` and add the message to the outbox.
    `attachments` are (filename, mimetype, bytes)."""
    context.setdefault("portal_name", current_app.config["PORTAL_NAME"])
    context.setdefault("programme_name", current_app.config["PROGRAMME_NAME"])
    context.setdefault("institution_name", current_app.config["INSTITUTION_NAME"])
    context.setdefault("contact_email", current_app.config["CONTACT_EMAIL"])
    context.setdefault("brand_colour", brand_colour("BRAND_PRIMARY"))
    # In the recipient's language and time zone: `subject` may be a lazy string (`_l(...)`), made
    # text here, under that language.
    with as_reader(reader_of(to.strip().lower())):
        subject = str(subject)
        body_text = render_template(f"emails/{template}.txt", subject=subject, **context)
        body_html = render_template(f"emails/{template}.html", subject=subject, **context)
    # One line, whatever a company or person name contains (CR/LF would break the header).
    full_subject = " ".join(f"[{current_app.config['PROGRAMME_NAME']}] {subject}".split())[:255]
    email = Email(
        to_address=" ".join(to.split()),
        subject=full_subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        attachments=[
            EmailAttachment(filename=name, mimetype=mimetype, data=data)
            for name, mimetype, data in attachments or []
        ],
    )
    db.session.add(email)
    if has_request_context():
        g.setdefault("mail_queued", []).append(email)
    return email


def notify(
    recipients: Iterable[str],
    template: str,
    *,
    subject: str,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: Any,
) -> list[Email]:
    """One message per distinct, non-empty address (in the order given), in the current transaction.
    Needs an application context only: links come from `core.links.link`."""
    seen: set[str] = set()
    queued = []
    for address in recipients:
        if address and address not in seen:
            seen.add(address)
            queued.append(queue_email(address, subject, template, attachments, **context))
    return queued


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 360))


def _send(email: Email) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_sent", []).append(email.id)
        return
    if backend == "console":
        log.info(
            "email to=%s subject=%s\n%s",
            email.to_address,
            email.subject,
            email.body_text,
        )
        return
    if backend != "smtp":
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
    cfg = current_app.config
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = cfg["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to_address
    message["Message-ID"] = make_msgid(domain="liaison")
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _claim(ids: Iterable[int] | None, limit: int) -> list[int]:
    """Take due messages (these `ids`, or any) for sending: count the attempt and push the next one
    back *before* sending, and commit, so that a worker killed mid-send loses no attempt and no other
    process takes the same message meanwhile (SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""
    db.session.commit()  # what the caller did is kept; the claim is a transaction of its own
    begin_write()
    now = utcnow()
    stmt = sa.select(Email).where(Email.status == EmailStatus.PENDING, Email.next_attempt_at <= now)
    if ids is not None:
        stmt = stmt.where(Email.id.in_(list(ids)))
    claimed = db.session.scalars(stmt.order_by(Email.id).limit(limit).with_for_update(skip_locked=True)).all()
    for email in claimed:
        email.attempts += 1
        email.next_attempt_at = now + _backoff(email.attempts)
    taken = [email.id for email in claimed]
    db.session.commit()
    return taken


def _send_claimed(email_id: int) -> bool:
    email = db.session.get(Email, email_id)
    try:
        _send(email)
    except Exception as exc:  # one bad message must not block the others
        error = f"{type(exc).__name__}: {exc}"[:500]
        begin_write()
        email = db.session.get(Email, email_id)
        email.last_error = error
        if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            email.status = EmailStatus.FAILED
        db.session.commit()
        log.warning("email %s to %s not sent: %s", email.id, email.to_address, error)
        return False
    begin_write()
    email = db.session.get(Email, email_id)
    email.status = EmailStatus.SENT
    email.sent_at = utcnow()
    db.session.commit()
    return True


def deliver(ids: Iterable[int] | None = None, limit: int = 50) -> tuple[int, int]:
    """Send due messages (only `ids` when given); returns (sent, failed). Commits its own bookkeeping,
    one message at a time."""
    sent = failed = 0
    for email_id in _claim(ids, limit):
        if _send_claimed(email_id):
            sent += 1
        else:
            failed += 1
    return sent, failed


def deliver_pending(limit: int = 50) -> tuple[int, int]:
    """Send every due message, earlier failures included (the CLI and the courier's sweep)."""
    return deliver(None, limit)


def _committed_ids(queued: list[Email]) -> list[int]:
    """The messages of `queued` that exist in the database: the request committed them (a rolled
    back message is no longer persistent)."""
    ids = []
    for email in queued:
        state = sa.inspect(email)
        if state.persistent and state.identity:
            ids.append(state.identity[0])
    return ids


def hand_over_after_request(response):
    """After a request that queued mail has committed: its own messages go to the courier (a thread
    of this process, `MAIL_DELIVERY=background`) or, with `MAIL_DELIVERY=request` (tests), are sent
    here. Whatever the view did not commit is abandoned, its mail too."""
    queued = g.pop("mail_queued", None)
    if not queued:
        return response
    db.session.rollback()
    ids = _committed_ids(queued)
    if not ids:
        return response
    if current_app.config["MAIL_DELIVERY"] == "background":
        courier_of(current_app._get_current_object()).hand_over(ids)  # type: ignore[attr-defined]
        return response
    try:
        deliver(ids)
    except Exception:  # never let mail break the response; the courier or the CLI retries
        db.session.rollback()
        log.exception("outbox delivery failed; messages stay queued")
    return response


_STOP: list[int] = []  # the sentinel that ends a courier thread


class Courier:
    """One daemon thread per process that sends what requests queued, after they answered, in its own
    app context and session; every MAIL_SWEEP_SECONDS it also sends earlier failures that are due.
    Started on first use and again after a fork (gunicorn workers)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._pending = 0
        self._idle = threading.Condition(self._lock)

    def hand_over(self, ids: list[int]) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._queue = queue.SimpleQueue()
                self._pending = 0
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="liaison-courier", daemon=True)
                self._thread.start()
            self._pending += 1
        self._queue.put(ids)

    def stop(self, timeout: float = 10) -> None:
        """End the thread after what it holds (tests; an app that is being discarded)."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive() or self._pid != os.getpid():
                return
        self._queue.put(_STOP)
        thread.join(timeout)

    def wait_until_idle(self, timeout: float) -> bool:
        """True once everything handed over has been attempted (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        sweep_every = self.app.config["MAIL_SWEEP_SECONDS"]
        last_sweep = time.monotonic()
        while True:
            try:
                ids: list[int] | None = self._queue.get(timeout=sweep_every)
            except queue.Empty:
                ids = None
            if ids is _STOP:
                return
            with self.app.app_context():
                try:
                    if ids:
                        deliver(ids)
                    if time.monotonic() - last_sweep >= sweep_every:
                        last_sweep = time.monotonic()
                        deliver_pending()
                except Exception:  # the messages stay queued; the next sweep or the CLI retries
                    log.exception("courier could not deliver; messages stay queued")
                finally:
                    db.session.remove()
            if ids:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()


def courier_of(app: Flask) -> Courier:
    courier = app.extensions.get("liaison_courier")
    if courier is None:
        courier = app.extensions.setdefault("liaison_courier", Courier(app))
    return courier
