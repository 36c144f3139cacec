"""The webhook app under uvicorn: signed vendor webhooks into rooms, replies out, statuses back."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from twilio.request_validator import RequestValidator

from roomkit import HTTPChannel, InboundMessage, RoomKit, SMSChannel, WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.framework import FrameworkEvent
from roomkit.providers.http.config import HTTPProviderConfig
from roomkit.providers.http.provider import WebhookHTTPProvider
from roomkit.providers.telnyx.config import TelnyxConfig
from roomkit.providers.telnyx.sms import TelnyxSMSProvider
from roomkit.providers.twilio.config import TwilioConfig
from roomkit.providers.twilio.sms import TwilioSMSProvider
from roomkit.webhooks import StandardWebhook, TelnyxWebhook, TwilioWebhook, create_webhook_app
from tests.roomkit.backend_helpers import delete_keys
from tests.roomkit.providers.vendor_helpers import FAST
from tests.standins.scripted import Reply, ScriptedApp
from tests.standins.server import serve_app
from tests.standins.telnyx import API_KEY, TelnyxSigner, TelnyxStandIn, finalized, received
from tests.standins.twilio import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, twilio_error

PUBLIC = "https://hooks.example.com"
PHONE = "+15557654321"
SECRET = "whsec_" + base64.b64encode(b"partner secret, thirty-two bytes").decode()


class Room:
    """A kit with room r1 binding a WebSocket channel and one vendor channel."""

    def __init__(self, kit: RoomKit) -> None:
        self.kit = kit
        self.statuses: list[DeliveryStatus] = []
        kit.on_delivery_status(self.statuses.append)

    async def bind(self, channel: Any, **metadata: str) -> None:
        self.kit.register_channel(channel)
        self.kit.register_channel(WebSocketChannel("ws"))
        await self.kit.create_room("r1")
        await self.kit.attach_channel("r1", channel.channel_id, metadata=metadata)
        await self.kit.attach_channel("r1", "ws")

    async def bodies(self) -> list[str]:
        return [getattr(e.content, "body", "") for e in await self.kit.get_timeline("r1")]

    async def reply(self, body: str) -> None:
        message = InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body=body))
        await self.kit.process_inbound(message, room_id="r1")


@pytest.fixture
async def room() -> AsyncIterator[Room]:
    async with RoomKit() as kit:
        yield Room(kit)


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=body, headers=headers)


def twilio_form(url: str, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, fields)
    return urlencode(fields).encode(), {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
    }


async def test_twilio_end_to_end(room: Room, twilio: TwilioStandIn) -> None:
    """Signed SMS in → room; a reply out through the Messages API; its status callback recorded."""
    config = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+15550001111",
        base_url=twilio.base_url,
        retry_policy=FAST,
    )
    await room.bind(SMSChannel("sms", provider=TwilioSMSProvider(config)), phone_number=PHONE)
    receiver = TwilioWebhook("sms", AUTH_TOKEN, public_url=PUBLIC)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        public = PUBLIC + receiver.path
        inbound = {"MessageSid": "SM" + "a" * 32, "From": PHONE, "To": "+15550001111"}
        body, headers = twilio_form(public, {**inbound, "Body": "hi", "SmsStatus": "received"})
        for _ in range(2):  # Twilio redelivers; the store keeps one event
            answer = await post(base + receiver.path, body, headers)
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/xml")
            assert answer.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
        assert await room.bodies() == ["hi"]

        await room.reply("hello back")
        assert twilio.forms()[-1][:3] == [
            ("To", PHONE),
            ("From", "+15550001111"),
            ("Body", "hello back"),
        ]
        sid = f"SM{1:032d}"
        callback = {"MessageSid": sid, "MessageStatus": "delivered", "To": PHONE}
        body, headers = twilio_form(public, callback)
        assert (await post(base + receiver.path, body, headers)).status_code == 200
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        (sid, "delivered", "sms")
    ]
    assert await room.bodies() == ["hi", "hello back"]  # the callback is not a message


async def test_a_number_twilio_refuses_is_a_failed_delivery(
    room: Room, twilio: TwilioStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Twilio's 21211 answer makes the reply a reported delivery failure, not a sent SMS."""
    failures: list[FrameworkEvent] = []
    room.kit.on("delivery_failed")(failures.append)
    config = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+15550001111",
        base_url=twilio.base_url,
    )
    await room.bind(SMSChannel("sms", provider=TwilioSMSProvider(config)), phone_number="+1555")
    twilio.queue(twilio_error(21211, "The 'To' number +1555 is not a valid phone number.", 400))
    await room.reply("hello")
    assert [(f.channel_id, f.data["status"]) for f in failures] == [("sms", "failed")]
    assert "21211" in failures[0].data["error"] and len(twilio.requests) == 1
    assert AUTH_TOKEN not in caplog.text


async def test_refused_requests_never_reach_a_room(
    room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    """No signature: 401; a wrong one (or a port-less URL signed by someone else): 403;
    a signed but malformed body: 400 with one log line. The room stays empty."""
    await room.bind(SMSChannel("sms"), phone_number=PHONE)
    receiver = TwilioWebhook("sms", AUTH_TOKEN, public_url=PUBLIC)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        url, public = base + receiver.path, PUBLIC + receiver.path
        fields = {"MessageSid": "SM1", "From": PHONE, "Body": "hi"}
        body, headers = twilio_form(public, fields)
        missing = {"content-type": headers["content-type"]}
        assert (await post(url, body, missing)).status_code == 401
        assert (await post(url, body.replace(b"hi", b"ho"), headers)).status_code == 403
        forged = RequestValidator("someone-else").compute_signature(public, fields)
        assert (await post(url, body, {**headers, "x-twilio-signature": forged})).status_code == 403
        caplog.clear()
        caplog.set_level(logging.WARNING, logger="roomkit.webhooks")
        body, headers = twilio_form(public, {"Body": "no sender"})
        answer = await post(url, body, headers)
    assert answer.status_code == 400 and "malformed" in answer.text
    assert len(caplog.records) == 1 and "malformed" in caplog.records[0].getMessage()
    assert AUTH_TOKEN not in caplog.text
    assert await room.bodies() == []


async def test_twilio_json_body_is_held_to_its_body_sha256(room: Room) -> None:
    """The JSON variant: a body that no longer hashes to bodySHA256 is refused (403)."""
    await room.bind(SMSChannel("sms"), phone_number=PHONE)
    receiver = TwilioWebhook("sms", AUTH_TOKEN, public_url=PUBLIC)
    body = json.dumps({"MessageSid": "SM9", "From": PHONE, "Body": "json hi"})
    validator = RequestValidator(AUTH_TOKEN)
    query = f"?bodySHA256={validator.compute_hash(body)}"
    signature = validator.compute_signature(PUBLIC + receiver.path + query, {})
    headers = {"content-type": "application/json", "x-twilio-signature": signature}
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        url = base + receiver.path + query
        tampered = body.replace("json hi", "json ho").encode()
        assert (await post(url, tampered, headers)).status_code == 403
        assert (await post(url, body.encode(), headers)).status_code == 200
    assert await room.bodies() == ["json hi"]


async def test_telnyx_end_to_end(room: Room) -> None:
    stand_in = TelnyxStandIn()
    signer = TelnyxSigner()
    async with serve_app(stand_in) as api:
        config = TelnyxConfig(api_key=API_KEY, from_number="+15550002222", base_url=api)
        provider = TelnyxSMSProvider(config, signer.public_key)
        await room.bind(SMSChannel("sms", provider=provider), phone_number=PHONE)
        receiver = TelnyxWebhook("sms", signer.public_key)
        async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
            url = base + receiver.path
            body = received("msg-in-1", PHONE, "hi")
            for _ in range(2):
                answer = await post(
                    url, body, {"content-type": "application/json", **signer.headers(body)}
                )
                assert answer.status_code == 200
            assert await room.bodies() == ["hi"]
            stale = signer.headers(body, timestamp=1_000_000_000)
            assert (await post(url, body, stale)).status_code == 403

            await room.reply("hello back")
            assert stand_in.last.json["to"] == PHONE and stand_in.last.json["text"] == "hello back"
            sent_id = f"40317{1:08d}-0000-0000-0000-000000000000"
            status = finalized(sent_id, PHONE)
            assert (await post(url, status, signer.headers(status))).status_code == 200
    assert [(s.message_id, s.status) for s in room.statuses] == [(sent_id, "delivered")]
    assert await room.bodies() == ["hi", "hello back"]


async def test_generic_http_end_to_end(room: Room) -> None:
    partner = ScriptedApp(default=Reply.raw(b"", 202))
    async with serve_app(partner) as partner_url:
        config = HTTPProviderConfig(
            webhook_url=f"{partner_url}/in", secret=SECRET, retry_policy=FAST
        )
        channel = HTTPChannel("partner", provider=WebhookHTTPProvider(config))
        await room.bind(channel, recipient_id="user-9")
        receiver = StandardWebhook("partner", SECRET)
        async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
            url = base + receiver.path
            body = json.dumps({"sender_id": "user-9", "body": "hi"}).encode()
            now = datetime.now(UTC)
            headers = {
                "content-type": "application/json",
                "webhook-id": "msg_abc",
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(SECRET).sign("msg_abc", now, body),
            }
            for _ in range(2):  # a retried delivery: one event, keyed by webhook-id
                assert (await post(url, body, headers)).status_code == 204
            assert await room.bodies() == ["hi"]
            old = datetime.fromtimestamp(now.timestamp() - 3600, UTC)
            replay = {
                **headers,
                "webhook-timestamp": str(int(old.timestamp())),
                "webhook-signature": Webhook(SECRET).sign("msg_abc", old, body),
            }
            assert (await post(url, body, replay)).status_code == 403
            await room.reply("hello back")
    delivered = Webhook(SECRET).verify(partner.last.body, partner.last.headers)
    assert delivered["recipient_id"] == "user-9"
    assert delivered["content"]["body"] == "hello back"


def test_receivers_keep_their_secrets_out_of_repr() -> None:
    receivers = [
        TwilioWebhook("sms", AUTH_TOKEN, shared_key="shared-key-secret"),
        StandardWebhook("partner", SECRET),
    ]
    shown = repr(receivers)
    assert "sms" in shown and "/webhooks/http/partner" in shown
    assert AUTH_TOKEN not in shown and "shared-key-secret" not in shown and SECRET not in shown


def test_a_bad_telnyx_key_fails_at_configuration() -> None:
    with pytest.raises(ValueError, match="Ed25519"):
        TelnyxWebhook("sms", "bm90IGEga2V5")


def test_receivers_need_distinct_paths() -> None:
    kit = RoomKit()
    with pytest.raises(ValueError, match="distinct paths"):
        create_webhook_app(
            kit, [TwilioWebhook("a", "t", path="/x"), StandardWebhook("b", "s", path="/x")]
        )


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_webhook_redelivered_to_two_app_processes_is_one_event(
    pg_schema: str, redis_url: str
) -> None:
    """Two kits sharing PostgreSQL and Redis, as two processes behind a load balancer, each
    get the same Telnyx webhook several times at once: the shared store keeps one event."""
    from roomkit import PostgresStore, RedisLockManager
    from tests.conftest import POSTGRES_DSN

    signer = TelnyxSigner()
    prefix = f"roomkit-test:{uuid.uuid4().hex[:8]}:"
    kits = [
        RoomKit(
            store=PostgresStore(POSTGRES_DSN, schema=pg_schema),
            lock_manager=RedisLockManager(redis_url, key_prefix=prefix),
        )
        for _ in range(2)
    ]
    async with contextlib.AsyncExitStack() as stack:
        urls = []
        for kit in kits:
            await stack.enter_async_context(kit)
            kit.register_channel(SMSChannel("sms"))
            receiver = TelnyxWebhook("sms", signer.public_key)
            base = await stack.enter_async_context(serve_app(create_webhook_app(kit, [receiver])))
            urls.append(base + receiver.path)
        await kits[0].create_room("r1")
        await kits[0].attach_channel("r1", "sms", metadata={"phone_number": PHONE})
        body = received("msg-dup-1", PHONE, "once")
        headers = {"content-type": "application/json", **signer.headers(body)}
        answers = await asyncio.gather(*(post(url, body, headers) for url in urls * 3))
        assert {a.status_code for a in answers} == {200}
        timelines = [await kit.get_timeline("r1") for kit in kits]
    await delete_keys(redis_url, prefix)
    assert [[e.content.body for e in t] for t in timelines] == [["once"], ["once"]]  # type: ignore[union-attr]
