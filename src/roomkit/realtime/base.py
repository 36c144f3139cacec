"""RealtimeBackend — the side channel for ephemeral events (typing, presence, receipts)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from typing import Any

from roomkit.models.ephemeral import EphemeralEvent

EphemeralCallback = Callable[[EphemeralEvent], Coroutine[Any, Any, None]]


class RealtimeBackend(ABC):
    """Publishes ephemeral events to a room's subscribers. Nothing is ever stored.

    Subscribers of a room receive its events in publish order. A callback that raises is
    logged and does not stop delivery to the others. Distributed backends deliver to
    subscribers in every process of the deployment.
    """

    @abstractmethod
    async def publish(self, event: EphemeralEvent) -> None:
        """Send ``event`` to every subscriber of ``event.room_id``."""

    @abstractmethod
    async def subscribe(self, room_id: str, callback: EphemeralCallback) -> str:
        """Call ``callback`` for each event of the room from now on; returns a subscription id."""

    @abstractmethod
    async def unsubscribe(self, subscription_id: str) -> bool:
        """Stop a subscription. Returns True if it existed."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Stop every subscription and release connections. Idempotent."""
