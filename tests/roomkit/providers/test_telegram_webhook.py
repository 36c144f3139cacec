"""Telegram end to end: updates into the webhook app (or long polling) → a room → replies out."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest

from roomkit import InboundMessage, RoomKit, TelegramChannel, WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.providers.telegram.bot import TelegramBotProvider
from roomkit.providers.telegram.config import TelegramConfig
from roomkit.providers.telegram.receiver import TelegramWebhook, updates_into_kit
from roomkit.webhooks import create_webhook_app
from tests.roomkit.providers.vendor_helpers import FAST
from tests.standins.server import serve_app
from tests.standins.telegram import SECRET_TOKEN, TOKEN, TelegramStandIn, photo_update, text_update

HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def bind(kit: RoomKit, api: TelegramStandIn) -> TelegramBotProvider:
    config = TelegramConfig(
        bot_token=TOKEN, webhook_secret=SECRET_TOKEN, api_url=api.base_url, retry_policy=FAST
    )
    bot = TelegramBotProvider(config)
    kit.register_channel(TelegramChannel("tg", provider=bot))
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "tg", metadata={"recipient_id": "42"})
    await kit.attach_channel("r1", "ws")
    return bot


async def bodies(kit: RoomKit) -> list[str]:
    return [getattr(e.content, "body", "") for e in await kit.get_timeline("r1")]


async def reply(kit: RoomKit, body: str) -> None:
    message = InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body=body))
    await kit.process_inbound(message, room_id="r1")


async def test_webhook_update_in_reply_out_and_redelivery_is_one_event(
    kit: RoomKit, telegram_api: TelegramStandIn
) -> None:
    await bind(kit, telegram_api)
    receiver = TelegramWebhook("tg", SECRET_TOKEN)
    async with serve_app(create_webhook_app(kit, [receiver])) as base, httpx.AsyncClient() as http:
        body = json.dumps(text_update(500, "hi bot")).encode()
        for _ in range(2):  # Telegram redelivers until it gets a 2xx
            answer = await http.post(base + receiver.path, content=body,
                                     headers={HEADER: SECRET_TOKEN})  # fmt: skip
            assert answer.status_code == 200
        photo = json.dumps(photo_update(501, "my cat")).encode()
        await http.post(base + receiver.path, content=photo, headers={HEADER: SECRET_TOKEN})
    assert await bodies(kit) == ["hi bot", "my cat"]
    [_, cat] = await kit.get_timeline("r1")
    assert cat.metadata["file_id"] == "AgAD-large"

    await reply(kit, "hello back")
    sent = telegram_api.calls("sendMessage")
    assert [r.json for r in sent] == [{"chat_id": "42", "text": "hello back"}]
    assert sent[0].path == f"/bot{TOKEN}/sendMessage"


async def test_refused_updates_never_reach_the_room(
    kit: RoomKit, telegram_api: TelegramStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """No secret: 401; a wrong one: 403; a body that is no Update: 400 with one log line."""
    await bind(kit, telegram_api)
    receiver = TelegramWebhook("tg", SECRET_TOKEN)
    body = json.dumps(text_update(600, "sneaky")).encode()
    async with serve_app(create_webhook_app(kit, [receiver])) as base, httpx.AsyncClient() as http:
        url = base + receiver.path
        assert (await http.post(url, content=body)).status_code == 401
        wrong = {HEADER: SECRET_TOKEN[:-1]}
        assert (await http.post(url, content=body, headers=wrong)).status_code == 403
        caplog.clear()
        caplog.set_level(logging.WARNING, logger="roomkit.webhooks")
        answer = await http.post(url, content=b'{"message": {}}', headers={HEADER: SECRET_TOKEN})
    assert answer.status_code == 400 and "update_id" in answer.text
    assert len(caplog.records) == 1 and SECRET_TOKEN not in caplog.text
    assert await bodies(kit) == []
    for bad in ("", "has space", "x" * 257):
        with pytest.raises(ValueError, match="setWebhook"):
            TelegramWebhook("tg", bad)


async def test_long_polling_files_updates_once_and_close_stops_it(
    kit: RoomKit, telegram_api: TelegramStandIn
) -> None:
    """The same update seen by the webhook and again by polling is still one event."""
    bot = await bind(kit, telegram_api)
    seen = text_update(700, "by webhook")
    await updates_into_kit(kit, "tg")(seen)
    telegram_api.updates.extend([seen, text_update(701, "by polling", message_id=9)])
    task = bot.start_polling(updates_into_kit(kit, "tg"), poll_timeout=1)
    async with asyncio.timeout(10):
        await telegram_api.polls(2)  # the second poll is sent once the first's are filed
    assert await bodies(kit) == ["by webhook", "by polling"]
    await kit.close()  # closing the kit closes its providers, and so the polling task
    assert task.done()
