"""Participants, identities, tasks and observations in SQL: the records beside a timeline.

Plain functions over a :class:`~roomkit.store._schema.Session`; :class:`SQLStore` calls
them. Each keeps the behaviour documented on :class:`~roomkit.store.base.ConversationStore`.
"""

from __future__ import annotations

from enum import Enum

from roomkit.errors import IdentityNotFoundError, RoomNotFoundError, StoreError, TaskNotFoundError
from roomkit.models.enums import TaskStatus
from roomkit.models.identity import Identity
from roomkit.models.participant import Participant
from roomkit.models.task import Observation, Task
from roomkit.store._codec import document, load, load_one
from roomkit.store._schema import Driver, UniqueViolation

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


def address_type(channel_type: str) -> str:
    """The key an address is filed under: the enum's value, or the string as given."""
    return channel_type.value if isinstance(channel_type, Enum) else str(channel_type)


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
                    await tx.fetch(_LINK, (address_type(channel_type), address, identity.id))
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
        (address_type(channel_type), address),
    )
    return load_one(Identity, rows)


async def link_address(db: Driver, identity_id: str, channel_type: str, address: str) -> None:
    rows = await db.fetch(
        "INSERT INTO roomkit_addresses (channel_type, address, identity_id) "
        "SELECT ?, ?, id FROM roomkit_identities WHERE id = ? "
        "ON CONFLICT (channel_type, address) DO UPDATE SET identity_id = excluded.identity_id "
        "RETURNING identity_id",
        (address_type(channel_type), address, identity_id),
    )
    if not rows:
        raise IdentityNotFoundError(identity_id)


# -- tasks and observations --------------------------------------------------------------


async def add_task(db: Driver, task: Task) -> Task:
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
