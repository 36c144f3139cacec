"""SinchSMSProvider against a loopback Sinch stand-in; the sinch SDK judges signatures, shapes."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sinch.domains.sms.sinch_events.v1.sms_sinch_event import SmsSinchEvent

from roomkit import InboundMessage, RoomKit, SMSChannel, WebSocketChannel
from roomkit.models.content import MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.providers.sinch.config import SinchConfig
from roomkit.providers.sinch.receiver import SinchWebhook
from roomkit.providers.sinch.sms import SinchSMSProvider, parse_sinch_webhook
from roomkit.providers.sinch.webhook import parse_sinch_status, sinch_signature
from roomkit.providers.vendor import VendorAPIError
from roomkit.webhooks import create_webhook_app
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.server import serve_app
from tests.standins.sinch import API_TOKEN, PATH, PLAN, SinchStandIn, sinch_error

SECRET = "sinch-callback-secret"
PHONE = "+15557654321"
OURS = "+15550001111"


@pytest.fixture
async def provider(sinch: SinchStandIn) -> AsyncIterator[SinchSMSProvider]:
    config = SinchConfig(
        service_plan_id=PLAN,
        api_token=API_TOKEN,
        from_number=OURS,
        webhook_secret=SECRET,
        base_url=sinch.base_url,
        callback_url="https://hooks.example.com/sinch",
        retry_policy=FAST,
    )
    sms = SinchSMSProvider(config)
    yield sms
    await sms.close()


def signed(payload: dict[str, Any], stamp: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    nonce, stamp = secrets.token_hex(8), stamp or str(int(time.time()))
    return body, {
        "content-type": "application/json",
        "x-sinch-webhook-signature": sinch_signature(SECRET, body, nonce, stamp),
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": stamp,
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    }


def mo_text(body: str, message_id: str = "01MO0000000000000000000001") -> dict[str, Any]:
    return {
        "type": "mo_text",
        "id": message_id,
        "from": PHONE,
        "to": OURS,
        "body": body,
        "received_at": "2026-12-08T01:00:00.000Z",
    }


def report(batch_id: str, status: str = "Delivered", code: int = 0) -> dict[str, Any]:
    return {
        "type": "recipient_delivery_report_sms",
        "batch_id": batch_id,
        "recipient": PHONE,
        "code": code,
        "status": status,
        "at": "2026-12-08T01:00:05.000Z",
    }


async def test_send_posts_the_documented_batch_with_a_bearer_token(
    sinch: SinchStandIn, provider: SinchSMSProvider
) -> None:
    event = outbound(TextContent(body="hello"))
    result = await provider.send(event, PHONE)
    assert result.provider_message_id == f"01BATCH{1:019d}"
    request = sinch.last
    assert (request.method, request.path) == ("POST", PATH)
    assert request.headers["authorization"] == f"Bearer {API_TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "from": OURS,
        "to": [PHONE],
        "delivery_report": "per_recipient",
        "client_reference": event.id,
        "type": "mt_text",
        "body": "hello",
        "callback_url": "https://hooks.example.com/sinch",
    }


async def test_media_goes_as_an_mt_media_batch(
    sinch: SinchStandIn, provider: SinchSMSProvider
) -> None:
    image = MediaContent(url="https://cdn.example.com/a.png", mime_type="image/png", caption="hi")
    await provider.send(outbound(image), PHONE, from_="+15559990000")
    assert sinch.last.json["type"] == "mt_media"
    assert sinch.last.json["body"] == {"url": "https://cdn.example.com/a.png", "message": "hi"}
    assert sinch.last.json["from"] == "+15559990000"


async def test_a_bad_number_is_a_typed_permanent_error(
    sinch: SinchStandIn, provider: SinchSMSProvider
) -> None:
    sinch.queue(sinch_error("syntax_invalid_parameter_format", "Invalid number: 12", 400))
    with pytest.raises(VendorAPIError) as caught:
        await provider.send(outbound(TextContent(body="x")), "12")
    assert (caught.value.code, caught.value.status_code) == ("syntax_invalid_parameter_format", 400)
    assert caught.value.retryable is False
    assert "Invalid number: 12" in str(caught.value)
    assert len(sinch.requests) == 1


async def test_rate_limit_waits_for_retry_after(
    sinch: SinchStandIn, provider: SinchSMSProvider
) -> None:
    sinch.queue(sinch_error("too_many_requests", "slow down", 429, {"Retry-After": "0"}))
    result = await provider.send(outbound(TextContent(body="x")), PHONE)
    assert result.success
    assert len(sinch.requests) == 2


async def test_a_bad_token_never_shows_in_errors_reprs_or_logs(
    sinch: SinchStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    config = SinchConfig(
        service_plan_id=PLAN, api_token="wrong-" + API_TOKEN, from_number=OURS,
        base_url=sinch.base_url, webhook_secret=SECRET, retry_policy=FAST,
    )  # fmt: skip
    provider = SinchSMSProvider(config)
    with caplog.at_level(logging.DEBUG), pytest.raises(VendorAPIError) as caught:
        await provider.send(outbound(TextContent(body="x")), PHONE)
    await provider.close()
    assert caught.value.code == "unauthorized"
    shown = str(caught.value) + repr(caught.value) + repr(provider) + repr(config) + caplog.text
    assert API_TOKEN not in shown
    assert SECRET not in shown


def test_signatures_get_the_verdict_the_sinch_sdk_gives(provider: SinchSMSProvider) -> None:
    body, headers = signed(mo_text("hi"))
    peer = SmsSinchEvent(SECRET)
    nonce = headers["x-sinch-webhook-signature-nonce"]
    stamp = headers["x-sinch-webhook-signature-timestamp"]
    variants = [
        (body, headers),
        (body + b" ", headers),
        (body, headers | {"x-sinch-webhook-signature-nonce": "other"}),
        (body, headers | {"x-sinch-webhook-signature-timestamp": str(int(stamp) + 1)}),
    ]
    verdicts = [peer.validate_authentication_header(h, b) for b, h in variants]
    assert verdicts == [True, False, False, False]
    ours = [
        provider.verify_signature(
            b,
            h["x-sinch-webhook-signature"],
            f"{h['x-sinch-webhook-signature-nonce']}.{h['x-sinch-webhook-signature-timestamp']}",
        )
        for b, h in variants
    ]
    assert ours == verdicts
    assert provider.verify_signature(body, headers["x-sinch-webhook-signature"], None) is False
    assert provider.verify_signature(body, headers["x-sinch-webhook-signature"], f"{nonce}.{stamp}")


def test_payloads_parse_as_the_sinch_sdk_reads_them() -> None:
    mo = mo_text("hi")
    sdk = SmsSinchEvent().parse_event(json.dumps(mo))
    inbound = parse_sinch_webhook(mo, "sms")
    assert (inbound.sender_id, inbound.content) == (sdk.from_, TextContent(body=sdk.body))
    assert inbound.idempotency_key == sdk.id
    status = parse_sinch_status(report("01B", "Failed", 402))
    sdk_report = SmsSinchEvent().parse_event(json.dumps(report("01B", "Failed", 402)))
    assert (status.message_id, status.status, status.error_code) == (
        sdk_report.batch_id,
        "failed",
        "402",
    )
    bare = parse_sinch_webhook({**mo, "from": PHONE.removeprefix("+")}, "sms")
    assert bare.sender_id == PHONE
    with pytest.raises(ValueError, match="Sinch inbound message"):
        parse_sinch_webhook(report("01B"), "sms")


async def test_sinch_end_to_end(sinch: SinchStandIn, provider: SinchSMSProvider) -> None:
    """Signed SMS in → room; reply out as a batch; its delivery report recorded; a
    redelivered callback is one event; unsigned, forged and stale ones never land."""
    statuses: list[DeliveryStatus] = []
    async with RoomKit() as kit:
        kit.on_delivery_status(statuses.append)
        kit.register_channel(SMSChannel("sms", provider=provider))
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "sms", metadata={"phone_number": PHONE})
        await kit.attach_channel("r1", "ws")
        receiver = SinchWebhook("sms", SECRET)
        app = create_webhook_app(kit, [receiver])
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base) as client:
            body, headers = signed(mo_text("hi"))
            for _ in range(2):
                assert (
                    await client.post(receiver.path, content=body, headers=headers)
                ).status_code == 200
            forged = headers | {"x-sinch-webhook-signature": sinch_signature("x", body, "n", "1")}
            stale_body, stale = signed(mo_text("old", "01MO2"), str(int(time.time()) - 3600))
            refused = [
                (await client.post(receiver.path, content=b, headers=h)).status_code
                for b, h in [
                    (body, {"content-type": "application/json"}),
                    (body, forged),
                    (stale_body, stale),
                ]
            ]
            reply = InboundMessage(
                channel_id="ws", sender_id="agent", content=TextContent(body="back")
            )
            await kit.process_inbound(reply, room_id="r1")
            batch_id = f"01BATCH{1:019d}"
            body, headers = signed(report(batch_id))
            assert (
                await client.post(receiver.path, content=body, headers=headers)
            ).status_code == 200
        timeline = await kit.get_timeline("r1")
    assert refused == [401, 403, 403]
    assert [getattr(e.content, "body", "") for e in timeline] == ["hi", "back"]
    assert sinch.last.json["body"] == "back"
    assert [(s.message_id, s.status, s.channel_id) for s in statuses] == [
        (batch_id, "delivered", "sms")
    ]


def test_the_receiver_keeps_its_secret_out_of_repr() -> None:
    shown = repr(SinchWebhook("sms", SECRET))
    assert "/webhooks/sinch/sms" in shown and SECRET not in shown
