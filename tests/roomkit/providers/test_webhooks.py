"""The Sans-I/O webhook readers: a vendor's payload in, messages a room stores out."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    HTTPChannel,
    InMemoryConversationReferenceStore,
    InvalidArgumentError,
    LocationContent,
    MediaContent,
    MessengerChannel,
    RoomKit,
    TeamsChannel,
    TelegramChannel,
    TextContent,
    TransportChannel,
    is_bot_added,
    parse_http_webhook,
    parse_teams_activity,
    parse_teams_reactions,
    parse_teams_webhook,
    parse_telegram_webhook,
)
from roomkit.providers.messenger.webhook import parse_messenger_webhook


async def _room(kit: RoomKit, channel: TransportChannel) -> None:
    kit.register_channel(channel)
    await kit.create_room("r")
    await kit.attach_channel("r", channel.channel_id)


async def test_an_http_webhook_is_stored_once_even_when_resent(kit: RoomKit) -> None:
    """external_id keys idempotency: the same body posted twice is one event."""
    await _room(kit, HTTPChannel("hook"))
    body = {"sender_id": "user-1", "body": "Hello!", "external_id": "m-1", "metadata": {"a": 1}}
    first = await kit.process_inbound(parse_http_webhook(body, "hook"))
    await kit.process_inbound(parse_http_webhook(body, "hook"))
    assert first.event is not None and first.event.content == TextContent(body="Hello!")
    assert first.event.metadata["a"] == 1
    assert [e.id for e in await kit.get_timeline("r")] == [first.event.id]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": "x"}, "sender_id"), ({"sender_id": ""}, "sender_id"),
     ({"sender_id": "u", "metadata": [1]}, "metadata")],
)  # fmt: skip
def test_an_http_webhook_without_a_sender_is_refused_by_name(
    body: dict[str, Any], field: str
) -> None:
    """A malformed body is a typed error naming the field, not a KeyError."""
    with pytest.raises(InvalidArgumentError, match=field):
        parse_http_webhook(body, "hook")


def _telegram(message: dict[str, Any]) -> dict[str, Any]:
    base = {"message_id": 7, "from": {"id": 42}, "chat": {"id": -100}, "date": 1700000000}
    return {"update_id": 1, "message": {**base, **message}}


async def test_a_telegram_text_update_is_stored_from_the_sender(kit: RoomKit) -> None:
    """A message Update becomes one message from from.id, keyed by message_id."""
    await _room(kit, TelegramChannel("tg"))
    [message] = parse_telegram_webhook(_telegram({"text": "hi bot"}), "tg")
    result = await kit.process_inbound(message)
    assert result.event is not None and result.event.content == TextContent(body="hi bot")
    assert (message.sender_id, message.external_id) == ("42", "7")
    assert message.metadata == {"chat_id": "-100", "date": 1700000000}


def test_telegram_media_location_and_other_updates() -> None:
    """A photo gives the largest size's file_id and the caption; locations are content;
    channel posts and stickers give nothing."""
    photo = {"photo": [{"file_id": "small"}, {"file_id": "big", "file_size": 900}],
             "caption": "my cat"}  # fmt: skip
    [message] = parse_telegram_webhook(_telegram(photo), "tg")
    assert message.content == TextContent(body="my cat")
    assert message.metadata["file_id"] == "big" and message.metadata["media_type"] == "photo"
    assert message.metadata["file_size"] == 900
    [where] = parse_telegram_webhook(
        _telegram({"location": {"latitude": 1.5, "longitude": 2}}), "tg"
    )
    assert isinstance(where.content, LocationContent) and where.content.latitude == 1.5
    assert parse_telegram_webhook({"channel_post": {"text": "x"}}, "tg") == []
    assert parse_telegram_webhook(_telegram({"sticker": {"file_id": "s"}}), "tg") == []


def _activity(**fields: Any) -> dict[str, Any]:
    base = {
        "type": "message", "id": "act-1", "text": "hello",
        "from": {"id": "user-1", "name": "Ann"}, "recipient": {"id": "bot-1"},
        "conversation": {"id": "conv-1"}, "serviceUrl": "https://smba.example/",
        "channelData": {"tenant": {"id": "tenant-1"}},
    }  # fmt: skip
    return {**base, **fields}


async def test_a_teams_personal_message_is_stored_with_what_a_reply_needs(kit: RoomKit) -> None:
    """The message keeps the conversation, service URL and tenant; the bot is addressed."""
    await _room(kit, TeamsChannel("teams"))
    [message] = parse_teams_webhook(_activity(), "teams")
    result = await kit.process_inbound(message)
    assert result.event is not None and result.event.content == TextContent(body="hello")
    meta = message.metadata
    assert (meta["conversation_id"], meta["service_url"], meta["tenant_id"]) == (
        "conv-1", "https://smba.example/", "tenant-1",
    )  # fmt: skip
    assert meta["bot_mentioned"] is True and meta["is_group"] is False


def test_teams_group_mentions_are_stripped_and_noted() -> None:
    """In a group chat the <at> tag is removed; bot_mentioned follows the entities."""
    group = {"id": "conv-2", "isGroup": True}
    mention = [{"type": "mention", "mentioned": {"id": "bot-1"}}]
    [said] = parse_teams_webhook(
        _activity(conversation=group, text="<at>Helper</at> status?", entities=mention), "teams"
    )
    assert said.content == TextContent(body="status?") and said.metadata["bot_mentioned"]
    [other] = parse_teams_webhook(_activity(conversation=group, text="lunch?"), "teams")
    assert other.metadata["bot_mentioned"] is False
    assert parse_teams_webhook(_activity(conversation=group, text="<at>Helper</at>"), "t") == []
    assert parse_teams_webhook(_activity(type="typing"), "teams") == []


def test_teams_lifecycle_and_reactions() -> None:
    """conversationUpdate says when the bot joins; reactions come as add/remove dicts."""
    added = _activity(type="conversationUpdate", membersAdded=[{"id": "bot-1"}])
    assert is_bot_added(added) and not is_bot_added(added, bot_id="other-bot")
    assert not is_bot_added(_activity(type="conversationUpdate", membersAdded=[{"id": "u"}]))
    assert parse_teams_activity(added)["members_added"] == ["bot-1"]
    reaction = _activity(
        type="messageReaction", replyToId="act-0",
        reactionsAdded=[{"type": "like"}], reactionsRemoved=[{"type": "heart"}],
    )  # fmt: skip
    assert parse_teams_reactions(reaction) == [
        {"action": "add", "emoji": "like", "sender_id": "user-1", "sender_name": "Ann",
         "target_activity_id": "act-0"},
        {"action": "remove", "emoji": "heart", "sender_id": "user-1", "sender_name": "Ann",
         "target_activity_id": "act-0"},
    ]  # fmt: skip
    assert parse_teams_reactions(_activity()) == []


async def test_conversation_references_are_kept_as_copies() -> None:
    """save / get / list_all / delete; mutating a dict afterwards changes nothing stored."""
    store = InMemoryConversationReferenceStore()
    reference = {"serviceUrl": "https://smba.example/", "conversation": {"id": "c"}}
    await store.save("c", reference)
    reference["serviceUrl"] = "changed"
    reference["conversation"]["id"] = "changed"  # type: ignore[index]
    got = await store.get("c")
    assert got == {"serviceUrl": "https://smba.example/", "conversation": {"id": "c"}}
    got["serviceUrl"] = "changed too"
    assert (await store.list_all())["c"]["serviceUrl"] == "https://smba.example/"
    await store.delete("c")
    await store.delete("never-saved")
    assert await store.get("c") is None and await store.list_all() == {}


def _messenger(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": "page-1", "messaging": list(items)}]}


async def test_a_messenger_message_is_stored_from_the_psid(kit: RoomKit) -> None:
    """Text from sender.id, keyed by mid; echoes, reads and other objects give nothing."""
    await _room(kit, MessengerChannel("fb"))
    text_item = {"sender": {"id": "psid-1"}, "recipient": {"id": "page-1"}, "timestamp": 1,
                 "message": {"mid": "m.1", "text": "hi page"}}  # fmt: skip
    photo = {"sender": {"id": "psid-1"}, "message": {"mid": "m.2", "attachments": [
        {"type": "image", "payload": {"url": "https://cdn.example/p.jpg"}}]}}  # fmt: skip
    echo = {"sender": {"id": "page-1"}, "message": {"mid": "m.3", "text": "x", "is_echo": True}}
    read = {"sender": {"id": "psid-1"}, "read": {"watermark": 1}}
    first, second = parse_messenger_webhook(_messenger(text_item, photo, echo, read), "fb")
    result = await kit.process_inbound(first)
    assert result.event is not None and result.event.content == TextContent(body="hi page")
    assert (first.sender_id, first.external_id, first.metadata["page_id"]) == (
        "psid-1", "m.1", "page-1",
    )  # fmt: skip
    assert isinstance(second.content, MediaContent) and second.content.mime_type == "image/*"
    assert parse_messenger_webhook({"object": "instagram", "entry": []}, "fb") == []
