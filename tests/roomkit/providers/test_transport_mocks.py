"""Each transport kind's documented base and mock, driven by its channel factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from roomkit import (
    EmailChannel,
    EmailProvider,
    HTTPChannel,
    HTTPProvider,
    MessengerChannel,
    MessengerProvider,
    MockEmailProvider,
    MockHTTPProvider,
    MockMessengerProvider,
    MockSMSProvider,
    MockTeamsProvider,
    MockTelegramProvider,
    MockWhatsAppProvider,
    ProviderError,
    RoomEvent,
    RoomKit,
    SMSChannel,
    SMSProvider,
    TeamsChannel,
    TeamsProvider,
    TelegramChannel,
    TelegramProvider,
    TransportChannel,
    WebSocketChannel,
    WhatsAppChannel,
    WhatsAppProvider,
)
from roomkit.models.delivery import ProviderResult
from tests.roomkit.helpers import text

Mock = (
    MockSMSProvider
    | MockEmailProvider
    | MockWhatsAppProvider
    | MockMessengerProvider
    | MockTelegramProvider
    | MockTeamsProvider
    | MockHTTPProvider
)

# factory, mock, its kind's base, the binding metadata, and what the mock records.
Kind = tuple[Callable[..., TransportChannel], type[Mock], type[Any], dict[str, str], dict[str, str]]
KINDS: list[Kind] = [
    (SMSChannel, MockSMSProvider, SMSProvider, {"phone_number": "+15550199"},
     {"to": "+15550199", "from": ""}),
    (EmailChannel, MockEmailProvider, EmailProvider,
     {"email_address": "ann@example.com", "subject": "Ticket 7"},
     {"to": "ann@example.com", "from": "", "subject": "Ticket 7"}),
    (WhatsAppChannel, MockWhatsAppProvider, WhatsAppProvider, {"phone_number": "+15550123"},
     {"to": "+15550123"}),
    (MessengerChannel, MockMessengerProvider, MessengerProvider, {"recipient_id": "psid-1"},
     {"to": "psid-1"}),
    (TelegramChannel, MockTelegramProvider, TelegramProvider, {"recipient_id": "42"},
     {"to": "42"}),
    (TeamsChannel, MockTeamsProvider, TeamsProvider, {"recipient_id": "conv-9"},
     {"to": "conv-9"}),
    (HTTPChannel, MockHTTPProvider, HTTPProvider, {"recipient_id": "hook-1"},
     {"to": "hook-1"}),
]  # fmt: skip
IDS = [mock.__name__ for _, mock, *_ in KINDS]


async def _room_with(kit: RoomKit, channel: TransportChannel, metadata: dict[str, str]) -> None:
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(channel)
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", channel.channel_id, metadata=metadata)


@pytest.mark.parametrize(("factory", "mock_cls", "base", "metadata", "recorded"), KINDS, ids=IDS)
async def test_the_mock_records_a_room_message_in_the_documented_shape(
    kit: RoomKit,
    factory: Callable[..., TransportChannel],
    mock_cls: type[Mock],
    base: type[Any],
    metadata: dict[str, str],
    recorded: dict[str, str],
) -> None:
    """A message from a WebSocket user reaches the mock as one {"event", "to", ...} dict."""
    mock = mock_cls()
    assert isinstance(mock, base)
    await _room_with(kit, factory("out", provider=mock), metadata)
    result = await kit.process_inbound(text("web-user", "hello there", channel_id="ws"))
    assert result.event is not None
    assert len(mock.sent) == 1
    entry = mock.sent[0]
    assert {k: v for k, v in entry.items() if k != "event"} == recorded
    assert entry["event"].id == result.event.id
    assert entry["event"].content.body == "hello there"


@pytest.mark.parametrize(("factory", "mock_cls", "base", "metadata", "recorded"), KINDS, ids=IDS)
async def test_a_failing_mock_gives_delivery_failed_and_records_nothing(
    kit: RoomKit,
    factory: Callable[..., TransportChannel],
    mock_cls: type[Mock],
    base: type[Any],
    metadata: dict[str, str],
    recorded: dict[str, str],
) -> None:
    """With fail_with set the send fails; the kit emits delivery_failed with that error."""
    failures: list[tuple[str | None, str]] = []
    kit.on("delivery_failed")(lambda fe: failures.append((fe.channel_id, fe.data["error"])))
    mock = mock_cls()
    mock.fail_with = "network unreachable"
    await _room_with(kit, factory("out", provider=mock), metadata)
    result = await kit.process_inbound(text("web-user", "hello", channel_id="ws"))
    assert result.event is not None  # the message is stored all the same
    assert failures == [("out", "network unreachable")]
    assert mock.sent == []


async def test_sms_and_email_pass_their_senders_to_the_provider(kit: RoomKit) -> None:
    """SMSChannel(from_number) and EmailChannel(from_address) reach send as from_."""
    sms, mail = MockSMSProvider(), MockEmailProvider()
    kit.register_channel(SMSChannel("sms", provider=sms, from_number="+15550100"))
    kit.register_channel(EmailChannel("mail", provider=mail, from_address="desk@example.com"))
    await kit.create_room("r")
    await kit.attach_channel("r", "sms", metadata={"phone_number": "+15550199"})
    await kit.attach_channel("r", "mail", metadata={"email_address": "ann@example.com"})
    await kit.process_inbound(text("+15550199", "hi", channel_id="sms"))
    await kit.process_inbound(text("ann@example.com", "hello", channel_id="mail"))
    assert [(s["to"], s["from"]) for s in sms.sent] == [("+15550199", "+15550100")]
    assert [(s["to"], s["from"], s["subject"]) for s in mail.sent] == [
        ("ann@example.com", "desk@example.com", "")
    ]
    assert sms.from_number.startswith("+")


async def test_a_users_own_provider_on_the_documented_base_is_driven_by_the_factory(
    kit: RoomKit,
) -> None:
    """Subclassing SMSProvider with the documented send signature is all a vendor needs."""

    class Carrier(SMSProvider):
        def __init__(self) -> None:
            self.bodies: list[tuple[str, str | None, str]] = []

        @property
        def from_number(self) -> str:
            return "+15550000"

        async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
            self.bodies.append((to, from_, getattr(event.content, "body", "")))
            return ProviderResult(success=True, provider_message_id="c-1")

    carrier = Carrier()
    await _room_with(kit, SMSChannel("sms", provider=carrier), {"phone_number": "+15550199"})
    await kit.process_inbound(text("web-user", "ping", channel_id="ws"))
    assert carrier.bodies == [("+15550199", None, "ping")]
    assert carrier.name == "Carrier"
    with pytest.raises(NotImplementedError, match="Carrier does not verify"):
        carrier.verify_signature(b"{}", "sig")


def test_a_base_without_send_cannot_be_instantiated() -> None:
    """The kinds' bases are abstract: a provider must implement send."""

    class Incomplete(TelegramProvider):
        pass

    with pytest.raises(TypeError, match="send"):
        Incomplete()  # type: ignore[abstract]


async def test_a_provider_error_is_a_failed_delivery_not_a_crash(kit: RoomKit) -> None:
    """A provider raising ProviderError fails that delivery only; the retryable flag is kept."""

    class Down(MockTeamsProvider):
        async def send(self, event: RoomEvent, to: str) -> ProviderResult:
            raise ProviderError("teams is down", retryable=True, provider="teams")

    failures: list[str] = []
    kit.on("delivery_failed")(lambda fe: failures.append(fe.data["error"]))
    await _room_with(kit, TeamsChannel("teams", provider=Down()), {"recipient_id": "c"})
    result = await kit.process_inbound(text("web-user", "hi", channel_id="ws"))
    assert result.event is not None and failures == ["teams is down"]


async def test_whatsapp_templates_are_refused_by_a_provider_without_them() -> None:
    """Optional base methods say which provider lacks them instead of doing nothing."""
    with pytest.raises(NotImplementedError, match="MockWhatsAppProvider does not send templates"):
        await MockWhatsAppProvider().send_template("+1", "order_ready")
