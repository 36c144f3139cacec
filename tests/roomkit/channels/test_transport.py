"""Transport channels through the kit: recipients, defaults, failures, transcoding."""

from __future__ import annotations

from roomkit import (
    ChannelBinding,
    ChannelOutput,
    ChannelType,
    EmailChannel,
    HTTPChannel,
    MessengerChannel,
    ProviderError,
    RCSChannel,
    RichContent,
    RoomContext,
    RoomEvent,
    RoomKit,
    SMSChannel,
    TeamsChannel,
    TelegramChannel,
    TextContent,
    TransportChannel,
    WhatsAppChannel,
    WhatsAppPersonalChannel,
)
from roomkit.providers.base import ProviderResult
from roomkit.providers.email.mock import MockEmailProvider
from roomkit.providers.http.mock import MockHTTPProvider
from roomkit.providers.sms.mock import MockSMSProvider
from roomkit.providers.whatsapp.mock import MockWhatsAppProvider
from tests.roomkit.helpers import text


async def _room(kit: RoomKit, *channels: TransportChannel, **metadata: dict[str, str]) -> None:
    await kit.create_room("r")
    for channel in channels:
        kit.register_channel(channel)
        await kit.attach_channel("r", channel.channel_id, metadata=metadata.get(channel.channel_id))


async def test_sms_reaches_the_number_in_binding_metadata_with_from_number(kit: RoomKit) -> None:
    """SMS goes to binding.metadata['phone_number'], sent from the channel's from_number."""
    provider = MockSMSProvider()
    email = MockEmailProvider()
    await _room(
        kit,
        SMSChannel("sms", provider=provider, from_number="+15550100"),
        EmailChannel("mail", provider=email, from_address="desk@example.com"),
        sms={"phone_number": "+15550199"},
        mail={"email_address": "a@example.com", "subject": "Your ticket"},
    )
    await kit.process_inbound(text("a@example.com", "hello", channel_id="mail"))
    assert [(s["to"], s["from"], s["event"].content.body) for s in provider.sent] == [
        ("+15550199", "+15550100", "hello")
    ]
    await kit.process_inbound(text("+15550199", "hi back", channel_id="sms"))
    assert [(s["to"], s["from"], s["subject"]) for s in email.sent] == [
        ("a@example.com", "desk@example.com", "Your ticket")
    ]


async def test_rich_content_is_downgraded_to_text_for_sms(kit: RoomKit) -> None:
    """Markdown with buttons reaches SMS as plain text listing the options."""
    provider = MockSMSProvider()
    await _room(
        kit,
        SMSChannel("sms", provider=provider),
        HTTPChannel("web", provider=MockHTTPProvider()),
        sms={"phone_number": "+1"},
        web={"recipient_id": "hook"},
    )
    await kit.send_event(
        "r",
        "web",
        RichContent(body="**Pick** one", buttons=[{"title": "Yes"}, {"title": "No"}]),
    )
    sent = provider.sent[0]["event"].content
    assert isinstance(sent, TextContent)
    assert sent.body == "Pick one\n- Yes\n- No"


async def test_failed_sends_are_reported_never_counted_delivered(kit: RoomKit) -> None:
    """A provider reporting failure, one raising, and a missing recipient are delivery_failed."""

    class Raising(MockSMSProvider):
        async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
            raise ProviderError("rate limited", retryable=True, status_code=429)

    down = MockSMSProvider()
    down.fail_with = "carrier rejected"

    failures: list[tuple[str | None, str]] = []
    kit.on("delivery_failed")(lambda fe: failures.append((fe.channel_id, fe.data["error"])))
    await _room(
        kit,
        SMSChannel("down", provider=down),
        SMSChannel("raising", provider=Raising()),
        SMSChannel("nobody", provider=MockSMSProvider()),
        WhatsAppChannel("wa", provider=MockWhatsAppProvider()),
        down={"phone_number": "+1"},
        raising={"phone_number": "+2"},
        wa={"phone_number": "+3"},
    )
    result = await kit.process_inbound(text("+3", "hi", channel_id="wa"))
    assert result.event is not None  # the message itself is stored
    assert sorted(failures) == [
        ("down", "carrier rejected"),
        ("nobody", "binding of 'nobody' in room 'r' has no 'phone_number' in its metadata"),
        ("raising", "rate limited"),
    ]


async def test_a_subclass_that_overrides_deliver_is_what_the_kit_calls(kit: RoomKit) -> None:
    """The kit delivers through a TransportChannel subclass's own deliver, and deliver
    called directly still hands back the provider's result."""
    provider = MockSMSProvider()

    class Screened(TransportChannel):
        async def deliver(
            self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
        ) -> ChannelOutput:
            if "secret" in self.extract_text(event):
                return ChannelOutput.failed("screened out")
            return await super().deliver(event, binding, context)

    failures: list[str] = []
    kit.on("delivery_failed")(lambda fe: failures.append(fe.data["error"]))
    screened = Screened("sms", ChannelType.SMS, provider=provider, recipient_key="phone_number")
    await _room(
        kit,
        screened,
        WhatsAppChannel("wa", provider=MockWhatsAppProvider()),
        sms={"phone_number": "+1"},
    )
    await kit.process_inbound(text("+3", "the secret", channel_id="wa"))
    await kit.process_inbound(text("+3", "hello", channel_id="wa"))
    assert failures == ["screened out"]
    assert [s["event"].content.body for s in provider.sent] == ["hello"]
    binding = await kit.store.get_binding("r", "sms")
    assert binding is not None
    room = await kit.get_room("r")
    output = await screened.deliver(provider.sent[0]["event"], binding, RoomContext(room=room))
    result = output.metadata["provider_result"]
    assert output.delivered and result.success
    assert output.metadata["provider_message_id"] == result.provider_message_id
    assert [s["to"] for s in provider.sent] == ["+1", "+1"]


def test_factories_build_the_documented_kinds() -> None:
    """Each factory yields a TransportChannel of its ChannelType with its recipient key."""
    cases = [
        (SMSChannel("a"), ChannelType.SMS, "phone_number"),
        (RCSChannel("b"), ChannelType.RCS, "phone_number"),
        (EmailChannel("c"), ChannelType.EMAIL, "email_address"),
        (WhatsAppChannel("d"), ChannelType.WHATSAPP, "phone_number"),
        (MessengerChannel("e"), ChannelType.MESSENGER, "recipient_id"),
        (TeamsChannel("f"), ChannelType.TEAMS, "recipient_id"),
        (HTTPChannel("g"), ChannelType.WEBHOOK, "recipient_id"),
        (TelegramChannel("h"), ChannelType.TELEGRAM, "recipient_id"),
        (WhatsAppPersonalChannel("i"), ChannelType.WHATSAPP_PERSONAL, "recipient_id"),
    ]
    for channel, kind, key in cases:
        assert isinstance(channel, TransportChannel)
        assert channel.channel_type is kind and channel.recipient_key == key
    assert RCSChannel("r", fallback=False).info == {"fallback": False}
    assert SMSChannel("s", from_number="+1").info == {"from_": "+1"}
    assert SMSChannel("s").capabilities().max_length == 1600
