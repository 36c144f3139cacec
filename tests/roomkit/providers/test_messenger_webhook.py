"""The Messenger receiver in the webhook app under uvicorn, end to end."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from roomkit import FacebookMessengerProvider, MessengerChannel, MessengerConfig, RoomKit
from roomkit.providers.messenger.receiver import MessengerWebhook
from roomkit.webhooks import create_webhook_app
from tests.roomkit.providers.test_webhook_app import Room, post
from tests.roomkit.providers.vendor_helpers import FAST
from tests.standins.meta import (
    ACCESS_TOKEN,
    APP_SECRET,
    PAGE_ID,
    VERIFY_TOKEN,
    GraphStandIn,
    handshake,
    messenger_event,
    signed,
)
from tests.standins.server import serve_app

PSID = "6543210987654321"
USER, PAGE = {"id": PSID}, {"id": PAGE_ID}


@pytest.fixture
async def room() -> AsyncIterator[Room]:
    async with RoomKit() as kit:
        yield Room(kit)


def now_ms() -> int:
    return int(time.time() * 1000)


def text(mid: str, body: str, **extra: object) -> bytes:
    message = {"mid": mid, "text": body, **extra}
    item = {"sender": USER, "recipient": PAGE, "timestamp": now_ms(), "message": message}
    return signed(messenger_event(PAGE_ID, item))[0]


async def test_messenger_end_to_end(room: Room, graph: GraphStandIn) -> None:
    """A signed message (delivered twice) is one event; the page's echo is none; the reply
    goes out as a RESPONSE; delivery then read watermarks report it, a late delivery not."""
    config = MessengerConfig(
        page_access_token=ACCESS_TOKEN, page_id=PAGE_ID, graph_url=graph.base_url, retry_policy=FAST
    )
    provider = FacebookMessengerProvider(config)
    await room.bind(MessengerChannel("fb", provider=provider), recipient_id=PSID)
    receiver = MessengerWebhook("fb", APP_SECRET, VERIFY_TOKEN, provider=provider)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        url = base + receiver.path

        async def deliver(*items: dict[str, object]) -> None:
            body, headers = signed(messenger_event(PAGE_ID, *items))
            assert (await post(url, body, headers)).status_code == 200

        hello = {"sender": USER, "recipient": PAGE, "timestamp": now_ms()}
        hello["message"] = {"mid": "m_in_1", "text": "hi page"}
        await deliver(hello)
        await deliver(hello)
        assert await room.bodies() == ["hi page"]

        await room.reply("hi person")
        assert graph.last.path == f"/v21.0/{PAGE_ID}/messages"
        assert graph.last.json["messaging_type"] == "RESPONSE"
        assert graph.last.json["message"] == {"text": "hi person"}
        echo = {"sender": PAGE, "recipient": USER, "timestamp": now_ms()}
        echo["message"] = {"mid": "m_1", "text": "hi person", "is_echo": True}
        later = now_ms() + 1000
        await deliver(echo, {"sender": USER, "recipient": PAGE, "delivery": {"watermark": later}})
        await deliver({"sender": USER, "recipient": PAGE, "read": {"watermark": later}})
        await deliver(
            {"sender": USER, "recipient": PAGE, "delivery": {"mids": ["m_1"], "watermark": later}}
        )
    await provider.close()
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        ("m_1", "delivered", "fb"),
        ("m_1", "read", "fb"),
    ]
    assert await room.bodies() == ["hi page", "hi person"]


async def test_handshake_and_refused_webhooks(room: Room, caplog: pytest.LogCaptureFixture) -> None:
    """GET with our token echoes the challenge (else 403); unsigned 401; forged 403;
    signed but not a page webhook 400 with one log line; nothing reaches the room."""
    await room.bind(MessengerChannel("fb"), recipient_id=PSID)
    receiver = MessengerWebhook("fb", APP_SECRET, VERIFY_TOKEN)
    app = create_webhook_app(room.kit, [receiver])
    async with serve_app(app) as base, httpx.AsyncClient(base_url=base) as client:
        good, bad = await handshake(base, receiver.path, "77")
        body = text("m_x", "hi")
        plain = {"content-type": "application/json"}
        assert (await client.post(receiver.path, content=body, headers=plain)).status_code == 401
        _, forged = signed({"object": "page"}, "not-the-secret")
        assert (await client.post(receiver.path, content=body, headers=forged)).status_code == 403
        caplog.set_level(logging.WARNING, logger="roomkit.webhooks")
        caplog.clear()
        body, headers = signed({"object": "instagram"})
        answer = await client.post(receiver.path, content=body, headers=headers)
    assert (good.status_code, good.text) == (200, "77") and bad.status_code == 403
    assert answer.status_code == 400
    assert len(caplog.records) == 1 and "malformed" in caplog.records[0].getMessage()
    assert await room.bodies() == []
    assert APP_SECRET not in caplog.text + repr(receiver)
