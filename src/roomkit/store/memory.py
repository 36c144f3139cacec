"""InMemoryStore — dicts and per-room lists, for development, tests and single processes.

Rooms, bindings and events — what a busy process holds by the hundred thousand — are kept
as compact records (see ``_compact``): a tuple of the values that differ from one model to
the next, tagged with an interned shape that holds the class, the fields-set and the values
that repeat. A stored event costs about 400 bytes with its id, text and timestamp, where
its three pydantic models cost about 3 KB. Models are built from the records on the way
out, each a new, independent value equal to what was stored; ``add_event`` returns its own
copy, sharing nothing with the record either.

Events are kept in a list per room addressed by index (index ``i`` at position ``i - 1``),
so a timeline page without a visibility filter is one slice whatever the room's size, and
only the events on the page are built. Participants, identities, tasks and observations
are few; they are kept as models and copied on the way in and out.
"""

from __future__ import annotations

import bisect
from typing import Any, TypeVar

from pydantic import BaseModel

from roomkit.errors import (
    ChannelAlreadyAttachedError,
    ChannelNotFoundError,
    EventNotFoundError,
    RoomExistsError,
    RoomNotFoundError,
    StoreError,
)
from roomkit.models._base import updated
from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import ChannelType, RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.identity import Identity
from roomkit.models.participant import Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.store._compact import Packers, Record
from roomkit.store._memory_records import MemoryRecords, copy_model
from roomkit.store._paging import check_page
from roomkit.store.base import ConversationStore

M = TypeVar("M", bound=BaseModel)


class _RoomData:
    """Everything stored for one room: the room, its events and bindings as records, by
    index and by channel id. Dicts are created on first use to keep rooms small."""

    __slots__ = ("room", "events", "bindings", "participants", "keys", "read", "seq")

    def __init__(self, room: Record, seq: int) -> None:
        self.room = room
        self.seq = seq  # creation order, for "most recent" queries
        self.events: list[Record] = []
        self.bindings: dict[str, Record] = {}
        self.participants: dict[str, Participant] | None = None
        self.keys: dict[str, Record] | None = None  # idempotency key -> event
        self.read: dict[str, int] | None = None


class InMemoryStore(ConversationStore):
    """Dict-based in-memory store for development and testing."""

    def __init__(self) -> None:
        self._rooms: dict[str, _RoomData] = {}
        self._events: dict[str, Record] = {}
        self._packers = Packers()
        self._channel_rooms: dict[str, list[str]] = {}
        self._records = MemoryRecords()
        self._seq = 0

    # -- rooms ---------------------------------------------------------------------------

    async def create_room(self, room: Room) -> Room:
        if room.id in self._rooms:
            raise RoomExistsError(room.id)
        self._seq += 1
        data = self._rooms[room.id] = _RoomData(self._packers.record(room), self._seq)
        return self._packers.build(data.room, Room)

    async def get_room(self, room_id: str) -> Room | None:
        data = self._rooms.get(room_id)
        return None if data is None else self._packers.build(data.room, Room)

    async def update_room(self, room: Room) -> Room:
        data = self._data(room.id)
        data.room = self._packers.record(room)
        return self._packers.build(data.room, Room)

    async def delete_room(self, room_id: str) -> bool:
        data = self._rooms.pop(room_id, None)
        if data is None:
            return False
        for event in data.events:
            self._events.pop(self._read(event, "id"), None)
        for channel_id in data.bindings:
            self._channel_rooms[channel_id].remove(room_id)
        self._records.forget_room(room_id)
        return True

    async def list_rooms(self, offset: int = 0, limit: int = 50) -> list[Room]:
        check_page(offset, limit)
        ordered = sorted(self._rooms.values(), key=self._created)
        return [self._packers.build(d.room, Room) for d in ordered[offset : offset + limit]]

    async def find_rooms(
        self,
        organization_id: str | None = None,
        status: RoomStatus | None = None,
        metadata_filter: dict[str, Any] | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Room]:
        check_page(offset, limit)
        found = [
            d
            for d in sorted(self._rooms.values(), key=self._created)
            if (organization_id is None or self._read(d.room, "organization_id") == organization_id)
            and (status is None or self._read(d.room, "status") == status)
            and _matches(self._read(d.room, "metadata"), metadata_filter)
        ]
        return [self._packers.build(d.room, Room) for d in found[offset : offset + limit]]

    async def find_latest_room(
        self,
        participant_id: str,
        channel_type: ChannelType | None = None,
        status: RoomStatus | None = None,
    ) -> Room | None:
        best: _RoomData | None = None
        for data in self._rooms.values():
            participant = (data.participants or {}).get(participant_id)
            if participant is None or (
                status is not None and self._read(data.room, "status") != status
            ):
                continue
            if channel_type is not None:
                binding = data.bindings.get(participant.channel_id)
                if binding is None or self._read(binding, "channel_type") != channel_type:
                    continue
            if best is None or self._creation_order(data) > self._creation_order(best):
                best = data
        return None if best is None else self._packers.build(best.room, Room)

    async def find_room_id_by_channel(
        self, channel_id: str, status: RoomStatus | None = None
    ) -> str | None:
        for room_id in reversed(self._channel_rooms.get(channel_id, ())):
            if status is None or self._read(self._rooms[room_id].room, "status") == status:
                return room_id
        return None

    # -- events --------------------------------------------------------------------------

    async def add_event(self, event: RoomEvent) -> RoomEvent:
        data = self._data(event.room_id)
        key = event.idempotency_key
        if key is not None:
            if data.keys is None:
                data.keys = {}
            original = data.keys.get(key)
            if original is not None:
                return self._packers.build(original, RoomEvent)
        # The caller keeps what is returned (the pipeline broadcasts it); the record holds
        # copies of its containers, so neither can change the other.
        stored = updated(event, index=len(data.events) + 1)
        record = self._packers.event_record(stored)
        data.events.append(record)
        self._events[stored.id] = record
        if key is not None:
            assert data.keys is not None
            data.keys[key] = record
        return stored

    async def get_event(self, event_id: str) -> RoomEvent | None:
        record = self._events.get(event_id)
        return None if record is None else self._packers.build(record, RoomEvent)

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        old = self._events.get(event.id)
        if old is None:
            raise EventNotFoundError(event.id)
        room_id, index = self._read(old, "room_id"), self._read(old, "index")
        key = self._read(old, "idempotency_key")
        stored = updated(event, room_id=room_id, index=index, idempotency_key=key)
        record = self._packers.event_record(stored)
        data = self._rooms[room_id]
        data.events[index - 1] = self._events[stored.id] = record
        if key is not None and data.keys is not None:
            data.keys[key] = record
        return stored

    async def list_events(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
    ) -> list[RoomEvent]:
        check_page(offset, limit)
        data = self._rooms.get(room_id)
        if data is None:
            return []
        if visibility_filter is None:
            return self._packers.build_all(data.events[offset : offset + limit])
        matching = (r for r in data.events if self._read(r, "visibility") == visibility_filter)
        page: list[RoomEvent] = []
        for position, record in enumerate(matching):
            if position >= offset + limit:
                break
            if position >= offset:
                page.append(self._packers.build(record, RoomEvent))
        return page

    async def check_idempotency(self, room_id: str, key: str) -> bool:
        data = self._rooms.get(room_id)
        return data is not None and data.keys is not None and key in data.keys

    async def find_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        data = self._rooms.get(room_id)
        found = None if data is None or data.keys is None else data.keys.get(key)
        return None if found is None else self._packers.build(found, RoomEvent)

    async def get_event_count(self, room_id: str) -> int:
        data = self._rooms.get(room_id)
        return 0 if data is None else len(data.events)

    # -- bindings ------------------------------------------------------------------------

    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        data = self._data(binding.room_id)
        if binding.channel_id in data.bindings:
            raise ChannelAlreadyAttachedError(binding.room_id, binding.channel_id)
        record = data.bindings[binding.channel_id] = self._packers.record(binding)
        # Kept in creation order of the rooms, so the newest room bound is found first.
        rooms = self._channel_rooms.setdefault(binding.channel_id, [])
        bisect.insort(rooms, binding.room_id, key=lambda r: self._creation_order(self._rooms[r]))
        return self._packers.build(record, ChannelBinding)

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        data = self._rooms.get(room_id)
        binding = None if data is None else data.bindings.get(channel_id)
        return None if binding is None else self._packers.build(binding, ChannelBinding)

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        data = self._rooms.get(binding.room_id)
        if data is None or binding.channel_id not in data.bindings:
            raise ChannelNotFoundError(binding.room_id, binding.channel_id)
        record = data.bindings[binding.channel_id] = self._packers.record(binding)
        return self._packers.build(record, ChannelBinding)

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        data = self._rooms.get(room_id)
        if data is None or data.bindings.pop(channel_id, None) is None:
            return False
        self._channel_rooms[channel_id].remove(room_id)
        if data.read is not None:
            data.read.pop(channel_id, None)
        return True

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        data = self._rooms.get(room_id)
        if data is None:
            return []
        return [self._packers.build(b, ChannelBinding) for b in data.bindings.values()]

    # -- participants --------------------------------------------------------------------

    async def add_participant(self, participant: Participant) -> Participant:
        data = self._data(participant.room_id)
        if data.participants is None:
            data.participants = {}
        data.participants[participant.id] = copy_model(participant)
        return copy_model(participant)

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        data = self._rooms.get(room_id)
        found = None if data is None else (data.participants or {}).get(participant_id)
        return None if found is None else copy_model(found)

    async def update_participant(self, participant: Participant) -> Participant:
        data = self._rooms.get(participant.room_id)
        if data is None or participant.id not in (data.participants or {}):
            raise StoreError(
                f"participant {participant.id!r} is not in room {participant.room_id!r}"
            )
        assert data.participants is not None
        data.participants[participant.id] = copy_model(participant)
        return copy_model(participant)

    async def list_participants(self, room_id: str) -> list[Participant]:
        data = self._rooms.get(room_id)
        if data is None or data.participants is None:
            return []
        return [copy_model(p) for p in data.participants.values()]

    # -- identities, tasks and observations (kept by MemoryRecords) ----------------------

    async def create_identity(self, identity: Identity) -> Identity:
        return self._records.create_identity(identity)

    async def get_identity(self, identity_id: str) -> Identity | None:
        return self._records.get_identity(identity_id)

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        return self._records.resolve_identity(channel_type, address)

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> None:
        self._records.link_address(identity_id, channel_type, address)

    async def add_task(self, task: Task) -> Task:
        return self._records.add_task(task)

    async def get_task(self, task_id: str) -> Task | None:
        return self._records.get_task(task_id)

    async def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        return self._records.list_tasks(room_id, status)

    async def update_task(self, task: Task) -> Task:
        return self._records.update_task(task)

    async def add_observation(self, observation: Observation) -> Observation:
        return self._records.add_observation(observation)

    async def list_observations(self, room_id: str) -> list[Observation]:
        return self._records.list_observations(room_id)

    # -- read tracking -------------------------------------------------------------------

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        data = self._data(room_id)
        event = self._events.get(event_id)
        if event is None or self._read(event, "room_id") != room_id:
            raise EventNotFoundError(event_id, room_id)
        self._set_watermark(data, channel_id, self._read(event, "index"))

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        data = self._data(room_id)
        self._set_watermark(data, channel_id, len(data.events))

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        data = self._rooms.get(room_id)
        if data is None:
            return 0
        return max(0, len(data.events) - (data.read or {}).get(channel_id, 0))

    # -- internals -----------------------------------------------------------------------

    def _read(self, record: Record, name: str) -> Any:
        return self._packers.read(record, name)

    def _created(self, data: _RoomData) -> tuple[Any, str]:
        """A room's place in creation order: (created_at, id)."""
        return (self._read(data.room, "created_at"), self._read(data.room, "id"))

    def _creation_order(self, data: _RoomData) -> tuple[Any, int]:
        """Where a room stands among rooms by creation: (created_at, insertion number)."""
        return (self._read(data.room, "created_at"), data.seq)

    def _data(self, room_id: str) -> _RoomData:
        data = self._rooms.get(room_id)
        if data is None:
            raise RoomNotFoundError(room_id)
        return data

    @staticmethod
    def _set_watermark(data: _RoomData, channel_id: str, index: int) -> None:
        if data.read is None:
            data.read = {}
        data.read[channel_id] = max(index, data.read.get(channel_id, 0))


def _matches(metadata: dict[str, Any], wanted: dict[str, Any] | None) -> bool:
    return wanted is None or all(k in metadata and metadata[k] == v for k, v in wanted.items())
