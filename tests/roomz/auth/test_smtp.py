"""Login links by SMTP, received by a real aiosmtpd server on loopback."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiosmtplib
import httpx
import pytest

from roomz.server.auth import Auth, SMTPSender
from roomz.server.settings import Settings
from tests.conftest import UNIT
from tests.roomz.auth.conftest import Database, login_site, spend
from tests.standins.server import serve_app
from tests.standins.smtp import Inbox, accept, make_certificate, smtp_server

URL = "https://chat.example.org/auth/verify?token=" + "T" * 43


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
async def inbox_port() -> AsyncIterator[tuple[Inbox, int]]:
    inbox = Inbox()
    async with smtp_server(inbox) as port:
        yield inbox, port


def body_lines(message: object) -> list[str]:
    """The lines of the plain-text body of ``message``."""
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None and part.get_content_type() == "text/plain"
    return [line.rstrip("\r") for line in str(part.get_content()).split("\n")]


async def test_message_shape(inbox_port: tuple[Inbox, int]) -> None:
    """The email goes from smtp_from to the address, with the subject and the link on a
    line of its own."""
    inbox, port = inbox_port
    sender = SMTPSender("127.0.0.1", port, sender="login@chat.example.org")
    await sender.send_login_link("alice@example.com", URL)
    envelope, message = await inbox.next()
    assert envelope.mail_from == "login@chat.example.org"
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert message["From"] == "login@chat.example.org"
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Your roomz login link"
    assert message["Message-ID"] and message["Date"]
    assert URL in body_lines(message)
    assert isinstance(envelope.content, bytes)
    assert URL.encode() in envelope.content.splitlines()  # unfolded in the raw message too


async def test_smtp_login(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    """With a username and password the sender logs in (over STARTTLS); a wrong password
    is an error and nothing is delivered."""
    inbox = Inbox()
    options: dict[str, Any] = {"tls_context": server_tls, "require_starttls": True}
    async with smtp_server(inbox, authenticator=accept("roomz", "s3cret"), **options) as port:
        good = SMTPSender(
            "127.0.0.1", port, username="roomz", password="s3cret", starttls=True,
            tls_context=client_tls,
        )  # fmt: skip
        await good.send_login_link("bob@example.com", URL)
        assert URL in body_lines((await inbox.next())[1])
        bad = SMTPSender(
            "127.0.0.1", port, username="roomz", password="wrong", starttls=True,
            tls_context=client_tls,
        )  # fmt: skip
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            await bad.send_login_link("bob@example.com", URL)
    assert len(inbox.messages) == 1


async def test_starttls_required_is_honoured(
    inbox_port: tuple[Inbox, int], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    """starttls=True refuses a server that cannot upgrade, and upgrades one that can."""
    plain_inbox, plain_port = inbox_port
    with pytest.raises(aiosmtplib.SMTPException):
        await SMTPSender(
            "127.0.0.1", plain_port, starttls=True, tls_context=client_tls
        ).send_login_link("c@example.com", URL)
    assert plain_inbox.messages == []
    inbox = Inbox()
    async with smtp_server(inbox, tls_context=server_tls, require_starttls=True) as port:
        await SMTPSender("127.0.0.1", port, starttls=True, tls_context=client_tls).send_login_link(
            "c@example.com", URL
        )
        assert URL in body_lines((await inbox.next())[1])


async def test_implicit_tls(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    """tls=True speaks TLS from the first byte (SMTPS) and checks the certificate."""
    inbox = Inbox()
    async with smtp_server(inbox, tls=server_tls) as port:
        await SMTPSender("127.0.0.1", port, tls=True, tls_context=client_tls).send_login_link(
            "d@example.com", URL
        )
        assert URL in body_lines((await inbox.next())[1])
        with pytest.raises(aiosmtplib.SMTPException):  # an untrusted certificate
            await SMTPSender("127.0.0.1", port, tls=True).send_login_link("d@example.com", URL)
    assert len(inbox.messages) == 1


def test_sender_from_settings() -> None:
    """The smtp_* settings configure the sender; without smtp_host there is none."""
    sender = SMTPSender.from_settings(
        Settings(smtp_host="mail.example.org", smtp_port=2525, smtp_from="rz@example.org")
    )
    assert (sender.host, sender.port, sender.sender) == ("mail.example.org", 2525, "rz@example.org")
    with pytest.raises(ValueError):
        SMTPSender.from_settings(Settings())


async def test_magic_link_flow_over_smtp(database: Database) -> None:
    """POST /auth/login mails the link through SMTP (chosen by smtp_host); following it
    logs in."""
    inbox = Inbox()
    async with smtp_server(inbox) as smtp_port:
        settings = Settings(
            database=database.url,
            open_signup=True,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_from="roomz@chat.test",
        )
        async with (
            await Auth.open(settings, schema=database.schema) as auth,
            serve_app(login_site(auth)) as base,
            httpx.AsyncClient(base_url=base) as http,
        ):
            response = await http.post("/auth/login", json={"email": "Eve@Example.com"})
            assert response.status_code == 202
            assert response.json()["delivery"] == "email"
            envelope, message = await inbox.next()
            assert envelope.rcpt_tos == ["eve@example.com"]
            [link] = [line for line in body_lines(message) if "/auth/verify?" in line]
            assert link.startswith("http://127.0.0.1:8000/auth/verify?token=")
            path = link.removeprefix("http://127.0.0.1:8000")
            assert (await http.get(path)).status_code == 200  # the page with the button
            response = await spend(http, parse_qs(urlsplit(link).query)["token"][0])
            assert response.status_code == 303
            me = await http.get("/auth/me")
            assert me.json()["user"]["email"] == "eve@example.com"


async def test_slow_mail_server_does_not_slow_the_answer(database: Database) -> None:
    """While the mail server stalls, an allowed address is answered as fast as one that
    may not log in; the email arrives once the server resumes."""
    gate = asyncio.Event()
    inbox = Inbox(gate)
    async with smtp_server(inbox) as smtp_port:
        settings = Settings(
            database=database.url,
            allowed_domains=("example.com",),
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
        )
        async with await Auth.open(settings, schema=database.schema) as auth:
            app = login_site(auth)
            async with serve_app(app) as base, httpx.AsyncClient(base_url=base) as http:
                timings = {}
                for email in ("stranger@evil.test", "fred@example.com"):
                    started = time.perf_counter()
                    response = await http.post("/auth/login", json={"email": email})
                    timings[email] = time.perf_counter() - started
                    assert response.status_code == 202
                assert timings["fred@example.com"] < 0.5 * UNIT
                await asyncio.sleep(0.2 * UNIT)
                assert inbox.messages == []  # still stalled: the answer did not wait for it
                gate.set()
                envelope, _ = await inbox.next()
                assert envelope.rcpt_tos == ["fred@example.com"]


async def test_failed_delivery_is_logged(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """When the mail server cannot be reached the request is still 202 and the failure is
    in the log, naming the address."""
    settings = Settings(database=database.url, open_signup=True, smtp_host="127.0.0.1", smtp_port=1)
    async with await Auth.open(settings, schema=database.schema) as auth:
        await auth.request_link("gil@example.com", "c1")
    [record] = [r for r in caplog.records if r.name == "roomz.server.auth.facade"]
    assert record.levelname == "ERROR"
    assert "gil@example.com" in record.getMessage()
