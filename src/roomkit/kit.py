"""RoomKit — the façade. It wires the collaborators and hands each call to one of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from roomkit.admin import RoomOps, SendFn, WebSocketOps
from roomkit.admission import InboundRateLimiter
from roomkit.broadcast.deliver import Deliverer
from roomkit.broadcast.transcode import DefaultContentTranscoder
from roomkit.channels.base import Channel
from roomkit.channels.streaming import StreamSendFn
from roomkit.errors import InvalidArgumentError, KitClosedError
from roomkit.framework_events import FrameworkEventBus, FrameworkHandler
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookFn, HookRegistration, freeze
from roomkit.hooks.registrar import execution_of, hook_decorator, identity_decorator, trigger_of
from roomkit.identity.base import IdentityResolver
from roomkit.identity.step import IdentityStep
from roomkit.inbound import Pipeline
from roomkit.layers import kept
from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager
from roomkit.locks.reentrant import ReentrantLocks
from roomkit.models.content import EventContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    EventType,
    HookExecution,
    HookTrigger,
)
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage, InboundResult
from roomkit.models.policy import RateLimit
from roomkit.participants import ParticipantOps
from roomkit.providers.sms.meta import WebhookMeta
from roomkit.realtime.base import RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.reporting import DeliveryStatusHandler, DeliveryStatusHandlers, Reporting
from roomkit.room_admin import RoomAdmin
from roomkit.rooms import RoomDirectory
from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore
from roomkit.timers import RoomTimekeeper

F = TypeVar("F", bound=Callable[..., Any])
D = TypeVar("D", bound=DeliveryStatusHandler)


class RoomKit(RoomAdmin):
    """Central orchestrator tying rooms, channels, hooks, and storage.

    Args:
        store: Persistent storage backend (default InMemoryStore).
        identity_resolver: Optional resolver for identifying inbound senders.
        identity_channel_types: Resolve identities on these channel types only (None: all).
        inbound_router: Routes inbound messages to rooms (default DefaultInboundRoomRouter).
        lock_manager: Per-room locking backend (default InMemoryLockManager).
        realtime: Backend for ephemeral events (default InMemoryRealtime).
        max_chain_depth: Maximum reentry chain depth to prevent infinite loops.
        identity_timeout: Timeout in seconds for identity resolution calls.
        process_timeout: Timeout in seconds for the locked processing phase.
        stt, tts, voice, task_runner, delivery_strategy, telemetry: the voice layer's
            providers and backend, the agent layer's task runner and delivery strategy, and
            the telemetry configuration: kept and shown by the properties of the same
            names; nothing in the kit calls them until those layers are part of roomkit.
        inbound_rate_limit: at most this many inbound messages per channel in each window
            the RateLimit sets; ``process_inbound`` answers a message beyond it with
            ``InboundResult(blocked=True, reason="rate_limited")``, stores nothing and emits
            ``inbound_rate_limited``. None (the default): no limit, and no cost.

    A hook or channel holding a room's lock may send into that room, also from tasks it
    starts (``asyncio.gather``): they enter the lock their holder holds.
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
        stt: Any | None = None,
        tts: Any | None = None,
        voice: Any | None = None,
        task_runner: Any | None = None,
        delivery_strategy: Any | None = None,
        telemetry: Any | None = None,
        inbound_rate_limit: RateLimit | None = None,
    ) -> None:
        if max_chain_depth < 0:
            raise InvalidArgumentError("max_chain_depth", max_chain_depth, "an integer >= 0")
        if identity_timeout <= 0:
            raise InvalidArgumentError("identity_timeout", identity_timeout, "seconds > 0")
        if process_timeout <= 0:
            raise InvalidArgumentError("process_timeout", process_timeout, "seconds > 0")
        self._store = store if store is not None else InMemoryStore()
        self._realtime = realtime if realtime is not None else InMemoryRealtime()
        self._locks = lock_manager if lock_manager is not None else InMemoryLockManager()
        self._stt, self._tts, self._voice, self._telemetry = stt, tts, voice, telemetry
        self._task_runner, self._delivery_strategy = task_runner, delivery_strategy
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
        self._timers = RoomTimekeeper(self._store, self._ops)
        self._pipeline = Pipeline(
            store=self._store,
            channels=self._channels,
            rooms=self._rooms,
            router=inbound_router or DefaultInboundRoomRouter(self._store),
            create_room_for=self._ops.create_room_for,
            identity=self._identity,
            locks=ReentrantLocks(self._locks),
            hooks=self._hooks,
            deliverer=Deliverer(
                DefaultContentTranscoder(), process_timeout, self._report.delivery_failed
            ),
            bus=self._bus,
            max_chain_depth=max_chain_depth,
            process_timeout=process_timeout,
            limiter=InboundRateLimiter(inbound_rate_limit) if inbound_rate_limit else None,
            timekeeper=self._timers,
        )
        super().__init__(
            self._store,
            self._ops,
            ParticipantOps(self._store, self._rooms),
            self._timers,
            self._realtime,
            self._check_open,
        )
        self._statuses = DeliveryStatusHandlers(self._bus, self._hooks, self._rooms)
        self._websockets = WebSocketOps(self._channels, self._bus)
        self._closed = False

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

    stt = kept("stt", "The speech-to-text provider given to the constructor.")
    tts = kept("tts", "The text-to-speech provider given to the constructor.")
    voice = kept("voice", "The voice backend given to the constructor.")
    task_runner = kept("task_runner", "The task runner given to the constructor.")
    delivery_strategy = kept("delivery_strategy", "The delivery strategy given to the constructor.")
    telemetry = kept("telemetry", "The telemetry configuration given to the constructor.")

    @property
    def max_chain_depth(self) -> int:
        """Maximum reentry chain depth."""
        return self._pipeline.max_chain_depth

    # -- channels and rooms --------------------------------------------------------------

    def register_channel(self, channel: Channel) -> None:
        """Make ``channel`` available to rooms of this kit."""
        self._ops.register_channel(channel, self)

    def get_channel(self, channel_id: str) -> Channel | None:
        """A registered channel, or None when no channel has that id."""
        return self._channels.get(channel_id)

    def list_channels(self) -> list[Channel]:
        """Every registered channel, in registration order."""
        return list(self._channels.values())

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
        participant_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        visibility: str = "all",
        provider: str | None = None,
        response_visibility: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> RoomEvent:
        """Send an event into a room from an attached channel; returns the stored event.

        ``participant_id`` names the sender (default: the binding's participant),
        ``provider`` the provider on the event's source; ``response_visibility`` is kept on
        the event for the channels that answer it.

        Raises InvalidMessageError when ``content`` or ``metadata`` cannot be stored.
        """
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
            participant_id=participant_id,
            provider=provider,
            response_visibility=response_visibility,
        )
        result = await self._pipeline.process_event(event, context)
        assert result.event is not None
        return result.event

    async def connect_websocket(
        self,
        channel_id: str,
        connection_id: str,
        send_fn: SendFn,
        *,
        stream_send_fn: StreamSendFn | None = None,
    ) -> None:
        """Register a WebSocket connection (and its stream sender) and emit framework event."""
        await self._websockets.connect(channel_id, connection_id, send_fn, stream_send_fn)

    async def disconnect_websocket(self, channel_id: str, connection_id: str) -> None:
        """Unregister a WebSocket connection and emit framework event."""
        await self._websockets.disconnect(channel_id, connection_id)

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
        """Decorator to register a global hook, called as ``fn(event, context)``.

        Raises HookRegistrationError when written without a trigger (``@kit.hook`` alone)
        or, at decoration, when the function cannot take ``(event, context)``.
        """
        return hook_decorator(
            self._hooks,
            trigger=trigger_of(trigger, "kit.hook"),
            execution=execution_of(execution),
            priority=priority,
            name=name,
            timeout=timeout,
            channel_types=freeze(channel_types),
            channel_ids=freeze(channel_ids),
            directions=freeze(directions),
            fail_closed=fail_closed,
        )

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
        return identity_decorator(
            self._identity.hooks, trigger, channel_types, channel_ids, directions
        )

    def on_delivery_status(self, fn: D) -> D:
        """Decorator: ``fn(status)`` (sync or async) runs for every processed DeliveryStatus."""
        self._statuses.add(fn)
        return fn

    async def process_delivery_status(self, status: DeliveryStatus) -> None:
        """Report a provider's delivery status: runs the ``on_delivery_status`` handlers,
        emits ``delivery_status`` and runs the room's ON_DELIVERY_STATUS hooks."""
        await self._statuses.process(status)

    async def process_webhook(self, meta: WebhookMeta, channel_id: str) -> None:
        """A verified SMS webhook (``extract_sms_meta``): a message to ``process_inbound``
        on ``channel_id``, a status to ``process_delivery_status``."""
        if meta.is_inbound:
            await self.process_inbound(meta.to_inbound(channel_id))
        else:
            await self.process_delivery_status(
                meta.to_status().model_copy(update={"channel_id": channel_id})
            )

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
                trigger=trigger_of(trigger, "kit.add_room_hook"),
                execution=execution_of(execution),
                fn=fn,
                priority=priority,
                name=name,
                timeout=timeout,
            ),
        )

    def remove_room_hook(self, room_id: str, name: str) -> bool:
        """Remove a room hook by name. Returns True if one was removed."""
        return self._hooks.remove_room_hook(room_id, name)

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

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise KitClosedError()
