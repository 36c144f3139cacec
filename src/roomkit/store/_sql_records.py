"""Participants, identities, tasks and observations in SQL: the records beside a timeline.

Plain functions over a :class:`~roomkit.store._schema.Session`; :class:`SQLStore` calls
them. Each keeps the behaviour documented on :class:`~roomkit.store.base.ConversationStore`.
"""

from __future__ import annotations

from roomkit.errors import (
    EventNotFoundError,
    IdentityNotFoundError,
    RoomNotFoundError,
    StoreError,
    TaskNotFoundError,
    UniqueViolation,
)
from roomkit.models._base import updated
from roomkit.models.enums import TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.identity import Identity
from roomkit.models.participant import Participant
from roomkit.models.task import Observation, Task
from roomkit.store._codec import document, event_document, load, load_events, load_one
from roomkit.store._records import address_key, storable_task, with_address, without_address
from roomkit.store._schema import Driver, Session

# -- events ------------------------------------------------------------------------------


async def update_event(db: Driver, event: RoomEvent) -> RoomEvent:
    """Rewrite the event's document in place; its room, index and key stay."""
    rows = await db.fetch("SELECT idx, data FROM roomkit_events WHERE id = ?", (event.id,))
    if not rows:
        raise EventNotFoundError(event.id)
    [old] = load_events(rows)
    stored = updated(
        event, room_id=old.room_id, index=old.index, idempotency_key=old.idempotency_key
    )
    await db.fetch(
        "UPDATE roomkit_events SET visibility = ?, data = ? WHERE id = ?",
        (stored.visibility, event_document(stored), stored.id),
    )
    return stored


# -- participants ------------------------------------------------------------------------


async def add_participant(db: Driver, participant: Participant) -> Participant:
    rows = await db.fetch(
        "INSERT INTO roomkit_participants (room_id, id, channel_id, data) "
        "SELECT id, ?, ?, ? FROM roomkit_rooms WHERE id = ? "
        "ON CONFLICT (room_id, id) DO UPDATE "
        "SET channel_id = excluded.channel_id, data = excluded.data RETURNING seq",
        (participant.id, participant.channel_id, document(participant), participant.room_id),
    )
    if not rows:
        raise RoomNotFoundError(participant.room_id)
    return participant.model_copy(deep=True)


async def get_participant(db: Driver, room_id: str, participant_id: str) -> Participant | None:
    rows = await db.fetch(
        "SELECT data FROM roomkit_participants WHERE room_id = ? AND id = ?",
        (room_id, participant_id),
    )
    return load_one(Participant, rows)


async def update_participant(db: Driver, participant: Participant) -> Participant:
    rows = await db.fetch(
        "UPDATE roomkit_participants SET channel_id = ?, data = ? "
        "WHERE room_id = ? AND id = ? RETURNING seq",
        (participant.channel_id, document(participant), participant.room_id, participant.id),
    )
    if not rows:
        raise StoreError(f"participant {participant.id!r} is not in room {participant.room_id!r}")
    return participant.model_copy(deep=True)


async def list_participants(db: Driver, room_id: str) -> list[Participant]:
    rows = await db.fetch(
        "SELECT data FROM roomkit_participants WHERE room_id = ? ORDER BY seq", (room_id,)
    )
    return load(Participant, rows)


# -- identities --------------------------------------------------------------------------

_LINK = (
    "INSERT INTO roomkit_addresses (channel_type, address, identity_id) VALUES (?, ?, ?) "
    "ON CONFLICT (channel_type, address) DO UPDATE SET identity_id = excluded.identity_id"
)


async def create_identity(db: Driver, identity: Identity) -> Identity:
    try:
        async with db.transaction() as tx:
            await tx.fetch(
                "INSERT INTO roomkit_identities (id, data) VALUES (?, ?)",
                (identity.id, document(identity)),
                retry=False,
            )
            for channel_type, addresses in identity.channel_addresses.items():
                for address in addresses:
                    await tx.fetch(_LINK, (address_key(channel_type), address, identity.id))
    except UniqueViolation:
        raise StoreError(f"identity {identity.id!r} already exists") from None
    return identity.model_copy(deep=True)


async def get_identity(db: Driver, identity_id: str) -> Identity | None:
    rows = await db.fetch("SELECT data FROM roomkit_identities WHERE id = ?", (identity_id,))
    return load_one(Identity, rows)


async def resolve_identity(db: Driver, channel_type: str, address: str) -> Identity | None:
    rows = await db.fetch(
        "SELECT i.data FROM roomkit_addresses a JOIN roomkit_identities i ON i.id = a.identity_id "
        "WHERE a.channel_type = ? AND a.address = ?",
        (address_key(channel_type), address),
    )
    return load_one(Identity, rows)


async def link_address(db: Driver, identity_id: str, channel_type: str, address: str) -> None:
    """Point the address at ``identity_id`` and move it between the identities' documents."""
    key, read = address_key(channel_type), _IDENTITY_FOR_UPDATE[db.dialect.name]
    async with db.transaction() as tx:
        # Locks the identity's row (PostgreSQL; SQLite writers are serialised anyway), so
        # two links to one identity cannot both rewrite its document from the same read.
        identity = load_one(Identity, await tx.fetch(read, (identity_id,)))
        if identity is None:
            raise IdentityNotFoundError(identity_id)
        owner = await tx.fetch(
            "SELECT identity_id FROM roomkit_addresses WHERE channel_type = ? AND address = ?",
            (key, address),
        )
        if owner and owner[0][0] != identity_id:
            previous = load_one(Identity, await tx.fetch(read, (owner[0][0],)))
            if previous is not None:
                await _store_identity(tx, without_address(previous, key, address))
        await tx.fetch(_LINK, (key, address, identity_id))
        await _store_identity(tx, with_address(identity, key, address))


_IDENTITY_FOR_UPDATE = {
    "postgres": "SELECT data FROM roomkit_identities WHERE id = ? FOR UPDATE",
    "sqlite": "SELECT data FROM roomkit_identities WHERE id = ?",
}


async def _store_identity(db: Session, identity: Identity) -> None:
    await db.fetch(
        "UPDATE roomkit_identities SET data = ? WHERE id = ?", (document(identity), identity.id)
    )


# -- tasks and observations --------------------------------------------------------------


async def add_task(db: Driver, task: Task) -> Task:
    task = storable_task(task)
    await db.fetch(
        "INSERT INTO roomkit_tasks (id, room_id, status, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET room_id = excluded.room_id, "
        "status = excluded.status, data = excluded.data",
        (task.id, task.room_id, task.status.value, document(task)),
    )
    return task.model_copy(deep=True)


async def get_task(db: Driver, task_id: str) -> Task | None:
    return load_one(Task, await db.fetch("SELECT data FROM roomkit_tasks WHERE id = ?", (task_id,)))


async def list_tasks(db: Driver, room_id: str, status: TaskStatus | None = None) -> list[Task]:
    if status is None:
        rows = await db.fetch(
            "SELECT data FROM roomkit_tasks WHERE room_id = ? ORDER BY seq", (room_id,)
        )
    else:
        rows = await db.fetch(
            "SELECT data FROM roomkit_tasks WHERE room_id = ? AND status = ? ORDER BY seq",
            (room_id, TaskStatus(status).value),
        )
    return load(Task, rows)


async def update_task(db: Driver, task: Task) -> Task:
    task = storable_task(task)
    rows = await db.fetch(
        "UPDATE roomkit_tasks SET room_id = ?, status = ?, data = ? WHERE id = ? RETURNING seq",
        (task.room_id, task.status.value, document(task), task.id),
    )
    if not rows:
        raise TaskNotFoundError(task.id)
    return task.model_copy(deep=True)


async def add_observation(db: Driver, observation: Observation) -> Observation:
    await db.fetch(
        "INSERT INTO roomkit_observations (room_id, data) VALUES (?, ?)",
        (observation.room_id, document(observation)),
        retry=False,
    )
    return observation.model_copy(deep=True)


async def list_observations(db: Driver, room_id: str) -> list[Observation]:
    rows = await db.fetch(
        "SELECT data FROM roomkit_observations WHERE room_id = ? ORDER BY seq", (room_id,)
    )
    return load(Observation, rows)
