"""How a login link reaches its owner: printed on the console, or sent by SMTP.

``ConsoleSender`` is the default: ``roomz serve`` prints each link where the operator
sees it. ``SMTPSender`` sends a plain-text email through the configured server.
``MemorySender`` keeps what it was asked to send, for tests of code that logs in.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
from abc import ABC, abstractmethod
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TextIO

import aiosmtplib

from roomz.server.settings import Settings

SUBJECT = "Your roomz login link"


class MailSender(ABC):
    """Delivers login links. Implementations may be slow; callers do not wait on them
    while answering a request."""

    delivery: str = "email"
    """Where the links go, as the login page tells its user: ``"email"`` or ``"console"``."""

    @abstractmethod
    async def send_login_link(self, email: str, url: str) -> None:
        """Deliver ``url`` to ``email``.

        Raises:
            Exception: delivery failed (the caller logs it; the link is then lost).
        """

    async def close(self) -> None:  # noqa: B027 - most senders hold nothing to release
        """Release whatever the sender holds. Idempotent."""


class ConsoleSender(MailSender):
    """Prints each link as a framed block that stands out between other output: a rule,
    ``Login link for <email>: <url>`` on one line of its own (easy to select and to find
    by program), a line on its use, a rule; flushed.

    Args:
        stream: where to print; standard output (as it is at each call) by default.
    """

    delivery = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send_login_link(self, email: str, url: str) -> None:
        stream = self._stream or sys.stdout
        print(console_block(email, url), file=stream, flush=True)


def console_block(email: str, url: str) -> str:
    """The framed block :class:`ConsoleSender` prints for one link."""
    line = f"Login link for {email}: {url}"
    hint = "Open it in a browser and press Log in. It works once and expires soon."
    rule = "=" * min(max(len(line), len(hint)), 100)
    return f"\n{rule}\n{line}\n{hint}\n{rule}\n"


class SMTPSender(MailSender):
    """Sends each link as a plain-text email (the link on a line of its own).

    Args:
        host, port: the SMTP server.
        sender: the From address.
        username, password: log in to the server when both are given.
        starttls: upgrade the connection with STARTTLS (and fail if the server cannot).
        tls: speak TLS from the first byte (SMTPS, usually port 465).
        timeout: seconds for each step of the conversation with the server.
        tls_context: how to check the server's certificate (the system's trusted
            authorities by default).
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str = "roomz@localhost",
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        tls: bool = False,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._login = (username, password) if username and password else (None, None)
        self._starttls, self._tls, self._timeout = starttls, tls, timeout
        self._tls_context = tls_context

    @classmethod
    def from_settings(cls, settings: Settings) -> SMTPSender:
        """The sender ``settings.smtp_*`` describe (``smtp_host`` must be set)."""
        if not settings.smtp_host:
            raise ValueError("SMTPSender needs settings.smtp_host")
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            tls=settings.smtp_tls,
        )

    def message(self, email: str, url: str) -> EmailMessage:
        """The email that carries ``url`` to ``email``."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = email
        msg["Subject"] = SUBJECT
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        body = (
            "Hello,\n\n"
            "Follow this link to log in to roomz:\n\n"
            f"{url}\n\n"
            "The link works once and expires soon. If you did not ask for it, ignore this "
            "email.\n"
        )
        # 7bit keeps the link on one line of the raw message (quoted-printable would fold
        # it); an address or URL outside ASCII falls back to the library's choice.
        msg.set_content(body, cte="7bit" if body.isascii() else None)
        return msg

    async def send_login_link(self, email: str, url: str) -> None:
        username, password = self._login
        await aiosmtplib.send(
            self.message(email, url),
            hostname=self.host,
            port=self.port,
            username=username,
            password=password,
            use_tls=self._tls,
            start_tls=self._starttls,
            timeout=self._timeout,
            tls_context=self._tls_context,
        )


def sender_for(settings: Settings) -> MailSender:
    """SMTP when ``settings.smtp_host`` is set, else the console."""
    return SMTPSender.from_settings(settings) if settings.smtp_host else ConsoleSender()


class MemorySender(MailSender):
    """Keeps every ``(email, url)`` it is given, in order; ``next()`` waits for one."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._taken = 0
        self._arrived = asyncio.Condition()

    async def send_login_link(self, email: str, url: str) -> None:
        async with self._arrived:
            self.sent.append((email, url))
            self._arrived.notify_all()

    async def next(self, within: float = 5.0) -> tuple[str, str]:
        """The first link not yet taken by ``next()``.

        Raises:
            TimeoutError: none arrived within ``within`` seconds.
        """
        async with asyncio.timeout(within), self._arrived:
            await self._arrived.wait_for(lambda: len(self.sent) > self._taken)
            self._taken += 1
            return self.sent[self._taken - 1]
