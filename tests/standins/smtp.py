"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps the messages it receives."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import ssl
import subprocess
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Inbox:
    """The aiosmtpd handler: records each message with its envelope.

    Args:
        gate: when given, each message is accepted only once the gate is set, so the
            server stalls mid-conversation (a slow mail server).
    """

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []
        self._gate = gate
        self._taken = 0
        self._arrived = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self._gate is not None:
            await self._gate.wait()
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        async with self._arrived:
            self.messages.append((envelope, message))
            self._arrived.notify_all()
        return "250 OK"

    async def next(self, within: float = 5.0) -> tuple[Envelope, EmailMessage]:
        """The first message received and not yet taken."""
        async with asyncio.timeout(within), self._arrived:
            await self._arrived.wait_for(lambda: len(self.messages) > self._taken)
            self._taken += 1
            return self.messages[self._taken - 1]


def accept(username: str, password: str) -> Any:
    """An aiosmtpd authenticator accepting exactly one login."""

    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            username.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextlib.asynccontextmanager
async def smtp_server(
    inbox: Inbox, *, tls: ssl.SSLContext | None = None, **options: Any
) -> AsyncIterator[int]:
    """Serve SMTP on a free loopback port for the block; yield the port.

    ``tls`` makes it SMTPS (TLS from the first byte); ``options`` go to aiosmtpd's SMTP
    (``tls_context`` + ``require_starttls`` for STARTTLS, ``authenticator`` ...).
    """
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(inbox, hostname="mail.test", **options), "127.0.0.1", 0, ssl=tls
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The server side TLS context of ``make_certificate``'s pair."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: ``(cert.pem, key.pem)``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
