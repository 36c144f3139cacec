"""Channel — the edge in (``handle_inbound``) and the edge out (``deliver`` / ``on_event``)."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from roomkit.channels.text import extract_text
from roomkit.channels.tracing import TraceCallback, TraceSinks
from roomkit.models._base import construct
from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext
from roomkit.models.trace import ProtocolTrace

__all__ = ["Channel", "TraceCallback"]


class Channel(ABC):
    """A way into and out of rooms.

    Transport channels (SMS, WebSocket, …) turn inbound messages into events with
    :meth:`handle_inbound` and carry room events to people with :meth:`deliver`.
    Intelligence channels (AI) react in :meth:`on_event`; the events in the returned
    :class:`ChannelOutput` re-enter the room one chain level deeper.

    Subclass it to write your own channel: set ``channel_type`` (and ``category`` for an
    intelligence channel) and implement ``handle_inbound`` and ``deliver``. Everything
    else has a default the framework relies on, so it calls these methods on every
    channel without probing for them: sessions (``connect_session``,
    ``disconnect_session``), binding changes (``update_binding``), streamed responses
    (``deliver_stream``), and protocol tracing (``on_trace``, ``emit_trace``).
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

    # -- tracing ---------------------------------------------------------------------------

    # Created on first use, so subclasses that never trace pay nothing for it.
    _traces: TraceSinks | None = None

    @property
    def trace_enabled(self) -> bool:
        """Whether anyone listens to this channel's protocol traces (skip building them if not)."""
        return bool(self._traces)

    def on_trace(self, callback: TraceCallback, *, protocols: list[str] | None = None) -> None:
        """Call ``callback`` with every :class:`ProtocolTrace` this channel emits.

        ``protocols`` limits it to traces of those protocols; None means all. The callback
        may be sync or async; an exception in it is logged and never reaches the channel.
        """
        if self._traces is None:
            self._traces = TraceSinks()
        self._traces.add(callback, protocols)

    def emit_trace(self, trace: ProtocolTrace) -> None:
        """Hand ``trace`` to the ``on_trace`` callbacks that want its protocol.

        A trace without ``room_id`` gets the room :meth:`resolve_trace_room` finds for its
        ``session_id``. Does nothing when nobody listens.
        """
        if not self._traces:
            return
        if trace.room_id is None and trace.session_id is not None:
            room_id = self.resolve_trace_room(trace.session_id)
            if room_id is not None:
                trace = dataclasses.replace(trace, room_id=room_id)
        self._traces.emit(trace)

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        """The room a session of this channel belongs to, for traces. Default: unknown."""
        return None

    # -- description -----------------------------------------------------------------------

    @property
    def provider_name(self) -> str | None:
        """The name of the provider behind this channel, if it has one."""
        return None

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

    async def deliver_for_broadcast(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        """:meth:`deliver`, as the broadcaster uses it: None when delivered, else the error.

        The broadcaster reads nothing else of the output, so a channel may override this
        to skip building one per delivery; it must deliver exactly as :meth:`deliver` does.
        Channels that do not override it are called through :meth:`deliver` directly.
        """
        output = await self.deliver(event, binding, context)
        return None if output.delivered else output.error or "provider reported failure"

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """React to an event in the room (intelligence channels). Default: nothing."""
        return ChannelOutput.empty()

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """Deliver a response that arrives as text deltas.

        Default, for channels that cannot show text progressively: collect the whole
        stream, then :meth:`deliver` ``event`` once with the collected text as its content.
        """
        text = "".join([delta async for delta in text_stream])
        final = event.model_copy(update={"content": TextContent(body=text)})
        return await self.deliver(final, binding, context)

    # -- sessions and bindings -------------------------------------------------------------

    async def connect_session(  # noqa: B027 - optional hook, no sessions by default
        self, session: Any, room_id: str, binding: ChannelBinding
    ) -> None:
        """A live session (a call, a socket) joined ``room_id`` through this channel."""

    async def disconnect_session(  # noqa: B027 - optional hook, no sessions by default
        self, session: Any, room_id: str
    ) -> None:
        """A live session left ``room_id``."""

    def update_binding(  # noqa: B027 - optional hook, nothing cached by default
        self, room_id: str, binding: ChannelBinding
    ) -> None:
        """The channel's binding in ``room_id`` changed (muted, access, metadata...)."""

    async def close(self) -> None:
        """Release the channel's resources. Idempotent.

        Waits for async trace callbacks still running; subclasses that override it call
        ``await super().close()``.
        """
        if self._traces is not None:
            await self._traces.close()

    @staticmethod
    def extract_text(event: RoomEvent) -> str:
        """The readable text of ``event``'s content ("" when it has none)."""
        return extract_text(event.content)

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
