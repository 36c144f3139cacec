"""RoomDirectory — a small per-process cache of each room's state, and RoomContext building.

Reading a room, its bindings, participants and newest events from the store for every
message would dominate the pipeline on a SQL backend, so the directory keeps them for
``ttl`` seconds (and at most ``max_rooms`` rooms). Changes made through this kit (attach,
detach, mute, access, visibility, close) invalidate the entry at once, and — when the realtime
backend is shared between processes (not ``InMemoryRealtime``) — in every other process too:
:meth:`RoomDirectory.changed` publishes the room's id on :data:`CHANGES_ROOM`, which each
directory watches from its first use. A state being read from the store while an
invalidation arrives is not cached, so an invalidation is never undone by a slower read.
If the backend is down the invalidation is only logged, and ``ttl`` bounds the staleness.

The window of newest events is read once and then kept current by :meth:`record`, which the
pipeline calls with every event it stores. An event whose index does not follow the window's
last one (another process or a direct store write got in between) drops the window, and
the next context reads it again, so a window is never missing an event in its middle.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from roomkit._window import WindowCopier
from roomkit.broadcast.plan import Plan, plan
from roomkit.channels.base import Channel
from roomkit.errors import RoomKitError, RoomNotFoundError
from roomkit.models._base import updated
from roomkit.models.binding import ChannelBinding
from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import Room, RoomContext
from roomkit.realtime.base import RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.store.base import ConversationStore

logger = logging.getLogger(__name__)

CHANGES_ROOM = "roomkit:room-changes"
"""The realtime room on which directories tell each other which room's state changed."""
_RESUBSCRIBE_AFTER = 5.0  # seconds between two attempts to watch CHANGES_ROOM


@dataclass(slots=True)
class RoomState:
    """A room as the pipeline sees it."""

    room: Room
    bindings: list[ChannelBinding]
    participants: list[Participant]
    loaded_at: float
    context: RoomContext  # without recent events
    # Fan-out plans by (source channel, visibility, number of registered channels): the
    # same sender in the same room reaches the same targets until the state is reloaded.
    plans: dict[tuple[str, str, int], Plan] = field(default_factory=dict)
    # The newest events, oldest first; None until read from the store.
    recent: deque[RoomEvent] | None = None

    def plan(self, event: RoomEvent, channels: dict[str, Channel]) -> Plan:
        """Who receives ``event`` (see broadcast.plan), computed once per sender."""
        key = (event.source.channel_id, event.visibility, len(channels))
        found = self.plans.get(key)
        if found is None:
            found = self.plans[key] = plan(event, self.bindings, channels)
        return found

    def binding(self, channel_id: str) -> ChannelBinding | None:
        for binding in self.bindings:
            if binding.channel_id == channel_id:
                return binding
        return None


class RoomDirectory:
    """Cached room state and context building for the pipeline."""

    def __init__(
        self,
        store: ConversationStore,
        *,
        realtime: RealtimeBackend | None = None,
        ttl: float = 5.0,
        max_rooms: int = 1024,
        recent_events: int = 50,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._max_rooms = max_rooms
        self._recent = recent_events
        self._cache: OrderedDict[str, RoomState] = OrderedDict()
        self._copier = WindowCopier()
        # Other processes are told of changes only through a backend they share.
        shared = realtime is not None and not isinstance(realtime, InMemoryRealtime)
        self._realtime = realtime if shared else None
        self._origin = uuid.uuid4().hex
        self._generation = 0  # bumped by every invalidation
        self._watch_after = 0.0  # when to (re)try watching CHANGES_ROOM; inf once watching

    async def state(self, room_id: str) -> RoomState:
        """The room's state, from the cache when fresh.

        Raises:
            RoomNotFoundError: no such room.
        """
        state = self._cache.get(room_id)
        now = time.monotonic()
        if state is not None and now - state.loaded_at < self._ttl:
            self._cache.move_to_end(room_id)
            return state
        if now >= self._watch_after:
            await self._watch(now)
        generation = self._generation
        state = await self._load(room_id, now)
        if generation == self._generation:  # no invalidation arrived while reading
            self._cache[room_id] = state
            if len(self._cache) > self._max_rooms:
                self._cache.popitem(last=False)
        return state

    def invalidate(self, room_id: str) -> None:
        """Forget the cached state of a room, in this process only."""
        self._generation += 1
        self._cache.pop(room_id, None)

    async def changed(self, room_id: str) -> None:
        """The room's state changed through this kit: forget it here and in every process
        that shares the realtime backend. Never raises for a backend that is down."""
        self.invalidate(room_id)
        if self._realtime is None:
            return
        event = EphemeralEvent(
            room_id=CHANGES_ROOM,
            type=EphemeralEventType.CUSTOM,
            user_id="",
            data={"room": room_id, "origin": self._origin},
        )
        try:
            await self._realtime.publish_to_room(CHANGES_ROOM, event)
        except RoomKitError as exc:
            logger.warning("other processes see room %r change within %gs: %s", room_id,
                           self._ttl, exc)  # fmt: skip

    async def _watch(self, now: float) -> None:
        if self._realtime is None:
            self._watch_after = float("inf")
            return
        self._watch_after = now + _RESUBSCRIBE_AFTER  # one attempt at a time
        try:
            await self._realtime.subscribe_to_room(CHANGES_ROOM, self._on_change)
        except RoomKitError as exc:
            logger.warning("not watching other processes' room changes yet: %s", exc)
            return
        self._watch_after = float("inf")

    async def _on_change(self, event: EphemeralEvent) -> None:
        if event.data.get("origin") != self._origin:
            self.invalidate(str(event.data.get("room")))

    async def context(self, room_id: str) -> RoomContext:
        """The context handed to channels and hooks.

        ``recent_events`` holds the room's newest events (at most ``recent_events`` of
        them), oldest first.
        """
        state = await self.state(room_id)
        recent = state.recent
        if recent is None:
            recent = state.recent = await self._read_recent(room_id)
        if not recent:
            return state.context
        return updated(state.context, recent_events=list(recent))

    def record(self, event: RoomEvent) -> None:
        """Add an event this kit has just stored to its room's window of newest events."""
        state = self._cache.get(event.room_id)
        if state is None or state.recent is None:
            return
        last = state.recent[-1].index if state.recent else 0
        if event.index == last + 1:
            state.recent.append(self._copier.copy(event))
        else:
            state.recent = None

    async def _read_recent(self, room_id: str) -> deque[RoomEvent]:
        count = await self._store.get_event_count(room_id)
        newest = await self._store.list_events(
            room_id, offset=max(0, count - self._recent), limit=self._recent
        )
        # Copied: a store may hand out what it holds.
        return deque(map(self._copier.copy, newest), maxlen=self._recent)

    async def _load(self, room_id: str, now: float) -> RoomState:
        room = await self._store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(room_id)
        bindings = await self._store.list_bindings(room_id)
        participants = await self._store.list_participants(room_id)
        context = RoomContext.model_construct(
            room=room, bindings=bindings, participants=participants, recent_events=[]
        )
        return RoomState(
            room=room,
            bindings=bindings,
            participants=participants,
            loaded_at=now,
            context=context,
        )
