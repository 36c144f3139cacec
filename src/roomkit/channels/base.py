"""Channel — the edge in (``handle_inbound``) and the edge out (``deliver`` / ``on_event``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from roomkit.models._base import construct
from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext


class Channel(ABC):
    """A way into and out of rooms.

    Transport channels (SMS, WebSocket, …) turn inbound messages into events with
    :meth:`handle_inbound` and carry room events to people with :meth:`deliver`.
    Intelligence channels (AI) react in :meth:`on_event`; the events in the returned
    :class:`ChannelOutput` re-enter the room one chain level deeper.

    Subclass it to write your own channel: set ``channel_type`` (and ``category`` for an
    intelligence channel) and implement ``handle_inbound`` and ``deliver``.
    """

    channel_type: ChannelType = ChannelType.WEBHOOK
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL

    # True when deliver() only hands data to in-process callbacks and returns at once (it
    # never waits on a network round trip). The broadcaster then awaits it in turn instead
    # of spending a task on it; slow receivers must be decoupled inside the channel.
    inline_delivery: ClassVar[bool] = False

    def __init__(self, channel_id: str) -> None:
        if not channel_id:
            raise ValueError("channel_id must be a non-empty string")
        self.channel_id = channel_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.channel_id!r})"

    @property
    def info(self) -> dict[str, Any]:
        """Static facts about the channel, copied into its bindings' metadata."""
        return {}

    def capabilities(self) -> ChannelCapabilities:
        """What the channel can carry. Content is transcoded down to this before delivery."""
        return ChannelCapabilities()

    @property
    def supports_streaming_delivery(self) -> bool:
        """Whether :meth:`deliver_stream` can show a response progressively."""
        return False

    @abstractmethod
    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        """Turn an inbound message into a room event (not yet stored)."""

    @abstractmethod
    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Carry ``event`` to the people behind ``binding``."""

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """React to an event in the room (intelligence channels). Default: nothing."""
        return ChannelOutput.empty()

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release the channel's resources. Idempotent."""

    def event_from(
        self, message: InboundMessage, context: RoomContext, *, provider: str | None = None
    ) -> RoomEvent:
        """The room event for an inbound message from this channel (not yet stored)."""
        source = {
            "channel_id": self.channel_id,
            "channel_type": self.channel_type,
            "participant_id": message.sender_id,
            "external_id": message.external_id,
            "provider": provider,
        }
        event = {
            "room_id": context.room.id,
            "type": message.event_type,
            "content": message.content,
            "idempotency_key": message.idempotency_key,
        }
        if type(self.channel_type) is not ChannelType or type(self.channel_id) is not str:
            return RoomEvent(**event, source=EventSource(**source), metadata=message.metadata)
        # Every value comes from a validated model (the message, the room) or was checked
        # just above, so the models are built as validation would, without validating again.
        return construct(
            RoomEvent,
            **event,
            source=construct(EventSource, **source),
            metadata=dict(message.metadata),
        )
