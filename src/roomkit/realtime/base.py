"""RealtimeBackend — the side channel for ephemeral events (typing, presence, receipts)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from typing import Any

from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType

__all__ = [
    "EphemeralCallback",
    "EphemeralEvent",
    "EphemeralEventType",
    "RealtimeBackend",
    "room_channel",
]

EphemeralCallback = Callable[[EphemeralEvent], Coroutine[Any, Any, None]]


def room_channel(room_id: str) -> str:
    """The channel name a room's ephemeral events travel on."""
    return f"ephemeral:room:{room_id}"


class RealtimeBackend(ABC):
    """Publishes ephemeral events on named channels to their subscribers. Nothing is stored.

    A channel is any string; a room's events travel on :func:`room_channel` of its id,
    which :meth:`publish_to_room` and :meth:`subscribe_to_room` use. Subscribers of a
    channel receive its events in publish order. A callback that raises is logged and does
    not stop delivery to the others. Distributed backends deliver to subscribers in every
    process of the deployment.
    """

    @abstractmethod
    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        """Send ``event`` to every subscriber of ``channel``."""

    @abstractmethod
    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        """Call ``callback`` for each event on ``channel`` from now on; returns an id."""

    @abstractmethod
    async def unsubscribe(self, subscription_id: str) -> bool:
        """Stop a subscription. Returns True if it existed."""

    async def publish_to_room(self, room_id: str, event: EphemeralEvent) -> None:
        """Send ``event`` to the subscribers of room ``room_id``."""
        await self.publish(room_channel(room_id), event)

    async def subscribe_to_room(self, room_id: str, callback: EphemeralCallback) -> str:
        """Call ``callback`` for each ephemeral event of room ``room_id`` from now on."""
        return await self.subscribe(room_channel(room_id), callback)

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Stop every subscription and release connections. Idempotent."""
