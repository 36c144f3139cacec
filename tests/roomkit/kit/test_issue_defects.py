"""Defects found from outside: each test failed before its fix."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from roomkit import (
    ConversationStore,
    HookExecution,
    HookRegistrationError,
    HookResult,
    HookTrigger,
    IdentityResolver,
    IdentityResolverError,
    InboundMessage,
    InMemoryStore,
    InvalidMessageError,
    RedisLockManager,
    RoomContext,
    RoomEvent,
    RoomKit,
    SQLiteStore,
    TextContent,
    WebSocketChannel,
)
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import delete_keys, open_store
from tests.roomkit.helpers import text


async def _kit(store: ConversationStore, **options: Any) -> RoomKit:
    kit = RoomKit(store=store, **options)
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    return kit


def _content_not_content(m: InboundMessage) -> None:
    m.content = "just a string"  # type: ignore[assignment]


def _body_not_text(m: InboundMessage) -> None:
    m.content.body = 42  # type: ignore[union-attr]


def _lone_surrogate(m: InboundMessage) -> None:
    m.content.body = "broken \ud800 text"  # type: ignore[union-attr]


def _metadata_not_json(m: InboundMessage) -> None:
    m.metadata = {"when": object()}


MUTATIONS = [_content_not_content, _body_not_text, _lone_surrogate, _metadata_not_json]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda f: f.__name__.strip("_"))
async def test_invalid_message_is_refused_before_anything_is_stored(
    kind: str, mutate: Any, tmp_path: Path
) -> None:
    """Same typed error in every store; nothing stored; the room stays readable (reopened)."""
    async with open_store(kind, tmp_path) as store:
        kit = await _kit(store)
        message = text("u", "hello", channel_id="ws")
        mutate(message)
        with pytest.raises(InvalidMessageError):
            await kit.process_inbound(message)
        assert await kit.get_timeline("r1") == []
        ok = await kit.process_inbound(text("u", "after", channel_id="ws"))
        assert ok.event is not None and ok.event.index == 1
        await kit.close()
        if kind == "sqlite":
            reopened = RoomKit(store=SQLiteStore(tmp_path / "roomkit.db"))
            assert len(await reopened.get_timeline("r1")) == 1
            await reopened.close()


async def test_none_is_a_typed_error(tmp_path: Path) -> None:
    async with RoomKit() as kit:
        with pytest.raises(InvalidMessageError, match="NoneType"):
            await kit.process_inbound(None)  # type: ignore[arg-type]


class _WrongResolver(IdentityResolver):
    async def resolve(self, message: InboundMessage, context: RoomContext) -> Any:
        return {"status": "identified"}


async def test_resolver_returning_something_else_is_a_typed_error() -> None:
    async with await _kit(InMemoryStore(), identity_resolver=_WrongResolver()) as kit:
        with pytest.raises(IdentityResolverError, match="dict"):
            await kit.process_inbound(text("u", "hello", channel_id="ws"))
        assert await kit.get_timeline("r1") == []


async def test_hook_without_parentheses_is_refused(kit: RoomKit) -> None:
    with pytest.raises(HookRegistrationError, match=r"@kit.hook\(HookTrigger"):

        @kit.hook  # type: ignore[arg-type]
        async def forgot(event: RoomEvent, ctx: RoomContext) -> None: ...


async def test_hook_with_a_wrong_signature_is_refused_at_registration(kit: RoomKit) -> None:
    with pytest.raises(HookRegistrationError, match=r"\(event, context\)"):

        @kit.hook(HookTrigger.BEFORE_BROADCAST)
        async def one_arg(event: RoomEvent) -> None: ...

    with pytest.raises(HookRegistrationError):
        kit.add_room_hook(
            "r1", HookTrigger.AFTER_BROADCAST, HookExecution.ASYNC, lambda a, b, c: None
        )
    assert (
        kit.hook_engine.hooks_for(HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, _event(), "r1")
        == []
    )


def _event() -> RoomEvent:
    from roomkit import ChannelType, EventSource

    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id="r1", source=source, content=TextContent(body="x"))


async def _reentrant_kit(kit: RoomKit) -> RoomKit:
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, timeout=10 * UNIT)
    async def fan_out(event: RoomEvent, ctx: RoomContext) -> HookResult:
        if event.metadata.get("echo"):
            return HookResult.allow()
        # Children of the lock holder send into the same room.
        await asyncio.gather(
            *(
                kit.send_event("r1", "ws", TextContent(body=f"echo {i}"), metadata={"echo": 1})
                for i in range(2)
            )
        )
        return HookResult.allow()

    return kit


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_children_of_the_lock_holder_do_not_deadlock(backend: str, request: Any) -> None:
    """gather() inside a hook re-enters the room's lock instead of waiting for itself."""
    options: dict[str, Any] = {"process_timeout": 5 * UNIT}
    prefix = f"test:reentry:{id(request)}:"
    if backend == "redis":
        url = request.getfixturevalue("redis_url")
        options["lock_manager"] = RedisLockManager(url, key_prefix=prefix)
    kit = await _reentrant_kit(RoomKit(**options))
    try:
        async with asyncio.timeout(4 * UNIT):
            result = await kit.process_inbound(text("u", "go", channel_id="ws"))
        assert result.event is not None and not result.blocked
        bodies = sorted(e.content.body for e in await kit.get_timeline("r1"))  # type: ignore[union-attr]
        assert bodies == ["echo 0", "echo 1", "go"]
        # Released: an unrelated sender gets the lock afterwards.
        later = await kit.process_inbound(text("v", "later", channel_id="ws"))
        assert later.event is not None
    finally:
        await kit.close()
        if backend == "redis":
            await delete_keys(request.getfixturevalue("redis_url"), prefix)


async def test_sending_into_an_unattached_room_logs_the_new_room(
    kit: RoomKit, caplog: pytest.LogCaptureFixture
) -> None:
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("mine")  # the channel is not attached to it
    with caplog.at_level(logging.INFO, logger="roomkit.admin"):
        result = await kit.process_inbound(text("ann", "hello", channel_id="ws"))
    assert result.event is not None and result.event.room_id != "mine"
    [record] = [r for r in caplog.records if "created room" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert "'ws'" in record.getMessage() and "'ann'" in record.getMessage()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_send_event_refuses_metadata_json_cannot_carry(kind: str, tmp_path: Path) -> None:
    """The same typed error in every store, and nothing stored."""
    async with open_store(kind, tmp_path) as store:
        kit = await _kit(store)
        for bad in ({"when": object()}, {"text": "lone \ud800"}):
            with pytest.raises(InvalidMessageError, match="metadata"):
                await kit.send_event("r1", "ws", TextContent(body="x"), metadata=bad)
        assert await kit.get_timeline("r1") == []
        await kit.close()
