"""SQLStore — the ConversationStore contract in SQL, over a small driver.

One implementation of every query serves SQLite and PostgreSQL: the statements are
written with ``?`` placeholders in the SQL both engines share, and a driver
(:mod:`roomkit.store.sqlite`, :mod:`roomkit.store.postgres`) runs them. Only the event
insert, and so where a room's last index is read, differs, since that is where each
engine keeps per-room order its own way:

* PostgreSQL moves the room's ``last_index`` and inserts the event in one statement; the
  row lock on the room serialises writers to one room, even across processes, and a
  failed insert rolls the index back, so there are never gaps.
* SQLite has one writer at a time (a write statement takes the file's write lock before
  it reads), so its insert reads the room's highest index and adds one, in the same
  statement. The rooms row is not written, which saves a page per event. An index is
  never handed out twice: events are deleted only with their room (``delete_room``),
  and a room created again under the same id starts again from 1, as in every store.

A repeated idempotency key breaks the unique index on ``(room_id, idempotency_key)``;
the store then returns the event stored first under that key.
"""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit.errors import (
    BackendConnectionError,
    ChannelAlreadyAttachedError,
    ChannelNotFoundError,
    EventNotFoundError,
    RoomExistsError,
    RoomNotFoundError,
    StoreError,
    UniqueViolation,
)
from roomkit.models._base import updated
from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import ChannelType, RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.identity import Identity
from roomkit.models.participant import Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.store import _sql_records as records
from roomkit.store._codec import (
    document,
    event_document,
    load,
    load_events,
    load_one,
    micros,
)
from roomkit.store._paging import check_page
from roomkit.store._schema import Driver, ensure_schema
from roomkit.store.base import ConversationStore

# The index of the last event of room ``r`` (0 before its first), for a statement that
# reads ``roomkit_rooms r``. On SQLite it is one descent of the primary key.
_LAST_INDEX = {
    "postgres": "r.last_index",
    "sqlite": "(SELECT coalesce(max(e.idx), 0) FROM roomkit_events e WHERE e.room_id = r.id)",
}
_INSERT_EVENT = {
    "postgres": """
        WITH room AS (
            UPDATE roomkit_rooms SET last_index = last_index + 1 WHERE id = ?
            RETURNING id, last_index)
        INSERT INTO roomkit_events (room_id, idx, id, visibility, idempotency_key, data)
        SELECT id, last_index, ?, ?, ?, ? FROM room
        RETURNING idx""",
    "sqlite": f"""
        INSERT INTO roomkit_events (room_id, idx, id, visibility, idempotency_key, data)
        SELECT r.id, {_LAST_INDEX["sqlite"]} + 1, ?, ?, ?, ? FROM roomkit_rooms r WHERE r.id = ?
        RETURNING idx""",
}
_EVENT_COLUMNS = "SELECT idx, data FROM roomkit_events"
_ROOMS_IN_ORDER = "ORDER BY created_us, id"


class SQLStore(ConversationStore):
    """A ConversationStore on a SQL database reached through ``driver``.

    The database is opened, and its schema created or upgraded, on first use.
    """

    def __init__(self, driver: Driver) -> None:
        self._driver = driver
        self._ready = False
        self._opening = asyncio.Lock()

    async def _db(self) -> Driver:
        if not self._ready:
            async with self._opening:
                if not self._ready:
                    await self._driver.open()
                    await ensure_schema(self._driver)
                    self._ready = True
        return self._driver

    async def close(self) -> None:
        await self._driver.close()
        self._ready = False

    # -- rooms ---------------------------------------------------------------------------

    async def create_room(self, room: Room) -> Room:
        db = await self._db()
        try:
            await db.fetch(
                "INSERT INTO roomkit_rooms (id, organization_id, status, created_us, data) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    room.id,
                    room.organization_id,
                    room.status.value,
                    micros(room.created_at),
                    document(room),
                ),
                retry=False,
            )
        except UniqueViolation:
            raise RoomExistsError(room.id) from None
        return room.model_copy(deep=True)

    async def get_room(self, room_id: str) -> Room | None:
        rows = await (await self._db()).fetch(
            "SELECT data FROM roomkit_rooms WHERE id = ?", (room_id,)
        )
        return load_one(Room, rows)

    async def update_room(self, room: Room) -> Room:
        rows = await (await self._db()).fetch(
            "UPDATE roomkit_rooms SET organization_id = ?, status = ?, created_us = ?, data = ? "
            "WHERE id = ? RETURNING id",
            (
                room.organization_id,
                room.status.value,
                micros(room.created_at),
                document(room),
                room.id,
            ),
        )
        if not rows:
            raise RoomNotFoundError(room.id)
        return room.model_copy(deep=True)

    async def delete_room(self, room_id: str) -> bool:
        db = await self._db()
        async with db.transaction() as tx:
            for table in (
                "roomkit_events",
                "roomkit_bindings",
                "roomkit_participants",
                "roomkit_tasks",
                "roomkit_observations",
                "roomkit_read_marks",
            ):
                await tx.fetch(f"DELETE FROM {table} WHERE room_id = ?", (room_id,))
            rows = await tx.fetch("DELETE FROM roomkit_rooms WHERE id = ? RETURNING id", (room_id,))
        return bool(rows)

    async def list_rooms(self, offset: int = 0, limit: int = 50) -> list[Room]:
        check_page(offset, limit)
        rows = await (await self._db()).fetch(
            f"SELECT data FROM roomkit_rooms {_ROOMS_IN_ORDER} LIMIT ? OFFSET ?", (limit, offset)
        )
        return load(Room, rows)

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
        where, args = ["1 = 1"], []
        if organization_id is not None:
            where.append("organization_id = ?")
            args.append(organization_id)
        if status is not None:
            where.append("status = ?")
            args.append(RoomStatus(status).value)
        rows = await (await self._db()).fetch(
            f"SELECT data FROM roomkit_rooms WHERE {' AND '.join(where)} {_ROOMS_IN_ORDER}", args
        )
        # Metadata values are arbitrary JSON; equality is checked on the decoded values.
        rooms = [
            r
            for r in load(Room, rows)
            if all(
                k in r.metadata and r.metadata[k] == v for k, v in (metadata_filter or {}).items()
            )
        ]
        return rooms[offset : offset + limit]

    async def find_latest_room(
        self,
        participant_id: str,
        channel_type: ChannelType | None = None,
        status: RoomStatus | None = None,
    ) -> Room | None:
        sql = ["SELECT r.data FROM roomkit_participants p JOIN roomkit_rooms r ON r.id = p.room_id"]
        where, args = ["p.id = ?"], [participant_id]
        if channel_type is not None:
            sql.append(
                "JOIN roomkit_bindings b ON b.room_id = p.room_id AND b.channel_id = p.channel_id"
            )
            where.append("b.channel_type = ?")
            args.append(ChannelType(channel_type).value)
        if status is not None:
            where.append("r.status = ?")
            args.append(RoomStatus(status).value)
        sql.append(f"WHERE {' AND '.join(where)} ORDER BY r.created_us DESC, r.seq DESC LIMIT 1")
        return load_one(Room, await (await self._db()).fetch(" ".join(sql), args))

    async def find_room_id_by_channel(
        self, channel_id: str, status: RoomStatus | None = None
    ) -> str | None:
        sql = (
            "SELECT r.id FROM roomkit_bindings b JOIN roomkit_rooms r ON r.id = b.room_id "
            "WHERE b.channel_id = ?"
        )
        args: list[Any] = [channel_id]
        if status is not None:
            sql += " AND r.status = ?"
            args.append(RoomStatus(status).value)
        rows = await (await self._db()).fetch(
            sql + " ORDER BY r.created_us DESC, r.seq DESC LIMIT 1", args
        )
        return str(rows[0][0]) if rows else None

    # -- events --------------------------------------------------------------------------

    async def add_event(self, event: RoomEvent) -> RoomEvent:
        db = await self._db()
        values = (event.id, event.visibility, event.idempotency_key, event_document(event))
        if db.dialect.name == "postgres":
            args: tuple[Any, ...] = (event.room_id, *values)
        else:
            args = (*values, event.room_id)
        sql = _INSERT_EVENT[db.dialect.name]
        try:
            try:
                rows = await db.fetch(sql, args, retry=False)
            except BackendConnectionError:
                # The answer was lost, not necessarily the insert: if it was committed,
                # the second attempt breaks the unique id and finds it below.
                rows = await db.fetch(sql, args, retry=False)
        except UniqueViolation:
            return await self._existing(event)
        if not rows:
            raise RoomNotFoundError(event.room_id)
        return updated(event, index=int(rows[0][0]))

    async def _existing(self, event: RoomEvent) -> RoomEvent:
        """The event that took ``event``'s idempotency key (or its id)."""
        if event.idempotency_key is not None:
            found = await self.find_event_by_idempotency_key(event.room_id, event.idempotency_key)
            if found is not None:
                return found
        found = await self.get_event(event.id)
        if found is not None and found.room_id == event.room_id:
            return found
        raise StoreError(f"an event with id {event.id!r} is already stored")

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        return await records.update_event(await self._db(), event)

    async def get_event(self, event_id: str) -> RoomEvent | None:
        rows = await (await self._db()).fetch(f"{_EVENT_COLUMNS} WHERE id = ?", (event_id,))
        return load_events(rows)[0] if rows else None

    async def list_events(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
    ) -> list[RoomEvent]:
        check_page(offset, limit)
        db = await self._db()
        if visibility_filter is None:
            # Indexes run 1..N without gaps, so the page starts right after ``offset``.
            rows = await db.fetch(
                f"{_EVENT_COLUMNS} WHERE room_id = ? AND idx > ? ORDER BY idx LIMIT ?",
                (room_id, offset, limit),
            )
        elif visibility_filter == "all":
            # Most events are visible to all, and the visibility index leaves them out: walk
            # the room's timeline, skipping the few that are not.
            rows = await db.fetch(
                f"{_EVENT_COLUMNS} WHERE room_id = ? AND visibility = 'all' "
                "ORDER BY idx LIMIT ? OFFSET ?",
                (room_id, limit, offset),
            )
        else:
            # The visibility index holds only events not visible to all; the planner uses
            # it when the query's WHERE implies the index's (``<> 'all'``, spelled the same).
            rows = await db.fetch(
                f"{_EVENT_COLUMNS} WHERE room_id = ? AND visibility = ? "
                "AND visibility <> 'all' ORDER BY idx LIMIT ? OFFSET ?",
                (room_id, visibility_filter, limit, offset),
            )
        return load_events(rows)

    async def check_idempotency(self, room_id: str, key: str) -> bool:
        rows = await (await self._db()).fetch(
            "SELECT 1 FROM roomkit_events WHERE room_id = ? AND idempotency_key = ?",
            (room_id, key),
        )
        return bool(rows)

    async def find_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        rows = await (await self._db()).fetch(
            f"{_EVENT_COLUMNS} WHERE room_id = ? AND idempotency_key = ?", (room_id, key)
        )
        return load_events(rows)[0] if rows else None

    async def get_event_count(self, room_id: str) -> int:
        db = await self._db()
        rows = await db.fetch(
            f"SELECT {_LAST_INDEX[db.dialect.name]} FROM roomkit_rooms r WHERE r.id = ?",
            (room_id,),
        )
        return int(rows[0][0]) if rows else 0

    # -- bindings ------------------------------------------------------------------------

    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        db = await self._db()
        try:
            rows = await db.fetch(
                "INSERT INTO roomkit_bindings (room_id, channel_id, channel_type, data) "
                "SELECT id, ?, ?, ? FROM roomkit_rooms WHERE id = ? RETURNING seq",
                (
                    binding.channel_id,
                    binding.channel_type.value,
                    document(binding),
                    binding.room_id,
                ),
                retry=False,
            )
        except UniqueViolation:
            raise ChannelAlreadyAttachedError(binding.room_id, binding.channel_id) from None
        if not rows:
            raise RoomNotFoundError(binding.room_id)
        return binding.model_copy(deep=True)

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        rows = await (await self._db()).fetch(
            "SELECT data FROM roomkit_bindings WHERE room_id = ? AND channel_id = ?",
            (room_id, channel_id),
        )
        return load_one(ChannelBinding, rows)

    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        rows = await (await self._db()).fetch(
            "UPDATE roomkit_bindings SET channel_type = ?, data = ? "
            "WHERE room_id = ? AND channel_id = ? RETURNING seq",
            (binding.channel_type.value, document(binding), binding.room_id, binding.channel_id),
        )
        if not rows:
            raise ChannelNotFoundError(binding.room_id, binding.channel_id)
        return binding.model_copy(deep=True)

    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        db = await self._db()
        async with db.transaction() as tx:
            rows = await tx.fetch(
                "DELETE FROM roomkit_bindings WHERE room_id = ? AND channel_id = ? RETURNING seq",
                (room_id, channel_id),
            )
            await tx.fetch(
                "DELETE FROM roomkit_read_marks WHERE room_id = ? AND channel_id = ?",
                (room_id, channel_id),
            )
        return bool(rows)

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        rows = await (await self._db()).fetch(
            "SELECT data FROM roomkit_bindings WHERE room_id = ? ORDER BY seq", (room_id,)
        )
        return load(ChannelBinding, rows)

    # -- participants, identities, tasks, observations (store/_sql_records.py) -----------

    async def add_participant(self, participant: Participant) -> Participant:
        return await records.add_participant(await self._db(), participant)

    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        return await records.get_participant(await self._db(), room_id, participant_id)

    async def update_participant(self, participant: Participant) -> Participant:
        return await records.update_participant(await self._db(), participant)

    async def list_participants(self, room_id: str) -> list[Participant]:
        return await records.list_participants(await self._db(), room_id)

    async def create_identity(self, identity: Identity) -> Identity:
        return await records.create_identity(await self._db(), identity)

    async def get_identity(self, identity_id: str) -> Identity | None:
        return await records.get_identity(await self._db(), identity_id)

    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        return await records.resolve_identity(await self._db(), channel_type, address)

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> None:
        await records.link_address(await self._db(), identity_id, channel_type, address)

    async def add_task(self, task: Task) -> Task:
        return await records.add_task(await self._db(), task)

    async def get_task(self, task_id: str) -> Task | None:
        return await records.get_task(await self._db(), task_id)

    async def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        return await records.list_tasks(await self._db(), room_id, status)

    async def update_task(self, task: Task) -> Task:
        return await records.update_task(await self._db(), task)

    async def add_observation(self, observation: Observation) -> Observation:
        return await records.add_observation(await self._db(), observation)

    async def list_observations(self, room_id: str) -> list[Observation]:
        return await records.list_observations(await self._db(), room_id)

    # -- read tracking -------------------------------------------------------------------

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        db = await self._db()
        rows = await db.fetch(
            "INSERT INTO roomkit_read_marks (room_id, channel_id, idx) "
            "SELECT room_id, ?, idx FROM roomkit_events WHERE id = ? AND room_id = ? "
            f"{self._raise_watermark(db)} RETURNING idx",
            (channel_id, event_id, room_id),
        )
        if rows:
            return
        if await self.get_room(room_id) is None:
            raise RoomNotFoundError(room_id)
        raise EventNotFoundError(event_id, room_id)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        db = await self._db()
        rows = await db.fetch(
            "INSERT INTO roomkit_read_marks (room_id, channel_id, idx) "
            f"SELECT r.id, ?, {_LAST_INDEX[db.dialect.name]} FROM roomkit_rooms r WHERE r.id = ? "
            f"{self._raise_watermark(db)} RETURNING idx",
            (channel_id, room_id),
        )
        if not rows:
            raise RoomNotFoundError(room_id)

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        db = await self._db()
        rows = await db.fetch(
            f"SELECT {_LAST_INDEX[db.dialect.name]} - COALESCE(m.idx, 0) FROM roomkit_rooms r "
            "LEFT JOIN roomkit_read_marks m ON m.room_id = r.id AND m.channel_id = ? "
            "WHERE r.id = ?",
            (channel_id, room_id),
        )
        return max(0, int(rows[0][0])) if rows else 0

    @staticmethod
    def _raise_watermark(db: Driver) -> str:
        # The watermark never moves back.
        greatest = db.dialect.greatest
        return (
            "ON CONFLICT (room_id, channel_id) DO UPDATE "
            f"SET idx = {greatest}(roomkit_read_marks.idx, excluded.idx)"
        )
