"""VoiceMeUpSMSProvider against a loopback stand-in of VoiceMeUp's client API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from roomkit import InboundMessage, RoomKit, SMSChannel, WebSocketChannel
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.providers.vendor import VendorAPIError
from roomkit.providers.voicemeup.config import VoiceMeUpConfig
from roomkit.providers.voicemeup.receiver import VoiceMeUpWebhook
from roomkit.providers.voicemeup.sms import VoiceMeUpSMSProvider, configure_voicemeup_mms
from roomkit.webhooks import create_webhook_app
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.server import serve_app
from tests.standins.voicemeup import AUTH_TOKEN, PATH, USERNAME, VoiceMeUpStandIn, answer

TOKEN = "callback-token-0123"
PHONE = "15557654321"
OURS = "15550001111"


@pytest.fixture
async def provider(vmu: VoiceMeUpStandIn) -> AsyncIterator[VoiceMeUpSMSProvider]:
    sms = VoiceMeUpSMSProvider(config(vmu))
    yield sms
    await sms.close()


def config(app: VoiceMeUpStandIn, token: str = AUTH_TOKEN) -> VoiceMeUpConfig:
    return VoiceMeUpConfig(
        username=USERNAME,
        auth_token=token,
        from_number="+" + OURS,
        api_base_url=app.base_url,
        retry_policy=FAST,
    )


def hook(message: str, sms_hash: str, **extra: str) -> dict[str, str]:
    return {
        "source_number": PHONE,
        "destination_number": OURS,
        "message": message,
        "sms_hash": sms_hash,
        "datetime_transmission": "2026-12-08 01:00:00",
        "direction": "inbound",
        **extra,
    }


class Orphans(list[InboundMessage]):
    """An ``on_timeout`` callback that keeps what it gets and says when it got some."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def __call__(self, message: InboundMessage) -> None:
        self.append(message)
        self.arrived.set()

    async def wait(self) -> None:
        async with asyncio.timeout(5):
            await self.arrived.wait()


def test_the_environment_decides_the_host() -> None:
    plain = VoiceMeUpConfig(username="u", auth_token="t", from_number="1")
    sandbox = VoiceMeUpConfig(username="u", auth_token="t", from_number="1", environment="sandbox")
    assert plain.base_url == "https://clients.voicemeup.com/api/v1.1/json/"
    assert sandbox.base_url == "https://dev-clients.voicemeup.com/api/v1.1/json/"


async def test_send_posts_the_form_with_digits_only_numbers(
    vmu: VoiceMeUpStandIn, provider: VoiceMeUpSMSProvider
) -> None:
    result = await provider.send(outbound(TextContent(body="hello")), "+" + PHONE)
    assert result.provider_message_id == "hash-1"
    assert (vmu.last.method, vmu.last.path) == ("POST", PATH)
    assert vmu.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert vmu.forms()[-1] == {
        "username": USERNAME,
        "auth_token": AUTH_TOKEN,
        "source_number": OURS,
        "destination_number": PHONE,
        "message": "hello",
    }
    image = MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png", caption="see")
    await provider.send(outbound(image), PHONE)
    assert vmu.forms()[-1]["attachment"] == "https://cdn.example.com/a.png"
    assert vmu.forms()[-1]["message"] == "see"


async def test_a_refusal_is_typed_and_the_token_never_shows(
    vmu: VoiceMeUpStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    provider = VoiceMeUpSMSProvider(config(vmu, "wrong-" + AUTH_TOKEN))
    with caplog.at_level(logging.DEBUG), pytest.raises(VendorAPIError) as caught:
        await provider.send(outbound(TextContent(body="x")), PHONE)
    await provider.close()
    assert caught.value.code == "invalid_credentials"
    assert caught.value.retryable is False
    assert len(vmu.requests) == 1
    shown = str(caught.value) + repr(caught.value) + repr(provider) + caplog.text
    assert AUTH_TOKEN not in shown + repr(provider.config)


async def test_a_bad_number_answer_is_a_typed_error(
    vmu: VoiceMeUpStandIn, provider: VoiceMeUpSMSProvider
) -> None:
    vmu.queue(answer("error", ("invalid_destination_number", "Invalid destination number")))
    with pytest.raises(VendorAPIError, match="invalid_destination_number"):
        await provider.send(outbound(TextContent(body="x")), "12")


async def test_a_split_mms_is_one_message_and_a_lone_text_times_out(
    provider: VoiceMeUpSMSProvider,
) -> None:
    wrapper = {"attachment": "https://clients.voicemeup.com/m/1.mms.html"}
    assert provider.parse_mms_webhook(hook("look", "h1", **wrapper), "sms") is None
    image = {
        "attachment": "https://clients.voicemeup.com/m/1.png",
        "attachment_mime_type": "image/png",
    }
    joined = provider.parse_mms_webhook(hook("", "h2", **image), "sms")
    assert joined is not None and joined.idempotency_key == "h1+h2"
    assert joined.sender_id == "+" + PHONE
    assert joined.content == MediaContent(
        url=image["attachment"], mime_type="image/png", caption="look"
    )

    orphans = Orphans()
    provider.configure_mms(timeout_seconds=0.05, on_timeout=orphans)
    later = {**hook("alone", "h3", **wrapper), "datetime_transmission": "2026-12-08 01:00:09"}
    assert provider.parse_mms_webhook(later, "sms") is None
    await orphans.wait()
    assert orphans[0].content == TextContent(body="alone")


async def test_module_defaults_apply_until_a_provider_is_configured(
    provider: VoiceMeUpSMSProvider,
) -> None:
    orphans = Orphans()
    configure_voicemeup_mms(timeout_seconds=0.05, on_timeout=orphans)
    try:
        wrapper = {"attachment": "https://clients.voicemeup.com/m/2.mms.html"}
        assert provider.parse_mms_webhook(hook("hi", "h9", **wrapper), "sms") is None
        await orphans.wait()
    finally:
        configure_voicemeup_mms()
    assert orphans[0].idempotency_key == "h9"


async def test_voicemeup_end_to_end(vmu: VoiceMeUpStandIn, provider: VoiceMeUpSMSProvider) -> None:
    """A webhook with the URL token → room (twice: one event); reply out through queue_sms;
    no token → 401, a wrong one → 403."""
    async with RoomKit() as kit:
        kit.register_channel(SMSChannel("sms", provider=provider))
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "sms", metadata={"phone_number": "+" + PHONE})
        await kit.attach_channel("r1", "ws")
        receiver = VoiceMeUpWebhook("sms", provider, TOKEN)
        app = create_webhook_app(kit, [receiver])
        form = {"content-type": "application/x-www-form-urlencoded"}
        body = urlencode(hook("hi", "h1")).encode()
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base) as client:
            codes: list[Any] = []
            for query in (f"?token={TOKEN}", f"?token={TOKEN}", "", "?token=wrong"):
                response = await client.post(receiver.path + query, content=body, headers=form)
                codes.append(response.status_code)
            reply = InboundMessage(
                channel_id="ws", sender_id="agent", content=TextContent(body="back")
            )
            await kit.process_inbound(reply, room_id="r1")
        timeline = await kit.get_timeline("r1")
    assert codes == [200, 200, 401, 403]
    assert [getattr(e.content, "body", "") for e in timeline] == ["hi", "back"]
    assert vmu.forms()[-1]["destination_number"] == PHONE
    assert vmu.forms()[-1]["message"] == "back"
    assert not isinstance(timeline[0].content, CompositeContent)


async def test_the_receiver_keeps_the_url_token_out_of_repr(
    provider: VoiceMeUpSMSProvider,
) -> None:
    shown = repr(VoiceMeUpWebhook("sms", provider, TOKEN))
    assert "/webhooks/voicemeup/sms" in shown and TOKEN not in shown
