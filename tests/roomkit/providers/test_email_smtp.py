"""SMTPEmailProvider against a real aiosmtpd server on 127.0.0.1 (STARTTLS, SMTPS, AUTH)."""

from __future__ import annotations

import base64
import logging
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.content import CompositeContent, MediaContent, RichContent, TextContent
from roomkit.providers.email.smtp import SMTPEmailConfig, SMTPEmailProvider
from roomkit.providers.email.threading import new_message_id, room_of
from tests.roomkit.providers.vendor_helpers import outbound
from tests.standins.smtp import Inbox, accept, make_certificate, server_context, smtp_server

PASSWORD = "smtp-pass-0123456789"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed pair for 127.0.0.1, made once for the module."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return server_context(certificate)


@pytest.fixture
async def starttls(
    server_tls: ssl.SSLContext, certificate: tuple[Path, Path]
) -> AsyncIterator[tuple[Inbox, SMTPEmailConfig]]:
    """A server that requires STARTTLS and a login, and a config that can reach it."""
    inbox = Inbox()
    options = {"tls_context": server_tls, "require_starttls": True, "auth_required": True}
    async with smtp_server(inbox, authenticator=accept("bot", PASSWORD), **options) as port:
        yield (
            inbox,
            SMTPEmailConfig(
                host="127.0.0.1",
                port=port,
                username="bot",
                password=PASSWORD,
                from_address="bot@support.example.com",
                from_name="Support",
                ca_file=str(certificate[0]),
            ),
        )


async def test_text_goes_over_starttls_with_a_login(
    starttls: tuple[Inbox, SMTPEmailConfig],
) -> None:
    inbox, config = starttls
    provider = SMTPEmailProvider(config)
    result = await provider.send(
        outbound(TextContent(body="Your order shipped.")), "alice@example.com", subject="Order 7"
    )
    envelope, message = await inbox.next()
    assert envelope.mail_from == "bot@support.example.com"
    assert envelope.rcpt_tos == ["alice@example.com"]
    assert message["From"] == "Support <bot@support.example.com>"
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Order 7"
    assert message["Date"]
    assert message["Message-ID"] == result.provider_message_id
    assert str(result.provider_message_id).endswith("@support.example.com>")
    assert message["In-Reply-To"] is None  # no store: nothing to reply to
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Your order shipped."


async def test_html_alternative_and_attachment_over_smtps(
    server_tls: ssl.SSLContext, certificate: tuple[Path, Path]
) -> None:
    inbox = Inbox()
    async with smtp_server(inbox, tls=server_tls) as port:
        config = SMTPEmailConfig(
            host="127.0.0.1",
            port=port,
            use_tls=True,
            from_address="bot@support.example.com",
            ca_file=str(certificate[0]),
        )
        image = MediaContent(
            url="data:image/png;base64," + base64.b64encode(PNG).decode(),
            mime_type="image/png",
            filename="label.png",
        )
        rich = RichContent(body="<p>Hello <b>Alice</b></p>", format="html")
        content = CompositeContent(parts=[rich, image])
        await SMTPEmailProvider(config).send(outbound(content), "alice@example.com")
        _, message = await inbox.next()
    assert message["Subject"] == "Message from room r1"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and plain.get_content().strip() == "Hello Alice"
    assert html is not None and "<b>Alice</b>" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "label.png"
    assert attachment.get_content_type() == "image/png"
    assert attachment.get_payload(decode=True) == PNG


async def test_a_wrong_password_is_a_permanent_error_that_names_no_secret(
    starttls: tuple[Inbox, SMTPEmailConfig], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, config = starttls
    provider = SMTPEmailProvider(
        SMTPEmailConfig.model_validate({**dict(config), "password": "wrong-" + PASSWORD})
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(ProviderError) as caught:
        await provider.send(outbound(TextContent(body="x")), "alice@example.com")
    assert caught.value.retryable is False
    assert "login refused (535)" in str(caught.value)
    shown = str(caught.value) + repr(provider) + repr(config) + caplog.text
    assert PASSWORD not in shown
    assert inbox.messages == []


class Refusing(Inbox):
    """Refuses one recipient for good and answers every DATA with a temporary failure."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "451 4.3.0 try again later"


async def test_refusals_are_typed_permanent_or_retryable() -> None:
    async with smtp_server(Refusing()) as port:
        config = SMTPEmailConfig(
            host="127.0.0.1", port=port, start_tls=False, from_address="bot@example.com"
        )
        provider = SMTPEmailProvider(config)
        with pytest.raises(ProviderError) as refused:
            await provider.send(outbound(TextContent(body="x")), "nobody@example.com")
        with pytest.raises(ProviderError) as later:
            await provider.send(outbound(TextContent(body="x")), "alice@example.com")
    assert (refused.value.retryable, "recipient refused ([550])" in str(refused.value)) == (
        False,
        True,
    )
    assert (later.value.retryable, "server answered 451" in str(later.value)) == (True, True)


async def test_an_unreachable_server_is_retryable_and_a_bad_address_refused() -> None:
    config = SMTPEmailConfig(
        host="127.0.0.1", port=1, start_tls=False, from_address="bot@example.com", timeout=5
    )
    provider = SMTPEmailProvider(config)
    with pytest.raises(ProviderError) as caught:
        await provider.send(outbound(TextContent(body="x")), "alice@example.com")
    assert caught.value.retryable is True
    with pytest.raises(InvalidArgumentError):
        await provider.send(outbound(TextContent(body="x")), "not an address")


def test_message_ids_name_their_room_and_only_tagged_ones_are_read() -> None:
    key = b"thread-key"
    mid = new_message_id("room/with odd chars", "mail.example.com", key)
    assert mid.startswith("<") and mid.endswith("@mail.example.com>")
    assert room_of(mid, "MAIL.example.com", key) == "room/with odd chars"
    assert room_of(mid, "other.example.com", key) is None
    assert room_of(mid, "mail.example.com", b"other key") is None
    nonce, room, _ = mid.strip("<>").split("@")[0].split(".")
    forged = f"<{nonce}.{room}.{'0' * 20}@mail.example.com>"
    assert room_of(forged, "mail.example.com", key) is None
    untagged = new_message_id("r1", "mail.example.com")
    assert room_of(untagged, "mail.example.com", key) is None
    assert room_of("<CAF=abc.123@mail.gmail.com>", "mail.gmail.com", key) is None
    assert new_message_id("r", "d", key) != new_message_id("r", "d", key)
