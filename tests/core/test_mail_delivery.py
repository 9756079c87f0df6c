"""Issue 9, point 11: mail leaves outside the request. A slow SMTP server does not hold up the page
(the courier thread sends after the answer), a request sends at most its own messages, and the
attempt is counted before the send, so a worker killed mid-send loses no attempt and no other
process takes the message meanwhile. Real SMTP servers, real commits, a real kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from portal import create_app
from portal.core.mail import courier_of, queue_email
from portal.core.models import Email, EmailStatus
from portal.core.types import utcnow
from portal.extensions import db

from ..support.browser import Browser
from ..support.factories import make_partner

ROOT = Path(__file__).resolve().parents[2]
SMTP_DELAY = 3.0


class SlowInbox:
    """An SMTP server that takes SMTP_DELAY seconds to accept each message."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        self.messages.append(envelope)
        return "250 OK"


class EphemeralController(Controller):
    def __init__(self, handler) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=0)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def committed_app(scratch_database, monkeypatch):
    """The app on its own database with real transactions, mail by SMTP from the courier thread."""
    app = create_app(
        "testing",
        {
            "DATABASE_URL": scratch_database,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_USE_TLS": False,
            "MAIL_DELIVERY": "background",
        },
    )
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    with app.app_context():
        upgrade()
    yield app
    courier_of(app).stop()  # before its next sweep would open a connection to a dropped database
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_slow_smtp_server_does_not_hold_up_the_page_and_the_mail_still_goes(committed_app):
    with committed_app.app_context():
        make_partner(email="clara@acme.example")
        db.session.commit()
    inbox = SlowInbox()
    controller = EphemeralController(inbox)
    controller.start()
    committed_app.config["MAIL_PORT"] = controller.port
    try:
        browser = Browser(committed_app)
        started = time.monotonic()
        response = browser.post("/reset-password", {"email": "clara@acme.example"})
        answered_in = time.monotonic() - started
        assert response.status_code == 302
        assert answered_in < SMTP_DELAY / 2, answered_in  # the page did not wait for SMTP
        assert courier_of(committed_app).wait_until_idle(timeout=30)
    finally:
        controller.stop()
    assert [m.rcpt_tos for m in inbox.messages] == [["clara@acme.example"]]
    with committed_app.app_context():
        email = db.session.scalars(sa.select(Email).where(Email.to_address == "clara@acme.example")).one()
        assert email.status is EmailStatus.SENT and email.attempts == 1


def test_a_request_sends_only_its_own_messages(app, ctx):
    user = make_partner(email="clara@acme.example")
    backlog = [queue_email(f"old{i}@example.com", "Old", "password_changed", user=user) for i in range(3)]
    db.session.commit()
    Browser(app).post("/reset-password", {"email": user.email})
    (reset,) = db.session.scalars(sa.select(Email).where(Email.to_address == user.email)).all()
    assert app.extensions["mail_sent"] == [reset.id]
    db.session.expire_all()
    assert [(m.status, m.attempts) for m in backlog] == [(EmailStatus.PENDING, 0)] * 3


def silent_smtp_server() -> socket.socket:
    """Accepts connections and never says a word: an SMTP client waits for its greeting."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server


def test_a_worker_killed_while_sending_keeps_the_attempt_and_nobody_sends_twice(
    committed_app, scratch_database
):
    with committed_app.app_context():
        user = make_partner(email="clara@acme.example")
        queue_email(user.email, "Hello", "password_changed", user=user)
        db.session.commit()
    server = silent_smtp_server()
    env = {
        **os.environ,
        "LIAISON_ENV": "development",
        "DATABASE_URL": scratch_database,
        "SECRET_KEY": "x" * 40,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(server.getsockname()[1]),
        "MAIL_USE_TLS": "false",
        "MAIL_TIMEOUT": "120",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "deliver-mail"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    worker = subprocess.Popen(command, cwd=ROOT, env=env, **quiet)
    try:
        server.settimeout(60)
        connection, _ = server.accept()  # the worker is sending now
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
        connection.close()
    finally:
        server.close()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    with committed_app.app_context():
        email = db.session.scalars(sa.select(Email)).one()
        assert email.status is EmailStatus.PENDING
        assert email.attempts == 1  # counted before the send, committed before the kill
        assert email.next_attempt_at > utcnow() + timedelta(seconds=90)
    # Another worker right after finds nothing due: the message is not sent twice meanwhile.
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert again.stdout.strip() == "sent 0, failed 0"
