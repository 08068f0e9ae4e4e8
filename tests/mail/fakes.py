"""A recording stand-in for smtplib.SMTP: a mail server that can be down or fail on purpose."""

from __future__ import annotations

import threading
import time
from email.message import EmailMessage
from typing import Any, ClassVar


class FakeSMTP:
    """Record every message the sender hands over; ``fail_with`` makes the server misbehave.

    ``fail_with`` is raised on connecting when it is a connection error, else on
    sending; ``delay`` slows each delivery so two senders overlap.
    """

    delivered: ClassVar[list[EmailMessage]] = []
    connections: ClassVar[list[dict[str, Any]]] = []
    fail_with: ClassVar[BaseException | None] = None
    fail_on_send: ClassVar[BaseException | None] = None
    delay: ClassVar[float] = 0.0
    _lock = threading.Lock()

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with
        self.record: dict[str, Any] = {"host": host, "port": port, "timeout": timeout}
        with self._lock:
            FakeSMTP.connections.append(self.record)

    def starttls(self, context: Any = None) -> None:
        """Pretend to switch to TLS."""
        self.record["tls"] = True

    def login(self, username: str, password: str) -> None:
        """Pretend to log in."""
        self.record["login"] = username

    def send_message(self, message: EmailMessage, from_addr: str | None = None) -> dict:
        """Accept the message (after ``delay``) or raise ``fail_on_send``."""
        if FakeSMTP.fail_on_send is not None:
            raise FakeSMTP.fail_on_send
        if FakeSMTP.delay:
            time.sleep(FakeSMTP.delay)
        with self._lock:
            FakeSMTP.delivered.append(message)
        self.record["from"] = from_addr
        return {}

    def quit(self) -> None:
        """Say goodbye."""

    def close(self) -> None:
        """Hang up."""

    @classmethod
    def reset(cls) -> None:
        """Forget everything and work normally."""
        cls.delivered = []
        cls.connections = []
        cls.fail_with = None
        cls.fail_on_send = None
        cls.delay = 0.0
