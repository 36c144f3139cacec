"""Room administration behind the façade: rooms, bindings, timelines, read marks, sockets.

Every change goes to the store first, then invalidates the room's cached state, then tells
listeners (framework events and lifecycle hooks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from roomkit.admission import check_json
from roomkit.broadcast.stream import StreamBridge
from roomkit.channels.streaming import StreamSendFn
from roomkit.errors import (
    ChannelAlreadyRegisteredError,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    InvalidArgumentError,
    RoomClosedError,
    RoomNotFoundError,
)
from roomkit.framework_events import FrameworkEventBus
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.tools import ToolHookBridge
from roomkit.models._base import utcnow
from roomkit.models.binding import ChannelBinding
from roomkit.models.content import EventContent
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelDirection,
    ChannelType,
    EventType,
    HookTrigger,
    RoomStatus,
)
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import Room, RoomContext
from roomkit.models.trace import ProtocolTrace
from roomkit.reporting import system_event
from roomkit.rooms import RoomDirectory
from roomkit.store._paging import check_page
from roomkit.store.base import ConversationStore

if TYPE_CHECKING:
    from roomkit.channels.base import Channel

logger = logging.getLogger(__name__)

SendFn = Callable[[str, RoomEvent], Coroutine[Any, Any, None]]

# What attach_channel's keywords may set besides its named parameters.
_BINDING_FIELDS = frozenset(
    {"muted", "participant_id", "capabilities", "rate_limit", "retry_policy", "metadata"}
    | {"direction", "attached_at"}
)

_BINDING_TRIGGERS = {
    "channel_attached": HookTrigger.ON_CHANNEL_ATTACHED,
    "channel_detached": HookTrigger.ON_CHANNEL_DETACHED,
    "channel_muted": HookTrigger.ON_CHANNEL_MUTED,
    "channel_unmuted": HookTrigger.ON_CHANNEL_UNMUTED,
}


class RoomOps:
    """Creates and changes rooms and bindings on behalf of the kit."""

    def __init__(
        self,
        store: ConversationStore,
        rooms: RoomDirectory,
        channels: dict[str, Channel],
        bus: FrameworkEventBus,
        hooks: HookEngine,
    ) -> None:
        self._store = store
        self._rooms = rooms
        self._channels = channels
        self._bus = bus
        self._hooks = hooks
        self._streams = StreamBridge(channels)
        self._tool_hooks = ToolHookBridge(hooks, rooms)

    # -- channels ------------------------------------------------------------------------

    def register_channel(self, channel: Channel, kit: object) -> None:
        if channel.channel_id in self._channels:
            raise ChannelAlreadyRegisteredError(channel.channel_id)
        self._channels[channel.channel_id] = channel
        set_framework = getattr(channel, "set_framework", None)
        if callable(set_framework):
            set_framework(kit)
        set_stream_sink = getattr(channel, "set_stream_sink", None)
        if callable(set_stream_sink):
            set_stream_sink(self._streams.sink)
        tool_hooks = getattr(channel, "tool_hooks", None)
        if tool_hooks is not None:
            self._tool_hooks.install(tool_hooks)
        channel.on_trace(self._protocol_trace)

    async def _protocol_trace(self, trace: ProtocolTrace) -> None:
        """A channel's protocol trace, handed to its room's ON_PROTOCOL_TRACE hooks.

        A trace with no room (none given, none resolved from its session) has no hooks to
        run. The channel runs this as a task it owns, so a slow hook never holds it up.
        """
        trigger = HookTrigger.ON_PROTOCOL_TRACE
        room_id = trace.room_id
        if room_id is None or not self._hooks.any_for(trigger, room_id):
            return  # building the context reads every binding: skip it when nobody listens
        context = await self._rooms.context(room_id)
        await self._hooks.run_sync_hooks(room_id, trigger, trace, context)
        await self._hooks.run_async_hooks(room_id, trigger, trace, context)

    def channel(self, channel_id: str) -> Channel:
        channel = self._channels.get(channel_id)
        if channel is None:
            raise ChannelNotRegisteredError(channel_id, list(self._channels))
        return channel

    # -- rooms ---------------------------------------------------------------------------

    async def create_room(
        self, room_id: str | None, organization_id: str | None, metadata: dict[str, Any] | None
    ) -> Room:
        fields: dict[str, Any] = {"organization_id": organization_id, "metadata": metadata or {}}
        if room_id is not None:
            fields["id"] = room_id
        room = await self._store.create_room(Room(**fields))
        await self._bus.emit("room_created", room_id=room.id)
        await self._lifecycle(HookTrigger.ON_ROOM_CREATED, room.id, "room_created")
        return room

    async def create_room_for(self, channel: Channel, message: InboundMessage) -> str:
        """The router found no room: create one and attach the message's channel."""
        room = await self.create_room(None, None, {"created_by_channel": channel.channel_id})
        logger.info(
            "no active room has channel %r attached: created room %r for sender %r "
            "(see roomkit.routing for the rule)",
            channel.channel_id,
            room.id,
            message.sender_id,
        )
        await self.attach(room.id, channel.channel_id, None, None, Access.READ_WRITE, "all", {})
        return room.id

    async def get_room(self, room_id: str) -> Room:
        room = await self._store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(room_id)
        return room

    async def close_room(self, room_id: str) -> Room:
        room = await self.get_room(room_id)
        if room.status is RoomStatus.CLOSED:
            return room
        now = utcnow()
        closed = room.model_copy(
            update={"status": RoomStatus.CLOSED, "closed_at": now, "updated_at": now}
        )
        await self._store.update_room(closed)
        await self._rooms.changed(room_id)
        await self._bus.emit("room_closed", room_id=room_id)
        await self._lifecycle(HookTrigger.ON_ROOM_CLOSED, room_id, "room_closed")
        return closed

    async def update_room_metadata(self, room_id: str, metadata: dict[str, Any]) -> Room:
        room = await self.get_room(room_id)
        changed = room.model_copy(
            update={"metadata": {**room.metadata, **metadata}, "updated_at": utcnow()}
        )
        await self._store.update_room(changed)
        await self._rooms.changed(room_id)
        await self._bus.emit("room_updated", room_id=room_id, data={"metadata": list(metadata)})
        return changed

    def forget(self, room_id: str) -> None:
        """Drop the cached state of a room changed behind the directory's back."""
        self._rooms.invalidate(room_id)

    async def announce_room(self, name: str, trigger: HookTrigger, room_id: str) -> None:
        """Emit a room's framework event and run its lifecycle hooks."""
        await self._bus.emit(name, room_id=room_id)
        await self._lifecycle(trigger, room_id, name)

    async def delete_room(self, room_id: str) -> bool:
        existed = await self._store.delete_room(room_id)
        await self._rooms.changed(room_id)
        if existed:
            await self._bus.emit("room_deleted", room_id=room_id)
        return existed

    # -- bindings ------------------------------------------------------------------------

    async def attach(
        self,
        room_id: str,
        channel_id: str,
        channel_type: ChannelType | None,
        category: ChannelCategory | None,
        access: Access,
        visibility: str,
        fields: dict[str, Any],
    ) -> ChannelBinding:
        """Bind a registered channel; ``fields`` are further ChannelBinding fields."""
        unknown = sorted(set(fields) - _BINDING_FIELDS)
        if unknown:
            raise InvalidArgumentError(
                "attach_channel keyword", unknown[0], f"one of {sorted(_BINDING_FIELDS)}"
            )
        channel = self.channel(channel_id)
        await self.get_room(room_id)
        values: dict[str, Any] = {
            "capabilities": channel.capabilities(),
            "direction": channel.direction,
            **fields,
            "channel_id": channel_id,
            "room_id": room_id,
            "channel_type": channel_type or channel.channel_type,
            "category": category or channel.category,
            "access": Access(access),
            "visibility": visibility,
            "metadata": {**channel.info, **(fields.get("metadata") or {})},
        }
        binding = await self._store.add_binding(ChannelBinding(**values))
        await self._rooms.changed(room_id)
        await self._announce("channel_attached", binding)
        return binding

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding:
        return await self._binding(room_id, channel_id)

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        await self._rooms.state(room_id)  # RoomNotFoundError for an unknown room
        return await self._store.list_bindings(room_id)

    async def detach(self, room_id: str, channel_id: str) -> bool:
        await self._rooms.state(room_id)  # RoomNotFoundError for an unknown room
        binding = await self._store.get_binding(room_id, channel_id)
        if binding is None or not await self._store.remove_binding(room_id, channel_id):
            return False
        await self._rooms.changed(room_id)
        await self._announce("channel_detached", binding)
        return True

    async def update_binding(
        self, room_id: str, channel_id: str, announce: str, **changes: Any
    ) -> ChannelBinding:
        binding = await self._binding(room_id, channel_id)
        updated = await self._store.update_binding(binding.model_copy(update=changes))
        await self._rooms.changed(room_id)
        channel = self._channels.get(channel_id)
        if channel is not None:
            channel.update_binding(room_id, updated)
        await self._announce(announce, updated)
        return updated

    # -- events --------------------------------------------------------------------------

    async def outbound_event(
        self,
        room_id: str,
        channel_id: str,
        content: EventContent,
        event_type: EventType,
        chain_depth: int,
        visibility: str,
        metadata: dict[str, Any] | None,
        idempotency_key: str | None,
        *,
        participant_id: str | None = None,
        provider: str | None = None,
        response_visibility: str | None = None,
    ) -> tuple[RoomEvent, RoomContext]:
        """Build the event a channel sends into a room (it must be attached).

        Raises:
            InvalidMessageError: ``metadata`` holds a value JSON cannot carry.
        """
        if metadata:
            check_json(metadata, "metadata")
        channel = self.channel(channel_id)
        context = await self._rooms.context(room_id)
        if context.room.status is not RoomStatus.ACTIVE:
            raise RoomClosedError(room_id)
        binding = context.get_binding(channel_id)
        if binding is None:
            raise ChannelNotFoundError(room_id, channel_id)
        event = RoomEvent(
            room_id=room_id,
            type=event_type,
            source=EventSource(
                channel_id=channel_id,
                channel_type=channel.channel_type,
                direction=ChannelDirection.OUTBOUND,
                participant_id=participant_id or binding.participant_id,
                provider=provider,
            ),
            content=content,
            chain_depth=chain_depth,
            visibility=visibility,
            metadata=metadata or {},
            idempotency_key=idempotency_key,
            **({"response_visibility": response_visibility} if response_visibility else {}),
        )
        return event, context

    async def timeline(
        self, room_id: str, offset: int, limit: int, visibility_filter: str | None
    ) -> list[RoomEvent]:
        check_page(offset, limit)
        await self._rooms.state(room_id)  # RoomNotFoundError for an unknown room
        return await self._store.list_events(room_id, offset, limit, visibility_filter)

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        await self._binding(room_id, channel_id)
        await self._store.mark_read(room_id, channel_id, event_id)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        await self._binding(room_id, channel_id)
        await self._store.mark_all_read(room_id, channel_id)

    async def unread_count(self, room_id: str, channel_id: str) -> int:
        await self._binding(room_id, channel_id)
        return await self._store.get_unread_count(room_id, channel_id)

    # -- internals -----------------------------------------------------------------------

    async def _binding(self, room_id: str, channel_id: str) -> ChannelBinding:
        await self._rooms.state(room_id)  # RoomNotFoundError first: it is the bigger mistake
        binding = await self._store.get_binding(room_id, channel_id)
        if binding is None:
            raise ChannelNotFoundError(room_id, channel_id)
        return binding

    async def _announce(self, name: str, binding: ChannelBinding) -> None:
        await self._bus.emit(
            name,
            room_id=binding.room_id,
            channel_id=binding.channel_id,
            data={"access": binding.access.value, "muted": binding.muted},
        )
        trigger = _BINDING_TRIGGERS.get(name)
        if trigger is not None:
            await self._lifecycle(trigger, binding.room_id, name, channel_id=binding.channel_id)

    async def _lifecycle(self, trigger: HookTrigger, room_id: str, code: str, **data: Any) -> None:
        if not self._hooks.any_for(trigger, room_id):
            return  # building the context reads every binding: skip it when nobody listens
        context = await self._rooms.context(room_id)
        await self._hooks.run_trigger(trigger, system_event(room_id, code, code, **data), context)


class WebSocketOps:
    """Connects and disconnects sockets on WebSocket channels, with framework events."""

    def __init__(self, channels: dict[str, Channel], bus: FrameworkEventBus) -> None:
        self._channels = channels
        self._bus = bus

    async def connect(
        self,
        channel_id: str,
        connection_id: str,
        send_fn: SendFn,
        stream_send_fn: StreamSendFn | None = None,
    ) -> None:
        channel = self._websocket(channel_id)
        channel.register_connection(connection_id, send_fn, stream_send_fn=stream_send_fn)
        await self._bus.emit(
            "channel_connected", channel_id=channel_id, data={"connection_id": connection_id}
        )

    async def disconnect(self, channel_id: str, connection_id: str) -> None:
        channel = self._websocket(channel_id)
        channel.unregister_connection(connection_id)
        await self._bus.emit(
            "channel_disconnected", channel_id=channel_id, data={"connection_id": connection_id}
        )

    def _websocket(self, channel_id: str) -> Any:
        from roomkit.channels.websocket import WebSocketChannel

        channel = self._channels.get(channel_id)
        if channel is None:
            raise ChannelNotRegisteredError(channel_id, list(self._channels))
        if not isinstance(channel, WebSocketChannel):
            raise TypeError(
                f"channel {channel_id!r} is a {type(channel).__name__}, not a WebSocketChannel"
            )
        return channel
