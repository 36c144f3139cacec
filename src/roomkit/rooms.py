"""RoomDirectory — a small per-process cache of each room's state, and RoomContext building.

Reading a room, its bindings, participants and newest events from the store for every
message would dominate the pipeline on a SQL backend, so the directory keeps them for
``ttl`` seconds (and at most ``max_rooms`` rooms). Changes made through this kit invalidate
the entry at once; changes made by another process are seen within ``ttl``.

The window of newest events is read once and then kept current by :meth:`record`, which the
pipeline calls with every event it stores. An event whose index does not follow the window's
last one (another process or a direct store write got in between) drops the window, and
the next context reads it again, so a window is never missing an event in its middle.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from roomkit._window import WindowCopier
from roomkit.broadcast.plan import Plan, plan
from roomkit.channels.base import Channel
from roomkit.errors import RoomNotFoundError
from roomkit.models._base import updated
from roomkit.models.binding import ChannelBinding
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import Room, RoomContext
from roomkit.store.base import ConversationStore


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
        state = await self._load(room_id, now)
        self._cache[room_id] = state
        if len(self._cache) > self._max_rooms:
            self._cache.popitem(last=False)
        return state

    def invalidate(self, room_id: str) -> None:
        """Forget the cached state of a room (after changing it)."""
        self._cache.pop(room_id, None)

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
