"""Rules every store applies to identities and tasks before writing them.

Kept in one place so that the same input gives the same stored result in every backend:
an address belongs to one identity at a time and shows in its ``channel_addresses``; a
task's status is a :class:`TaskStatus` however it was set.
"""

from __future__ import annotations

from enum import Enum

from roomkit.errors import InvalidArgumentError
from roomkit.models.enums import TaskStatus
from roomkit.models.identity import Identity
from roomkit.models.task import Task


def address_key(channel_type: str) -> str:
    """The key an address is filed under: the enum's value, or the string as given."""
    return channel_type.value if isinstance(channel_type, Enum) else str(channel_type)


def with_address(identity: Identity, channel_type: str, address: str) -> Identity:
    """``identity`` with ``address`` listed under ``channel_type`` (once)."""
    key = address_key(channel_type)
    listed = identity.channel_addresses.get(key, [])
    if address in listed:
        return identity
    addresses = {**identity.channel_addresses, key: [*listed, address]}
    return identity.model_copy(update={"channel_addresses": addresses})


def without_address(identity: Identity, channel_type: str, address: str) -> Identity:
    """``identity`` without ``address`` under ``channel_type`` (a type left empty goes)."""
    key = address_key(channel_type)
    remaining = [a for a in identity.channel_addresses.get(key, []) if a != address]
    addresses = {k: v for k, v in identity.channel_addresses.items() if k != key}
    if remaining:
        addresses[key] = remaining
    return identity.model_copy(update={"channel_addresses": addresses})


def storable_task(task: Task) -> Task:
    """``task`` with its status as a :class:`TaskStatus`, however it was assigned.

    Pydantic does not validate assignment, so ``task.status = "completed"`` leaves a plain
    string; every store stores (and returns) the enum member instead.

    Raises:
        InvalidArgumentError: the status is not a task status.
    """
    if type(task.status) is TaskStatus:
        return task
    try:
        status = TaskStatus(task.status)
    except ValueError:
        valid = ", ".join(repr(s.value) for s in TaskStatus)
        raise InvalidArgumentError("task.status", task.status, f"one of {valid}") from None
    return task.model_copy(update={"status": status})
