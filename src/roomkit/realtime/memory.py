"""InMemoryRealtime — ephemeral events for the subscribers of one process.

``publish`` queues the event for every subscriber of the channel and returns without
waiting for any callback; each subscription has its own bounded queue and one task that
awaits its callback an event at a time, so every subscriber sees a channel's events in
publish order and a slow one delays only itself. The price: delivery happens after
``publish`` returns, and a subscriber more than ``max_queue_size`` events behind loses its
oldest pending events (logged and counted). See ``roomkit.realtime._subscribers`` for the
details of that policy.
"""

from __future__ import annotations

from roomkit.models.ephemeral import EphemeralEvent
from roomkit.realtime._subscribers import Subscribers
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend


class InMemoryRealtime(RealtimeBackend):
    """Per-channel subscriptions in this process. Nothing is stored.

    Args:
        max_queue_size: events a subscription may have waiting before its oldest is dropped.
        callback_timeout: seconds one callback may run before it is cancelled and logged;
            ``None`` lets it run as long as it takes.
    """

    def __init__(self, max_queue_size: int = 100, *, callback_timeout: float | None = 5.0) -> None:
        self._subscribers = Subscribers(
            max_pending=max_queue_size, callback_timeout=callback_timeout
        )

    @property
    def subscription_count(self) -> int:
        """How many subscriptions are active."""
        return len(self._subscribers)

    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        await self._subscribers.deliver(channel, event)

    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        return self._subscribers.add(channel, callback).id

    async def unsubscribe(self, subscription_id: str) -> bool:
        subscriber = self._subscribers.remove(subscription_id)
        if subscriber is None:
            return False
        await subscriber.close()
        return True

    async def close(self) -> None:
        await self._subscribers.close()

    async def __aenter__(self) -> InMemoryRealtime:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
