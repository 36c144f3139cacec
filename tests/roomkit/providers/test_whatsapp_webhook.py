"""The WhatsApp Cloud API receiver in the webhook app under uvicorn, end to end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from roomkit import RoomKit, WhatsAppChannel
from roomkit.models.framework import FrameworkEvent
from roomkit.providers.whatsapp.cloud import WhatsAppCloudConfig, WhatsAppCloudProvider
from roomkit.providers.whatsapp.receiver import WhatsAppCloudWebhook
from roomkit.webhooks import create_webhook_app
from tests.roomkit.providers.test_webhook_app import Room, post
from tests.roomkit.providers.test_whatsapp_cloud import PHONE, URL
from tests.roomkit.providers.vendor_helpers import FAST
from tests.standins.meta import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    GraphStandIn,
    handshake,
    signed,
    whatsapp_status,
    whatsapp_text,
)
from tests.standins.server import serve_app

NOW = int(datetime.now(UTC).timestamp())


@pytest.fixture
async def room() -> AsyncIterator[Room]:
    async with RoomKit() as kit:
        yield Room(kit)


def provider(graph: GraphStandIn) -> WhatsAppCloudProvider:
    config = WhatsAppCloudConfig(
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        graph_url=graph.base_url,
        retry_policy=FAST,
    )
    return WhatsAppCloudProvider(config)


async def test_whatsapp_end_to_end(room: Room, graph: GraphStandIn) -> None:
    """Signed message in (twice) → one event; the reply goes out through Graph inside the
    window it opened; statuses arriving out of order never move back."""
    cloud = provider(graph)
    await room.bind(WhatsAppChannel("wa", provider=cloud), phone_number=PHONE)
    receiver = WhatsAppCloudWebhook("wa", APP_SECRET, VERIFY_TOKEN, provider=cloud)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        url = base + receiver.path
        body, headers = signed(whatsapp_text("wamid.IN1", PHONE[1:], "hi", NOW))
        for _ in range(2):  # Meta redelivers until it gets a 200
            assert (await post(url, body, headers)).status_code == 200
        assert await room.bodies() == ["hi"]

        await room.reply("hello back")
        assert graph.last.path == URL
        assert graph.last.json["to"] == PHONE[1:]
        assert graph.last.json["text"]["body"] == "hello back"
        wamid = "wamid.HBgL00000001"
        for status in ("sent", "read", "delivered", "read"):  # a late delivered, a repeat
            body, headers = signed(whatsapp_status(wamid, status, PHONE[1:], NOW))
            assert (await post(url, body, headers)).status_code == 200
    await cloud.close()
    assert [(s.message_id, s.status, s.channel_id) for s in room.statuses] == [
        (wamid, "sent", "wa"),
        (wamid, "read", "wa"),
    ]
    assert await room.bodies() == ["hi", "hello back"]


async def test_a_reply_outside_the_window_is_a_failed_delivery(
    room: Room, graph: GraphStandIn
) -> None:
    """With no inbound message in 24 hours, a free-form reply is reported failed, unsent."""
    failures: list[FrameworkEvent] = []
    room.kit.on("delivery_failed")(failures.append)
    cloud = provider(graph)
    await room.bind(WhatsAppChannel("wa", provider=cloud), phone_number=PHONE)
    await room.reply("anyone there?")
    await cloud.close()
    assert graph.requests == []
    assert len(failures) == 1 and "24 hours" in failures[0].data["error"]


async def test_the_subscription_handshake(room: Room) -> None:
    """GET with our verify token echoes hub.challenge as text; any other token is a 403."""
    receiver = WhatsAppCloudWebhook("wa", APP_SECRET, VERIFY_TOKEN)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        good, bad = await handshake(base, receiver.path, "1158")
    assert (good.status_code, good.text) == (200, "1158")
    assert bad.status_code == 403 and "1158" not in bad.text


async def test_refused_webhooks_never_reach_a_room(
    room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    """No signature: 401; wrong secret or tampered body: 403; signed garbage: 400."""
    await room.bind(WhatsAppChannel("wa"), phone_number=PHONE)
    receiver = WhatsAppCloudWebhook("wa", APP_SECRET, VERIFY_TOKEN)
    async with serve_app(create_webhook_app(room.kit, [receiver])) as base:
        url = base + receiver.path
        body, headers = signed(whatsapp_text("wamid.X", PHONE[1:], "hi", NOW))
        assert (await post(url, body, {"content-type": "application/json"})).status_code == 401
        assert (await post(url, body.replace(b"hi", b"ho"), headers)).status_code == 403
        _, forged = signed(whatsapp_text("wamid.X", PHONE[1:], "hi", NOW), "not-the-secret")
        assert (await post(url, body, forged)).status_code == 403
        caplog.set_level(logging.WARNING, logger="roomkit.webhooks")
        caplog.clear()
        body, headers = signed({"object": "page"})
        answer = await post(url, body, headers)
    assert answer.status_code == 400
    assert len(caplog.records) == 1 and "malformed" in caplog.records[0].getMessage()
    assert await room.bodies() == []
    assert APP_SECRET not in caplog.text + repr(receiver)
