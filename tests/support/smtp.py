"""A real local SMTP server (aiosmtpd) on a port the kernel picks, and a port that refuses connections."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@contextmanager
def refusing_port() -> Iterator[int]:
    """A local port that refuses connections: bound but never listening, and held until the end,
    so that no other test (or xdist worker) can start listening there meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class EphemeralController(Controller):
    """aiosmtpd's threaded server on a port the kernel picks when it binds (port 0): no window
    between choosing a free port and binding it in which a parallel worker could take it."""

    def __init__(self, handler) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=0)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]  # bound by now; start() connects to it next
        super()._trigger_server()


@contextmanager
def smtp_server(app) -> Iterator[Inbox]:
    """A real SMTP server on a free local port, with the app pointed at it."""
    inbox = Inbox()
    controller = EphemeralController(inbox)
    controller.start()
    app.config["MAIL_PORT"] = controller.port
    try:
        yield inbox
    finally:
        controller.stop()
