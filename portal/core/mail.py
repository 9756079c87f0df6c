"""Email outbox.

`queue_email` renders the text and HTML templates and adds an `Email` row to the current
transaction, so a message exists only if the change that caused it was committed. After the
request has committed, `deliver_pending` sends what is due (console log in development, SMTP in
production, a list in tests). A failed send is retried with exponential backoff by the next
request that queues mail or by `flask portal deliver-mail`; nothing is lost while SMTP is down.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, render_template

from ..extensions import db
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
    # One line, whatever a company or person name contains (CR/LF would break the header).
    full_subject = " ".join(f"[{current_app.config['PROGRAMME_NAME']}] {subject}".split())[:255]
    email = Email(
        to_address=" ".join(to.split()),
        subject=full_subject,
        body_text=render_template(f"emails/{template}.txt", subject=subject, **context),
        body_html=render_template(f"emails/{template}.html", subject=subject, **context),
        template=template,
        attachments=[
            EmailAttachment(filename=name, mimetype=mimetype, data=data)
            for name, mimetype, data in attachments or []
        ],
    )
    db.session.add(email)
    if has_request_context():
        g.mail_queued = True
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


def deliver_pending(limit: int = 50) -> tuple[int, int]:
    """Send due messages; returns (sent, failed). Commits its own bookkeeping."""
    now = utcnow()
    stmt = (
        sa.select(Email)
        .where(Email.status == EmailStatus.PENDING, Email.next_attempt_at <= now)
        .order_by(Email.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    sent = failed = 0
    for email in db.session.scalars(stmt).all():
        try:
            _send(email)
        except Exception as exc:  # one bad message must not block the others
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                email.status = EmailStatus.FAILED
            else:
                email.next_attempt_at = now + _backoff(email.attempts)
            failed += 1
            log.warning("email %s to %s not sent: %s", email.id, email.to_address, email.last_error)
        else:
            email.attempts += 1
            email.status = EmailStatus.SENT
            email.sent_at = utcnow()
            sent += 1
    db.session.commit()
    return sent, failed


def deliver_outbox_after_request(response):
    """After a request that queued mail has committed, send it (failures stay queued)."""
    if g.get("mail_queued"):
        db.session.rollback()  # whatever the view did not commit is abandoned, its mail too
        try:
            deliver_pending()
        except Exception:  # never let mail break the response; the CLI retries
            db.session.rollback()
            log.exception("outbox delivery failed; messages stay queued")
    return response
