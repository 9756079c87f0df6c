"""The outbox: mail exists only if its change committed; delivery after commit, with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.mail import deliver_pending, queue_email
from portal.core.models import Email, EmailStatus
from portal.core.types import utcnow
from portal.extensions import db

from ..support.browser import Browser, emails_to
from ..support.context import app_context
from ..support.factories import make_partner
from ..support.smtp import refusing_port, smtp_server


@pytest.fixture
def smtp_app(app):
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_USE_TLS=False)
    yield app
    app.config.update(saved)


def test_mail_is_written_only_when_the_change_commits(app, ctx):
    queue_email("a@example.com", "Hello", "password_changed", user=make_partner(), reset_url="http://x")
    db.session.rollback()
    assert emails_to("a@example.com") == []


def test_smtp_delivery_after_commit(smtp_app, ctx):
    user = make_partner(email="clara@acme.example", full_name="Clara Becker")
    db.session.commit()
    with smtp_server(smtp_app) as inbox:
        Browser(smtp_app).post("/reset-password", {"email": user.email})
    assert len(inbox.messages) == 1
    raw = inbox.messages[0].content.decode()
    assert "Subject: [Industry Partnership Programme] Reset your password" in raw
    assert "text/plain" in raw and "text/html" in raw
    assert inbox.messages[0].rcpt_tos == ["clara@acme.example"]
    (email,) = emails_to(user.email)
    assert email.status is EmailStatus.SENT and email.sent_at is not None


def test_smtp_outage_loses_nothing_and_retries_with_backoff(smtp_app, ctx):
    user = make_partner(email="clara@acme.example")
    db.session.commit()
    with refusing_port() as port:
        smtp_app.config["MAIL_PORT"] = port  # nobody listens there
        response = Browser(smtp_app).post("/reset-password", {"email": user.email})
    assert response.status_code == 302  # the user is not bothered by the outage
    db.session.expire_all()
    (email,) = emails_to(user.email)
    assert email.status is EmailStatus.PENDING and email.attempts == 1
    assert email.next_attempt_at > utcnow() + timedelta(seconds=90)
    assert "ConnectionRefusedError" in email.last_error

    # Not due yet: the CLI leaves it alone.
    runner = smtp_app.test_cli_runner()
    assert "sent 0, failed 0" in runner.invoke(args=["portal", "deliver-mail"]).output

    # Once due and the server is back, `deliver-mail` sends it.
    email.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with smtp_server(smtp_app) as inbox:
        result = runner.invoke(args=["portal", "deliver-mail"])
    assert "sent 1, failed 0" in result.output
    assert len(inbox.messages) == 1
    db.session.expire_all()
    assert db.session.get(Email, email.id).status is EmailStatus.SENT


def test_gives_up_after_the_maximum_attempts(smtp_app, ctx):
    with refusing_port() as port:
        smtp_app.config["MAIL_PORT"] = port
        email = queue_email(
            "x@example.com", "Hi", "password_changed", user=make_partner(), reset_url="http://x"
        )
        email.attempts = smtp_app.config["MAIL_MAX_ATTEMPTS"] - 1
        db.session.commit()
        deliver_pending()
    db.session.expire_all()
    assert db.session.get(Email, email.id).status is EmailStatus.FAILED


def test_console_backend_logs_the_message(app, ctx, caplog):
    app.config["MAIL_BACKEND"] = "console"
    try:
        user = make_partner(email="clara@acme.example")
        db.session.commit()
        with caplog.at_level("INFO", logger="liaison.mail"):
            Browser(app).post("/reset-password", {"email": user.email})
        assert "http://portal.test/reset-password/" in caplog.text
    finally:
        app.config["MAIL_BACKEND"] = "memory"


def test_attachments_travel_with_the_message(smtp_app, ctx):
    with smtp_server(smtp_app) as inbox, app_context(smtp_app):
        queue_email(
            "finance@example.com",
            "Invoice INV-2026-0009",
            "password_changed",
            attachments=[("INV-2026-0009.pdf", "application/pdf", b"%PDF-1.7 canary-bytes")],
            user=make_partner(),
            reset_url="http://x",
        )
        db.session.commit()
        deliver_pending()
    (message,) = inbox.messages
    raw = message.content.decode()
    assert 'Content-Disposition: attachment; filename="INV-2026-0009.pdf"' in raw
    assert "Content-Type: application/pdf" in raw
