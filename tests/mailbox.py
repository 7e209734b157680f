"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and live moot
servers that send their mail to it."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import Api
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, free_port, make_server


class _Keeper:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.arrived:
            self.received.append(([str(r) for r in envelope.rcpt_tos], message))
            self.arrived.notify_all()
        return "250 OK"


class Mailbox:
    """Every mail the SMTP server accepted, by recipient."""

    def __init__(self, keeper: _Keeper, port: int) -> None:
        self._keeper = keeper
        self.port = port

    def env(self) -> dict[str, str]:
        """The settings that send a moot server's mail here."""
        return {
            "MOOT_SMTP_HOST": "127.0.0.1",
            "MOOT_SMTP_PORT": str(self.port),
            "MOOT_SMTP_FROM": "moot@example.test",
            "MOOT_SMTP_TLS": "none",
        }

    def to(self, address: str) -> list[EmailMessage]:
        with self._keeper.arrived:
            return [msg for rcpts, msg in self._keeper.received if address in rcpts]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15) -> EmailMessage:
        """The `count`-th mail to `address`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._keeper.arrived:
            while True:
                mails = [msg for rcpts, msg in self._keeper.received if address in rcpts]
                if len(mails) >= count:
                    return mails[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no mail #{count} to {address} within {timeout} s")
                self._keeper.arrived.wait(left)


def link_in(message: EmailMessage, kind: str) -> str:
    """The /kind/<token> link of a mail, checked to be the same in both of its parts."""
    text = message.get_body(("plain",))
    markup = message.get_body(("html",))
    assert text is not None and markup is not None, "the mail lacks a text or an HTML part"
    pattern = rf"https?://[^\s\"<>]+/{kind}/[0-9a-f-]{{36}}"
    found = re.findall(pattern, text.get_content())
    assert len(found) == 1, f"no single {kind} link in:\n{text.get_content()}"
    assert f'href="{found[0]}"' in markup.get_content()
    return str(found[0])


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


@contextmanager
def mailbox() -> Iterator[Mailbox]:
    keeper = _Keeper()
    port = free_port()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox(keeper, port)
    finally:
        controller.stop()


@contextmanager
def mailing_server(backend: str, box: Mailbox, **extra: Any) -> Iterator[Server]:
    """A live server of `backend` whose mail goes to `box`."""
    srv = make_server(backend)
    srv.start_env = {**box.env(), **{k: str(v) for k, v in extra.items()}}
    try:
        srv.start()
        yield srv
    finally:
        destroy(srv)


def open_up(srv: Server) -> Api:
    """Open registration and rate limits out of the way; returns the admin's client."""
    token = Api(srv).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    admin = Api(srv, token)
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    admin.ok("PUT", "/site", {"registration_mode": "Open", **limits})
    return admin
