"""Building rooms, events and bindings by hand, to call AIChannel.on_event directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from roomkit.channels.ai import AIChannel
from roomkit.models.binding import ChannelBinding
from roomkit.models.channel import ChannelOutput
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelCategory, ChannelType, EventType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import Room, RoomContext
from roomkit.providers.ai.base import AIResponse, AIToolCall

ROOM = "room-1"


def said(
    text: str,
    *,
    by: str = "alice",
    channel: str = "ws",
    visibility: str = "all",
    type: EventType = EventType.MESSAGE,
    chain_depth: int = 0,
) -> RoomEvent:
    """A message ``text`` from participant ``by`` on ``channel``."""
    channel_type = ChannelType.AI if channel.startswith("ai") else ChannelType.WEBSOCKET
    return RoomEvent(
        room_id=ROOM,
        type=type,
        source=EventSource(channel_id=channel, channel_type=channel_type, participant_id=by),
        content=TextContent(body=text),
        visibility=visibility,
        chain_depth=chain_depth,
    )


def room(
    events: Sequence[RoomEvent] = (), participants: Sequence[tuple[str, str]] = ()
) -> RoomContext:
    """A room whose recent events are ``events`` (oldest first); participants by
    (id, display name)."""
    people = [
        Participant(id=i, room_id=ROOM, channel_id="ws", display_name=n) for i, n in participants
    ]
    return RoomContext(room=Room(id=ROOM), participants=people, recent_events=list(events))


def binding(channel_id: str = "ai", **fields: Any) -> ChannelBinding:
    """The AI channel's binding in the room."""
    return ChannelBinding(
        channel_id=channel_id,
        room_id=ROOM,
        channel_type=ChannelType.AI,
        category=ChannelCategory.INTELLIGENCE,
        **fields,
    )


async def answer(
    ai: AIChannel,
    event: RoomEvent,
    context: RoomContext | None = None,
    bound: ChannelBinding | None = None,
) -> ChannelOutput:
    """``ai.on_event`` for ``event`` in a room where it is the last event."""
    context = context or room([event])
    return await ai.on_event(event, bound or binding(ai.channel_id), context)


def calls(*specs: tuple[str, dict[str, Any]], text: str = "") -> AIResponse:
    """A model answer asking for tools ``(name, arguments)``."""
    tool_calls = [AIToolCall(id=f"call-{i}", name=n, arguments=a) for i, (n, a) in enumerate(specs)]
    return AIResponse(content=text, tool_calls=tool_calls, finish_reason="tool_use")


def body(output: ChannelOutput) -> str:
    """The text of the single response event."""
    (event,) = output.response_events
    return str(getattr(event.content, "body", ""))


async def until(predicate: Callable[[], bool]) -> None:
    """Wait (up to 2 s) until ``predicate()`` holds, polling another task's state."""
    async with asyncio.timeout(2.0):
        while not predicate():  # noqa: ASYNC110 - no event to wait on from outside
            await asyncio.sleep(0.001)
