"""Identities, tasks and observations of InMemoryStore: plain dicts, copies in and out.

The same rules as every store (``roomkit.store._records``): an address belongs to one
identity at a time and shows in its ``channel_addresses``; a task's status is stored as a
:class:`TaskStatus`.
"""

from __future__ import annotations

from copy import deepcopy
from typing import TypeVar

from pydantic import BaseModel

from roomkit.errors import IdentityNotFoundError, StoreError, TaskNotFoundError
from roomkit.models.enums import TaskStatus
from roomkit.models.identity import Identity
from roomkit.models.task import Observation, Task
from roomkit.store._records import address_key, storable_task, with_address, without_address

M = TypeVar("M", bound=BaseModel)


def copy_model(model: M) -> M:
    # Only the mutable containers need copies of their own; ids, enums and datetimes are
    # immutable and shared. (A whole-model deepcopy costs about ten times as much.)
    containers = {
        name: deepcopy(value)
        for name, value in model.__dict__.items()
        if isinstance(value, dict | list)
    }
    return model.model_copy(update=containers)


class MemoryRecords:
    """The records beside the rooms' timelines, synchronous: the store awaits nothing here."""

    def __init__(self) -> None:
        self._identities: dict[str, Identity] = {}
        self._addresses: dict[tuple[str, str], str] = {}
        self._tasks: dict[str, Task] = {}
        self._observations: dict[str, list[Observation]] = {}

    def create_identity(self, identity: Identity) -> Identity:
        if identity.id in self._identities:
            raise StoreError(f"identity {identity.id!r} already exists")
        self._identities[identity.id] = copy_model(identity)
        for channel_type, addresses in identity.channel_addresses.items():
            for address in addresses:
                self._addresses[(address_key(channel_type), address)] = identity.id
        return copy_model(identity)

    def get_identity(self, identity_id: str) -> Identity | None:
        found = self._identities.get(identity_id)
        return None if found is None else copy_model(found)

    def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        identity_id = self._addresses.get((address_key(channel_type), address))
        return None if identity_id is None else self.get_identity(identity_id)

    def link_address(self, identity_id: str, channel_type: str, address: str) -> None:
        identity = self._identities.get(identity_id)
        if identity is None:
            raise IdentityNotFoundError(identity_id)
        key = (address_key(channel_type), address)
        previous = self._addresses.get(key)
        if previous is not None and previous != identity_id:
            moved = without_address(self._identities[previous], channel_type, address)
            self._identities[previous] = moved
        self._identities[identity_id] = with_address(identity, channel_type, address)
        self._addresses[key] = identity_id

    def add_task(self, task: Task) -> Task:
        task = storable_task(task)
        self._tasks[task.id] = copy_model(task)
        return copy_model(task)

    def get_task(self, task_id: str) -> Task | None:
        found = self._tasks.get(task_id)
        return None if found is None else copy_model(found)

    def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        return [
            copy_model(t)
            for t in self._tasks.values()
            if t.room_id == room_id and (status is None or t.status == status)
        ]

    def update_task(self, task: Task) -> Task:
        if task.id not in self._tasks:
            raise TaskNotFoundError(task.id)
        task = storable_task(task)
        self._tasks[task.id] = copy_model(task)
        return copy_model(task)

    def add_observation(self, observation: Observation) -> Observation:
        self._observations.setdefault(observation.room_id, []).append(copy_model(observation))
        return copy_model(observation)

    def list_observations(self, room_id: str) -> list[Observation]:
        return [copy_model(o) for o in self._observations.get(room_id, ())]

    def forget_room(self, room_id: str) -> None:
        """Drop the room's tasks and observations (its room was deleted)."""
        self._tasks = {k: t for k, t in self._tasks.items() if t.room_id != room_id}
        self._observations.pop(room_id, None)
