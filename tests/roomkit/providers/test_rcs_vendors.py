"""Twilio and Telnyx RCS against loopback stand-ins: RCS when the phone takes it, SMS else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from roomkit import InboundMessage, RCSChannel, RoomKit, WebSocketChannel
from roomkit.models.binding import ChannelBinding
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.enums import ChannelType
from roomkit.models.room import Room, RoomContext
from roomkit.providers.rcs.base import RCSDeliveryResult
from roomkit.providers.telnyx.rcs import (
    TelnyxRCSConfig,
    TelnyxRCSProvider,
    parse_telnyx_rcs_webhook,
)
from roomkit.providers.twilio.rcs import (
    TwilioRCSConfig,
    TwilioRCSProvider,
    parse_twilio_rcs_webhook,
)
from roomkit.providers.twilio.rcs_receiver import TwilioRCSWebhook
from roomkit.providers.vendor import VendorAPIError
from roomkit.webhooks import TelnyxWebhook, create_webhook_app
from tests.roomkit.providers.test_webhook_app import PUBLIC, twilio_form
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.scripted import Reply
from tests.standins.server import serve_app
from tests.standins.telnyx import API_KEY, TelnyxSigner, finalized, received
from tests.standins.telnyx_rcs import AGENT, TelnyxRCSStandIn
from tests.standins.twilio import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn

PHONE = "+15557654321"
SERVICE = "MG" + "1" * 32


@pytest.fixture
async def twilio_rcs(twilio: TwilioStandIn) -> AsyncIterator[TwilioRCSProvider]:
    config = TwilioRCSConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        messaging_service_sid=SERVICE,
        base_url=twilio.base_url,
        retry_policy=FAST,
    )
    provider = TwilioRCSProvider(config)
    yield provider
    await provider.close()


@pytest.fixture
async def telnyx_provider(telnyx_rcs: TelnyxRCSStandIn) -> AsyncIterator[TelnyxRCSProvider]:
    config = TelnyxRCSConfig(
        api_key=API_KEY,
        agent_id=AGENT,
        messaging_profile_id="profile-1",
        fallback_from="+15550001111",
        base_url=telnyx_rcs.base_url,
        retry_policy=FAST,
    )
    provider = TelnyxRCSProvider(config)
    yield provider
    await provider.close()


def twilio_message(sender: str | None) -> Reply:
    """The Message resource Twilio answers, naming the sender its Messaging Service chose."""
    body = {"sid": "SM" + "9" * 32, "status": "queued", "from": sender, "to": PHONE}
    return Reply.json(body, 201)


async def test_twilio_rcs_goes_through_the_messaging_service(
    twilio: TwilioStandIn, twilio_rcs: TwilioRCSProvider
) -> None:
    twilio.queue(twilio_message("rcs:brand_agent"))
    result = await twilio_rcs.send(outbound(TextContent(body="hi")), PHONE)
    assert (result.channel_used, result.fallback) == ("rcs", False)
    assert result.provider_message_id == "SM" + "9" * 32
    assert twilio.forms()[-1] == [("To", PHONE), ("MessagingServiceSid", SERVICE), ("Body", "hi")]
    assert twilio.last.headers["authorization"].startswith("Basic ")


async def test_twilio_reports_the_sms_fallback_it_chose(
    twilio: TwilioStandIn, twilio_rcs: TwilioRCSProvider
) -> None:
    twilio.queue(twilio_message("+15550001111"))
    result = await twilio_rcs.send(outbound(TextContent(body="hi")), PHONE)
    assert (result.channel_used, result.fallback) == ("sms", True)


async def test_twilio_without_fallback_addresses_the_rcs_recipient(
    twilio: TwilioStandIn, twilio_rcs: TwilioRCSProvider
) -> None:
    twilio.queue(twilio_message("rcs:brand_agent"))
    result = await twilio_rcs.send(outbound(TextContent(body="hi")), PHONE, fallback=False)
    assert twilio.forms()[-1][0] == ("To", "rcs:" + PHONE)
    assert result.channel_used == "rcs"


def test_twilio_rcs_inbound_is_the_phone_behind_the_rcs_address() -> None:
    form = {"MessageSid": "SM" + "a" * 32, "From": "rcs:" + PHONE, "To": "rcs:brand_agent"}
    message = parse_twilio_rcs_webhook({**form, "Body": "yo"}, "rcs")
    assert (message.sender_id, message.content) == (PHONE, TextContent(body="yo"))
    assert message.metadata["channel"] == "rcs"


async def test_telnyx_rcs_to_a_capable_phone(
    telnyx_rcs: TelnyxRCSStandIn, telnyx_provider: TelnyxRCSProvider
) -> None:
    telnyx_rcs.rcs_capable.add(PHONE)
    image = MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png")
    result = await telnyx_provider.send(outbound(image), PHONE)
    assert (result.channel_used, result.fallback) == ("rcs", False)
    check, send = telnyx_rcs.requests
    assert (check.method, check.path) == ("GET", f"/v2/messaging/rcs/capabilities/{AGENT}/{PHONE}")
    assert (send.method, send.path) == ("POST", "/v2/messages/rcs")
    assert send.headers["authorization"] == f"Bearer {API_KEY}"
    assert send.json == {
        "agent_id": AGENT,
        "to": PHONE,
        "agent_message": {
            "content_message": {"content_info": {"file_url": "https://cdn.example.com/a.png"}}
        },
        "messaging_profile_id": "profile-1",
    }
    assert result.provider_message_id == "rcs-2"


async def test_telnyx_falls_back_to_sms_or_fails_without_fallback(
    telnyx_rcs: TelnyxRCSStandIn, telnyx_provider: TelnyxRCSProvider
) -> None:
    result = await telnyx_provider.send(outbound(TextContent(body="hi")), PHONE)
    assert (result.channel_used, result.fallback) == ("sms", True)
    sms = telnyx_rcs.last
    assert (sms.path, sms.json["from"], sms.json["to"], sms.json["text"]) == (
        "/v2/messages",
        "+15550001111",
        PHONE,
        "hi",
    )
    assert await telnyx_provider.check_capability(PHONE) is False
    telnyx_rcs.queue(Reply.json({"errors": [{"code": "10015", "detail": "no RCS"}]}, 422))
    with pytest.raises(VendorAPIError, match="no RCS"):
        await telnyx_provider.send(outbound(TextContent(body="hi")), PHONE, fallback=False)


def test_telnyx_rcs_inbound_reads_the_messaging_envelope() -> None:
    payload = {
        "data": {
            "event_type": "message.received",
            "id": "evt-1",
            "payload": {
                "id": "msg-1",
                "type": "RCS",
                "direction": "inbound",
                "from": {"phone_number": PHONE},
                "to": [{"agent_id": AGENT}],
                "text": "yo",
            },
        }
    }
    message = parse_telnyx_rcs_webhook(payload, "rcs")
    assert (message.sender_id, message.content) == (PHONE, TextContent(body="yo"))
    assert message.metadata["channel"] == "rcs"


async def test_an_rcs_channel_delivery_names_the_channel_used(
    telnyx_rcs: TelnyxRCSStandIn, telnyx_provider: TelnyxRCSProvider
) -> None:
    """What RCSChannel hands back for a delivery says SMS carried it, not RCS."""
    channel = RCSChannel("rcs", provider=telnyx_provider)
    binding = ChannelBinding(
        channel_id="rcs", room_id="r", channel_type=ChannelType.RCS,
        metadata={"phone_number": PHONE},
    )  # fmt: skip
    event = outbound(TextContent(body="hi"))
    output = await channel.deliver(event, binding, RoomContext(room=Room(id="r")))
    sent = output.metadata["provider_result"]
    assert output.delivered and isinstance(sent, RCSDeliveryResult)
    assert (sent.channel_used, sent.fallback) == ("sms", True)
    assert output.metadata["provider_message_id"] == sent.provider_message_id
    assert [r.path for r in telnyx_rcs.requests] == [
        f"/v2/messaging/rcs/capabilities/{AGENT}/{PHONE}",
        "/v2/messages",
    ]


class RCSRoom:
    """A kit with room r1 binding the RCS channel (to PHONE) and a WebSocket agent."""

    def __init__(self, kit: RoomKit) -> None:
        self.kit = kit
        self.statuses: list[DeliveryStatus] = []
        kit.on_delivery_status(self.statuses.append)

    async def bind(self, provider: TwilioRCSProvider | TelnyxRCSProvider) -> None:
        self.kit.register_channel(RCSChannel("rcs", provider=provider))
        self.kit.register_channel(WebSocketChannel("ws"))
        await self.kit.create_room("r1")
        await self.kit.attach_channel("r1", "rcs", metadata={"phone_number": PHONE})
        await self.kit.attach_channel("r1", "ws")

    async def reply(self, body: str) -> None:
        message = InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body=body))
        await self.kit.process_inbound(message, room_id="r1")

    async def texts(self) -> list[tuple[str, str]]:
        timeline = await self.kit.get_timeline("r1")
        return [(e.source.participant_id or "", getattr(e.content, "body", "")) for e in timeline]


async def post_all(url: str, *requests: tuple[bytes, dict[str, str]]) -> list[int]:
    async with httpx.AsyncClient() as client:
        return [(await client.post(url, content=b, headers=h)).status_code for b, h in requests]


async def test_twilio_rcs_end_to_end(twilio: TwilioStandIn, twilio_rcs: TwilioRCSProvider) -> None:
    """Signed RCS webhook (twice) → one event from the phone; reply out through the
    Messaging Service; its status callback recorded."""
    async with RoomKit() as kit:
        room = RCSRoom(kit)
        await room.bind(twilio_rcs)
        receiver = TwilioRCSWebhook("rcs", AUTH_TOKEN, public_url=PUBLIC)
        public = PUBLIC + receiver.path
        inbound = {"MessageSid": "SM" + "b" * 32, "From": "rcs:" + PHONE, "To": "rcs:brand"}
        message = twilio_form(public, {**inbound, "Body": "hi", "SmsStatus": "received"})
        async with serve_app(create_webhook_app(kit, [receiver])) as base:
            assert await post_all(base + receiver.path, message, message) == [200, 200]
            await room.reply("back")
            sid = f"SM{1:032d}"
            callback = {"MessageSid": sid, "MessageStatus": "delivered", "From": "rcs:brand"}
            assert await post_all(base + receiver.path, twilio_form(public, callback)) == [200]
        assert await room.texts() == [(PHONE, "hi"), ("agent", "back")]
    assert twilio.forms()[-1][:3] == [
        ("To", PHONE),
        ("MessagingServiceSid", SERVICE),
        ("Body", "back"),
    ]
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        (sid, "delivered", "rcs")
    ]


async def test_telnyx_rcs_end_to_end(
    telnyx_rcs: TelnyxRCSStandIn, telnyx_provider: TelnyxRCSProvider
) -> None:
    """Signed inbound RCS (twice) → one event; the reply goes out over RCS to the capable
    phone; its message.finalized webhook recorded."""
    signer = TelnyxSigner()
    telnyx_rcs.rcs_capable.add(PHONE)
    async with RoomKit() as kit:
        room = RCSRoom(kit)
        await room.bind(telnyx_provider)
        receiver = TelnyxWebhook("rcs", signer.public_key)
        body = received("rcs-in-1", PHONE, "hi")
        message = (body, {"content-type": "application/json", **signer.headers(body)})
        async with serve_app(create_webhook_app(kit, [receiver])) as base:
            assert await post_all(base + receiver.path, message, message) == [200, 200]
            await room.reply("back")
            sent = telnyx_rcs.last
            assert (sent.path, sent.json["agent_message"]) == (
                "/v2/messages/rcs",
                {"content_message": {"text": "back"}},
            )
            done = finalized("rcs-2", PHONE)
            status = (done, {"content-type": "application/json", **signer.headers(done)})
            assert await post_all(base + receiver.path, status) == [200]
        assert await room.texts() == [(PHONE, "hi"), ("agent", "back")]
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        ("rcs-2", "delivered", "rcs")
    ]
