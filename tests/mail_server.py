"""A real SMTP server for the notification tests (aiosmtpd on a free loopback port).

It keeps each accepted message; it can refuse the next few with a temporary failure (451) and
delay its answer to DATA. A message counts as accepted only once the server has answered 250:
a client that disconnects while the server is still deciding has delivered nothing, as with
any mail server.
"""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.live import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse_next: int = 0  # answer 451 to the next n messages
    delay: float = 0.0  # seconds before answering DATA
    started: int = 0  # messages whose DATA the server has begun to consider
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.started += 1
        if self.delay:
            await asyncio.sleep(self.delay)  # cancelled if the client goes away meanwhile
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def in_flight(self) -> bool:
        """A message is being considered and not yet answered."""
        with self.lock:
            return self.started > len(self.received)


@dataclass
class MailServer:
    host: str
    port: int
    handler: Handler

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


@contextmanager
def smtp_server() -> Iterator[MailServer]:
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield MailServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
