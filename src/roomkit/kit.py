"""RoomKit — the façade. It wires the collaborators and hands each call to one of them."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from roomkit.admin import RoomOps, SendFn, WebSocketOps
from roomkit.broadcast.deliver import Deliverer
from roomkit.broadcast.transcode import DefaultContentTranscoder
from roomkit.channels.base import Channel
from roomkit.errors import KitClosedError
from roomkit.framework_events import FrameworkEventBus, FrameworkHandler
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookFn, HookRegistration, freeze
from roomkit.identity.base import IdentityResolver
from roomkit.identity.step import IdentityStep
from roomkit.inbound import Pipeline
from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager
from roomkit.models.binding import ChannelBinding
from roomkit.models.content import EventContent
from roomkit.models.enums import (
    Access,
    ChannelDirection,
    ChannelType,
    EventType,
    HookExecution,
    HookTrigger,
    TaskStatus,
)
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage, InboundResult
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.realtime.publishing import Ephemeral
from roomkit.reporting import Reporting
from roomkit.rooms import RoomDirectory
from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

F = TypeVar("F", bound=Callable[..., Any])


class RoomKit:
    """Central orchestrator tying rooms, channels, hooks, and storage.

    Args:
        store: Persistent storage backend. Defaults to InMemoryStore.
        identity_resolver: Optional resolver for identifying inbound senders.
        identity_channel_types: Restrict identity resolution to these channel types
            (None: every channel).
        inbound_router: Strategy for routing inbound messages to rooms. Defaults to
            DefaultInboundRoomRouter.
        lock_manager: Per-room locking backend. Defaults to InMemoryLockManager.
        realtime: Backend for ephemeral events (typing, presence). Defaults to
            InMemoryRealtime.
        max_chain_depth: Maximum reentry chain depth to prevent infinite loops.
        identity_timeout: Timeout in seconds for identity resolution calls.
        process_timeout: Timeout in seconds for the locked processing phase.
    """

    def __init__(
        self,
        store: ConversationStore | None = None,
        identity_resolver: IdentityResolver | None = None,
        identity_channel_types: set[ChannelType] | None = None,
        inbound_router: InboundRoomRouter | None = None,
        lock_manager: RoomLockManager | None = None,
        realtime: RealtimeBackend | None = None,
        max_chain_depth: int = 5,
        identity_timeout: float = 10.0,
        process_timeout: float = 30.0,
    ) -> None:
        if max_chain_depth < 0:
            raise ValueError(f"max_chain_depth must be >= 0, got {max_chain_depth!r}")
        if identity_timeout <= 0 or process_timeout <= 0:
            raise ValueError("identity_timeout and process_timeout must be > 0 seconds")
        self._store = store if store is not None else InMemoryStore()
        self._realtime = realtime if realtime is not None else InMemoryRealtime()
        self._locks = lock_manager if lock_manager is not None else InMemoryLockManager()
        self._channels: dict[str, Channel] = {}
        self._bus = FrameworkEventBus()
        self._rooms = RoomDirectory(self._store, realtime=self._realtime)
        self._hooks = HookEngine()
        self._report = Reporting(self._bus, self._hooks)
        self._hooks.reporter = self._report.hook_error
        self._identity = IdentityStep(
            identity_resolver, identity_channel_types, identity_timeout, self._bus.emit
        )
        self._ops = RoomOps(self._store, self._rooms, self._channels, self._bus, self._hooks)
        self._pipeline = Pipeline(
            store=self._store,
            channels=self._channels,
            rooms=self._rooms,
            router=inbound_router or DefaultInboundRoomRouter(self._store),
            create_room_for=self._ops.create_room_for,
            identity=self._identity,
            locks=self._locks,
            hooks=self._hooks,
            deliverer=Deliverer(
                DefaultContentTranscoder(), process_timeout, self._report.delivery_failed
            ),
            bus=self._bus,
            max_chain_depth=max_chain_depth,
            process_timeout=process_timeout,
        )
        self._ephemeral = Ephemeral(self._realtime)
        self._websockets = WebSocketOps(self._channels, self._bus)
        self._closed = False

    # -- collaborators -------------------------------------------------------------------

    @property
    def store(self) -> ConversationStore:
        """The backing conversation store."""
        return self._store

    @property
    def hook_engine(self) -> HookEngine:
        """The hook engine used for sync/async hook pipelines."""
        return self._hooks

    @property
    def realtime(self) -> RealtimeBackend:
        """The realtime backend for ephemeral events."""
        return self._realtime

    @property
    def lock_manager(self) -> RoomLockManager:
        """The per-room lock backend."""
        return self._locks

    @property
    def channels(self) -> dict[str, Channel]:
        """The registered channels by id (a copy)."""
        return dict(self._channels)

    @property
    def max_chain_depth(self) -> int:
        """Maximum reentry chain depth."""
        return self._pipeline.max_chain_depth

    # -- channels and rooms --------------------------------------------------------------

    def register_channel(self, channel: Channel) -> None:
        """Make ``channel`` available to rooms of this kit."""
        self._ops.register_channel(channel, self)

    def get_channel(self, channel_id: str) -> Channel:
        """A registered channel. Raises ChannelNotRegisteredError."""
        return self._ops.channel(channel_id)

    async def create_room(
        self,
        room_id: str | None = None,
        *,
        organization_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Room:
        """Create a room. Raises RoomExistsError when the id is taken."""
        self._check_open()
        return await self._ops.create_room(room_id, organization_id, metadata)

    async def get_room(self, room_id: str) -> Room:
        """A room by id. Raises RoomNotFoundError."""
        return await self._ops.get_room(room_id)

    async def close_room(self, room_id: str) -> Room:
        """Close a room: it keeps its history and takes no new events."""
        return await self._ops.close_room(room_id)

    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything in it. Returns True if it existed."""
        return await self._ops.delete_room(room_id)

    async def attach_channel(
        self,
        room_id: str,
        channel_id: str,
        *,
        access: Access = Access.READ_WRITE,
        visibility: str = "all",
        muted: bool = False,
        participant_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ChannelBinding:
        """Bind a registered channel to a room."""
        self._check_open()
        return await self._ops.attach(
            room_id, channel_id, access, visibility, muted, participant_id, metadata
        )

    async def detach_channel(self, room_id: str, channel_id: str) -> None:
        """Unbind a channel from a room. Raises ChannelNotFoundError when not attached."""
        await self._ops.detach(room_id, channel_id)

    async def mute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """The channel keeps receiving but what it sends is dropped."""
        return await self._ops.update_binding(room_id, channel_id, "channel_muted", muted=True)

    async def unmute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Let a muted channel speak again."""
        return await self._ops.update_binding(room_id, channel_id, "channel_unmuted", muted=False)

    async def set_access(self, room_id: str, channel_id: str, access: Access) -> ChannelBinding:
        """Change what a channel may do in a room."""
        return await self._ops.update_binding(
            room_id, channel_id, "channel_updated", access=Access(access)
        )

    async def set_visibility(
        self, room_id: str, channel_id: str, visibility: str
    ) -> ChannelBinding:
        """Change which events reach a channel's binding."""
        return await self._ops.update_binding(
            room_id, channel_id, "channel_updated", visibility=visibility
        )

    # -- events --------------------------------------------------------------------------

    async def process_inbound(
        self, message: InboundMessage, *, room_id: str | None = None
    ) -> InboundResult:
        """Run an inbound message through identity, routing, the lock, hooks, the store
        and the broadcast. An explicit ``room_id`` bypasses the router."""
        self._check_open()
        return await self._pipeline.process_inbound(message, room_id)

    async def send_event(
        self,
        room_id: str,
        channel_id: str,
        content: EventContent,
        event_type: EventType = EventType.MESSAGE,
        chain_depth: int = 0,
        *,
        visibility: str = "all",
        metadata: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> RoomEvent:
        """Send an event directly into a room from a channel; returns the stored event."""
        self._check_open()
        event, context = await self._ops.outbound_event(
            room_id,
            channel_id,
            content,
            event_type,
            chain_depth,
            visibility,
            metadata,
            idempotency_key,
        )
        result = await self._pipeline.process_event(event, context)
        assert result.event is not None
        return result.event

    async def get_timeline(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
    ) -> list[RoomEvent]:
        """Query the event timeline for a room."""
        return await self._ops.timeline(room_id, offset, limit, visibility_filter)

    async def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        """List tasks for a room, optionally filtered by status."""
        return await self._store.list_tasks(room_id, status=status)

    async def list_observations(self, room_id: str) -> list[Observation]:
        """List observations for a room."""
        return await self._store.list_observations(room_id)

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        """Mark an event (and everything before it) as read for a channel."""
        await self._ops.mark_read(room_id, channel_id, event_id)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        """Mark all events as read for a channel."""
        await self._ops.mark_all_read(room_id, channel_id)

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        """How many events of the room the channel has not read."""
        return await self._ops.unread_count(room_id, channel_id)

    # -- websocket connections -----------------------------------------------------------

    async def connect_websocket(self, channel_id: str, connection_id: str, send_fn: SendFn) -> None:
        """Register a WebSocket connection and emit framework event."""
        await self._websockets.connect(channel_id, connection_id, send_fn)

    async def disconnect_websocket(self, channel_id: str, connection_id: str) -> None:
        """Unregister a WebSocket connection and emit framework event."""
        await self._websockets.disconnect(channel_id, connection_id)

    # -- ephemeral events ----------------------------------------------------------------

    async def publish_typing(self, room_id: str, user_id: str, is_typing: bool = True) -> None:
        """Publish a typing indicator for a user in a room."""
        await self._ephemeral.typing(room_id, user_id, is_typing)

    async def publish_presence(self, room_id: str, user_id: str, status: str) -> None:
        """Publish a presence update: ``status`` is "online", "away" or "offline"."""
        await self._ephemeral.presence(room_id, user_id, status)

    async def publish_read_receipt(self, room_id: str, user_id: str, event_id: str) -> None:
        """Publish a read receipt for a user in a room."""
        await self._ephemeral.read_receipt(room_id, user_id, event_id)

    async def subscribe_room(self, room_id: str, callback: EphemeralCallback) -> str:
        """Subscribe to ephemeral events for a room; returns a subscription id."""
        return await self._realtime.subscribe(room_id, callback)

    async def unsubscribe_room(self, subscription_id: str) -> bool:
        """Unsubscribe from ephemeral events. True if the subscription existed."""
        return await self._realtime.unsubscribe(subscription_id)

    # -- hooks and framework events ------------------------------------------------------

    def hook(
        self,
        trigger: HookTrigger,
        execution: HookExecution = HookExecution.SYNC,
        priority: int = 0,
        name: str = "",
        timeout: float = 30.0,
        channel_types: set[ChannelType] | None = None,
        channel_ids: set[str] | None = None,
        directions: set[ChannelDirection] | None = None,
        *,
        fail_closed: bool = False,
    ) -> Callable[[F], F]:
        """Decorator to register a global hook."""

        def register(fn: F) -> F:
            self._hooks.register(
                HookRegistration(
                    trigger=HookTrigger(trigger),
                    fn=fn,
                    execution=HookExecution(execution),
                    priority=priority,
                    name=name,
                    timeout=timeout,
                    channel_types=freeze(channel_types),
                    channel_ids=freeze(channel_ids),
                    directions=freeze(directions),
                    fail_closed=fail_closed,
                )
            )
            return fn

        return register

    def on(self, event_type: str) -> Callable[[F], F]:
        """Decorator to register a framework event handler filtered by type."""

        def register(fn: F) -> F:
            self._bus.add(event_type, fn)
            return fn

        return register

    def add_framework_handler(self, event_type: str, handler: FrameworkHandler) -> None:
        """Register a framework event handler without the decorator."""
        self._bus.add(event_type, handler)

    def identity_hook(
        self,
        trigger: HookTrigger,
        channel_types: set[ChannelType] | None = None,
        channel_ids: set[str] | None = None,
        directions: set[ChannelDirection] | None = None,
    ) -> Callable[[F], F]:
        """Decorator to register an identity-resolution hook.

        The decorated function receives ``(event, context, id_result)`` and returns an
        IdentityHookResult or None.
        """
        trigger = HookTrigger(trigger)
        if trigger not in (HookTrigger.ON_IDENTITY_AMBIGUOUS, HookTrigger.ON_IDENTITY_UNKNOWN):
            raise ValueError(
                f"identity hooks fire on ON_IDENTITY_AMBIGUOUS or ON_IDENTITY_UNKNOWN, "
                f"not {trigger.name}"
            )

        def register(fn: F) -> F:
            self._identity.hooks.append(
                HookRegistration(
                    trigger=trigger,
                    fn=fn,
                    channel_types=freeze(channel_types),
                    channel_ids=freeze(channel_ids),
                    directions=freeze(directions),
                )
            )
            return fn

        return register

    def add_room_hook(
        self,
        room_id: str,
        trigger: HookTrigger,
        execution: HookExecution,
        fn: HookFn,
        priority: int = 0,
        name: str = "",
        *,
        timeout: float = 30.0,
    ) -> None:
        """Add a hook for a specific room."""
        self._hooks.add_room_hook(
            room_id,
            HookRegistration(
                trigger=HookTrigger(trigger),
                fn=fn,
                execution=HookExecution(execution),
                priority=priority,
                name=name,
                timeout=timeout,
            ),
        )

    def remove_room_hook(self, room_id: str, name: str) -> bool:
        """Remove a room hook by name. Returns True if one was removed."""
        return self._hooks.remove_room_hook(room_id, name)

    # -- lifecycle -----------------------------------------------------------------------

    async def close(self) -> None:
        """Wait for running async hooks, then close channels and backends. Idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._hooks.close()
        for channel in list(self._channels.values()):
            await channel.close()
        await self._realtime.close()
        await self._locks.close()
        await self._store.close()

    async def __aenter__(self) -> RoomKit:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise KitClosedError()
