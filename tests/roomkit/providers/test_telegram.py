"""Telegram Bot API: sends against a loopback stand-in; updates checked by python-telegram-bot."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from typing import Any

import pytest

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    MediaContent,
    TextContent,
    VideoContent,
)
from roomkit.providers.telegram.bot import TelegramBotProvider
from roomkit.providers.telegram.config import TelegramConfig
from roomkit.providers.telegram.webhook import parse_telegram_webhook
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import FAST, outbound
from tests.standins.telegram import (
    SECRET_TOKEN,
    TOKEN,
    TelegramStandIn,
    bot_error,
    document_update,
    edited_update,
    photo_update,
    text_update,
)


def provider(app: TelegramStandIn, **fields: Any) -> TelegramBotProvider:
    config = TelegramConfig(bot_token=TOKEN, api_url=app.base_url, retry_policy=FAST, **fields)
    return TelegramBotProvider(config)


async def test_text_is_one_send_message_call(telegram_api: TelegramStandIn) -> None:
    bot = provider(telegram_api)
    result = await bot.send(outbound(TextContent(body="hello")), to="42")
    await bot.close()
    request = telegram_api.last
    assert (request.method, request.path) == ("POST", f"/bot{TOKEN}/sendMessage")
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"chat_id": "42", "text": "hello"}
    assert result.success and result.provider_message_id == "1001"


async def test_media_go_by_url_one_method_per_kind(telegram_api: TelegramStandIn) -> None:
    parts = [
        TextContent(body="the files"),
        MediaContent(url="https://cdn.example.com/cat.jpg", mime_type="image/jpeg"),
        MediaContent(url="https://cdn.example.com/r.pdf", mime_type="application/pdf"),
        AudioContent(url="https://cdn.example.com/a.ogg"),
        VideoContent(url="https://cdn.example.com/v.mp4"),
    ]
    bot = provider(telegram_api)
    result = await bot.send(outbound(CompositeContent(parts=parts)), to="42")
    await bot.close()
    sent = [(telegram_api.method_of(r), r.json) for r in telegram_api.requests]
    assert sent == [
        ("sendPhoto", {"chat_id": "42", "photo": "https://cdn.example.com/cat.jpg",
                       "caption": "the files"}),
        ("sendDocument", {"chat_id": "42", "document": "https://cdn.example.com/r.pdf"}),
        ("sendAudio", {"chat_id": "42", "audio": "https://cdn.example.com/a.ogg"}),
        ("sendVideo", {"chat_id": "42", "video": "https://cdn.example.com/v.mp4"}),
    ]  # fmt: skip
    assert result.metadata["message_ids"] == ["1001", "1002", "1003", "1004"]


async def test_a_long_text_with_media_goes_first_as_a_message(
    telegram_api: TelegramStandIn,
) -> None:
    long = "x" * 1500  # over the 1024-character caption limit
    image = MediaContent(url="https://cdn.example.com/cat.jpg", mime_type="image/png")
    bot = provider(telegram_api)
    await bot.send(outbound(CompositeContent(parts=[TextContent(body=long), image])), to="7")
    with pytest.raises(InvalidArgumentError, match="4096"):
        await bot.send(outbound(TextContent(body="y" * 4097)), to="7")
    await bot.close()
    assert [telegram_api.method_of(r) for r in telegram_api.requests] == [
        "sendMessage",
        "sendPhoto",
    ]
    assert "caption" not in telegram_api.last.json


async def test_429_waits_its_retry_after_and_400_is_not_retried(
    telegram_api: TelegramStandIn,
) -> None:
    telegram_api.queue(
        bot_error(429, "Too Many Requests: retry after 1", retry_after=1),
        bot_error(400, "Bad Request: chat not found"),
    )
    bot = provider(telegram_api)
    started = time.monotonic()
    with pytest.raises(VendorAPIError) as caught:
        await bot.send(outbound(TextContent(body="hi")), to="999")
    await bot.close()
    assert time.monotonic() - started >= 1.0  # parameters.retry_after honoured
    assert (caught.value.code, caught.value.status_code, caught.value.retryable) == (
        "400",
        400,
        False,
    )
    assert "chat not found" in str(caught.value) and len(telegram_api.requests) == 2


async def test_a_bad_token_is_refused_once_and_never_shown(
    telegram_api: TelegramStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:AAH-wrong-token-secret"
    config = TelegramConfig(
        bot_token=wrong, webhook_secret=SECRET_TOKEN, api_url=telegram_api.base_url
    )
    bot = TelegramBotProvider(config)
    with pytest.raises(VendorAPIError) as caught:
        await bot.send(outbound(TextContent(body="hi")), to="42")
    await bot.close()
    assert caught.value.code == "401" and len(telegram_api.requests) == 1
    shown = " ".join([repr(config), repr(bot), str(caught.value), repr(caught.value), caplog.text])
    assert wrong not in shown and "AAH-wrong" not in shown and SECRET_TOKEN not in shown


async def test_inbound_files_are_fetched_by_file_id(telegram_api: TelegramStandIn) -> None:
    telegram_api.files["AgAD-large"] = ("image/jpeg", b"\xff\xd8 jpeg bytes")
    bot = provider(telegram_api)
    content, content_type = await bot.fetch_file("AgAD-large")
    with pytest.raises(VendorAPIError, match="invalid file_id"):
        await bot.fetch_file("nope")
    await bot.close()
    assert (content, content_type) == (b"\xff\xd8 jpeg bytes", "image/jpeg")
    get_file, download = telegram_api.requests[:2]
    assert get_file.path == f"/bot{TOKEN}/getFile" and get_file.json == {"file_id": "AgAD-large"}
    assert (download.method, download.path) == ("GET", f"/file/bot{TOKEN}/photos/AgAD-large.jpg")


def test_the_secret_token_is_compared_exactly() -> None:
    config = TelegramConfig(bot_token=TOKEN, webhook_secret=SECRET_TOKEN)
    bot = TelegramBotProvider(config)
    assert bot.verify_signature(b"{}", SECRET_TOKEN)
    assert not bot.verify_signature(b"{}", SECRET_TOKEN + "x")
    assert not bot.verify_signature(b"{}", "")
    with pytest.raises(InvalidArgumentError, match="webhook_secret"):
        TelegramBotProvider(TelegramConfig(bot_token=TOKEN)).verify_signature(b"{}", "x")


# --- updates: python-telegram-bot reads every shape these tests send ------------------------


@pytest.mark.parametrize(
    "update",
    [text_update(1, "hi"), photo_update(2, "my cat"), document_update(3), edited_update(4, "hi!")],
)
def test_updates_are_what_python_telegram_bot_reads(update: dict[str, Any]) -> None:
    # python-telegram-bot asks for httpx<0.29, so `make install` installs it apart from the
    # dev extra (without dependencies); it must be there.
    import telegram

    checked = telegram.Update.de_json(update, None)
    assert checked.update_id == update["update_id"]
    assert checked.effective_message is not None
    [message] = parse_telegram_webhook(update, "tg")
    assert message.sender_id == str(checked.effective_user.id)
    assert message.external_id == str(checked.effective_message.message_id)
    assert message.metadata["chat_id"] == str(checked.effective_chat.id)


def test_media_and_edits_are_read_with_their_file_ids() -> None:
    [photo] = parse_telegram_webhook(photo_update(2, "my cat"), "tg")
    assert photo.content == TextContent(body="my cat")
    assert (photo.metadata["file_id"], photo.metadata["media_type"]) == ("AgAD-large", "photo")
    [document] = parse_telegram_webhook(document_update(3), "tg")
    assert document.metadata["file_name"] == "report.pdf"
    assert document.metadata["mime_type"] == "application/pdf"
    [edit] = parse_telegram_webhook(edited_update(4, "hi, edited"), "tg")
    assert edit.content == TextContent(body="hi, edited")
    assert edit.metadata["edited"] is True and edit.metadata["edit_date"] == 1765152060
    [original] = parse_telegram_webhook(text_update(1, "hi"), "tg")
    assert edit.idempotency_key != original.idempotency_key  # an edit is a new event
    assert parse_telegram_webhook({"update_id": 5, "channel_post": {"text": "x"}}, "tg") == []


# --- long polling -----------------------------------------------------------------------


async def test_long_polling_confirms_each_update_and_stops_on_close(
    telegram_api: TelegramStandIn,
) -> None:
    telegram_api.updates.extend([text_update(10, "one"), text_update(11, "two", message_id=8)])
    seen: list[int] = []

    async def on_update(update: dict[str, Any]) -> None:
        seen.append(update["update_id"])
        if update["update_id"] == 10:
            raise RuntimeError("a handler failure is logged, polling goes on")

    bot = provider(telegram_api)
    task = bot.start_polling(on_update, poll_timeout=5)
    async with asyncio.timeout(10):
        await telegram_api.polls(2)
    with pytest.raises(RuntimeError, match="already polling"):
        bot.start_polling(on_update)
    await bot.close()
    assert task.done() and seen == [10, 11]
    bodies = [r.json for r in telegram_api.calls("getUpdates")]
    assert bodies[0] == {"timeout": 5}
    assert bodies[1] == {"timeout": 5, "offset": 12}  # both confirmed
    assert not telegram_api.updates


async def test_polling_backs_off_after_a_failed_poll(telegram_api: TelegramStandIn) -> None:
    telegram_api.queue(bot_error(409, "Conflict: can't use getUpdates while webhook is active"))
    telegram_api.updates.append(text_update(20, "after the conflict"))
    seen: list[int] = []
    arrived = asyncio.Event()

    async def on_update(update: dict[str, Any]) -> None:
        seen.append(update["update_id"])
        arrived.set()

    bot = provider(telegram_api)
    bot.start_polling(on_update, poll_timeout=1)
    async with asyncio.timeout(10):
        await arrived.wait()
    await bot.close()
    assert seen == [20] and len(telegram_api.calls("getUpdates")) >= 2


def test_the_bot_loads_no_http_client_until_used() -> None:
    code = (
        "import sys, roomkit, roomkit.providers.telegram.receiver\n"
        "assert roomkit.TelegramBotProvider.__module__ == 'roomkit.providers.telegram.bot'\n"
        "print(','.join(m for m in ('httpx', 'telegram') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
