"""Teams end to end: a signed Activity into the webhook app, a room, a reply via the Connector."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from roomkit import InboundMessage, RoomKit, TeamsChannel, WebSocketChannel
from roomkit.models.content import TextContent
from roomkit.providers.teams.bot_framework import BotFrameworkTeamsProvider
from roomkit.providers.teams.receiver import TeamsWebhook
from roomkit.webhooks import create_webhook_app
from tests.standins.server import serve_app
from tests.standins.teams import (
    APP_ID,
    ChannelSigner,
    TeamsStandIn,
    activity,
    teams_config,
)

CONVERSATION = "a:conv-personal"


async def bind(kit: RoomKit, api: TeamsStandIn) -> BotFrameworkTeamsProvider:
    bot = BotFrameworkTeamsProvider(teams_config(api))
    kit.register_channel(TeamsChannel("teams", provider=bot))
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "teams", metadata={"recipient_id": CONVERSATION})
    await kit.attach_channel("r1", "ws")
    return bot


async def bodies(kit: RoomKit) -> list[str]:
    return [getattr(e.content, "body", "") for e in await kit.get_timeline("r1")]


async def test_activity_in_reply_out_and_redelivery_is_one_event(
    kit: RoomKit, teams_api: TeamsStandIn
) -> None:
    bot = await bind(kit, teams_api)
    receiver = TeamsWebhook("teams", bot)
    body = json.dumps(activity(teams_api.base_url, "hi bot")).encode()
    headers = {"authorization": f"Bearer {teams_api.signer.token(teams_api.base_url)}",
               "content-type": "application/json"}  # fmt: skip
    async with serve_app(create_webhook_app(kit, [receiver])) as base, httpx.AsyncClient() as http:
        for _ in range(2):  # the Bot Framework retries; the store keeps one event
            answer = await http.post(base + receiver.path, content=body, headers=headers)
            assert answer.status_code == 200
    assert await bodies(kit) == ["hi bot"]
    [event] = await kit.get_timeline("r1")
    assert event.metadata["service_url"] == teams_api.base_url

    reply = InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body="hello"))
    await kit.process_inbound(reply, room_id="r1")
    sent = teams_api.calls(f"/v3/conversations/{CONVERSATION}/activities")
    assert [r.json["text"] for r in sent] == ["hello"]
    assert sent[0].json["recipient"]["id"] == "29:user-1"
    assert sent[0].headers["authorization"] == "Bearer connector-token-1"
    assert len(teams_api.calls("/v1/.well-known/keys")) == 1  # keys fetched once, cached


async def test_refused_activities_never_reach_the_room(
    kit: RoomKit, teams_api: TeamsStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """No token: 401; a forged one, or one for another serviceUrl: 403; a body that is no
    Activity: 400 with one log line. Nothing is stored, not even a reference."""
    bot = await bind(kit, teams_api)
    receiver = TeamsWebhook("teams", bot)
    url = teams_api.base_url
    body = json.dumps(activity(url, "sneaky")).encode()
    forged = ChannelSigner(kid=teams_api.signer.kid).token(url)
    elsewhere = teams_api.signer.token("https://smba.evil.example/")
    async with serve_app(create_webhook_app(kit, [receiver])) as base, httpx.AsyncClient() as http:
        endpoint = base + receiver.path
        assert (await http.post(endpoint, content=body)).status_code == 401
        for token in (forged, elsewhere):
            auth = {"authorization": f"Bearer {token}"}
            assert (await http.post(endpoint, content=body, headers=auth)).status_code == 403
        caplog.clear()
        caplog.set_level(logging.WARNING, logger="roomkit.webhooks")
        auth = {"authorization": f"Bearer {teams_api.signer.token(url)}"}
        answer = await http.post(endpoint, content=b'{"type": "message"}', headers=auth)
    assert answer.status_code == 400 and "serviceUrl" in answer.text
    assert len(caplog.records) == 1
    assert await bodies(kit) == []
    assert await bot.conversation_store.list_all() == {}


async def test_a_conversation_update_stores_the_reference_only(
    kit: RoomKit, teams_api: TeamsStandIn
) -> None:
    """The bot being added to a chat is no message, but the bot can now write there."""
    bot = await bind(kit, teams_api)
    receiver = TeamsWebhook("teams", bot)
    added = activity(teams_api.base_url, conversation_id="a:conv-new", type="conversationUpdate",
                     membersAdded=[{"id": f"28:{APP_ID}"}])  # fmt: skip
    headers = {"authorization": f"Bearer {teams_api.signer.token(teams_api.base_url)}"}
    async with serve_app(create_webhook_app(kit, [receiver])) as base, httpx.AsyncClient() as http:
        answer = await http.post(base + receiver.path, content=json.dumps(added), headers=headers)
    assert answer.status_code == 200 and await bodies(kit) == []
    assert list(await bot.conversation_store.list_all()) == ["a:conv-new"]
