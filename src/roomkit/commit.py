"""⑥ The commit point, under the room lock: idempotency, BEFORE_BROADCAST hooks, store.

Once ``commit`` returns a stored event it is in the store: nothing acknowledged after this
point can be lost. A duplicate idempotency key returns the original event and runs nothing.
A blocked event is stored with status BLOCKED (an audit trail) and broadcast to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roomkit.hooks.engine import HookEngine
from roomkit.models.enums import EventStatus, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hook import InjectedEvent
from roomkit.models.room import RoomContext
from roomkit.store.base import ConversationStore


@dataclass(slots=True)
class Commit:
    """What the commit point did with one event."""

    event: RoomEvent
    duplicate: bool = False
    blocked: bool = False
    reason: str | None = None
    blocked_by: str | None = None
    injected: list[InjectedEvent] = field(default_factory=list)


async def commit(
    store: ConversationStore, hooks: HookEngine, event: RoomEvent, context: RoomContext
) -> Commit:
    """Run idempotency, the sync hook chain and the store write for ``event``.

    Must be called with the room's lock held: the idempotency check and the write are one
    step for every other writer that respects the lock, and the store's unique key covers
    writers that do not.
    """
    key = event.idempotency_key
    if key is not None:
        original = await store.find_event_by_idempotency_key(event.room_id, key)
        if original is not None:
            return Commit(original, duplicate=True)

    outcome = await hooks.run_sync(HookTrigger.BEFORE_BROADCAST, event, context)
    for task in outcome.tasks:
        await store.add_task(task)
    for observation in outcome.observations:
        await store.add_observation(observation)

    if outcome.blocked:
        blocked = outcome.event.model_copy(
            update={"status": EventStatus.BLOCKED, "blocked_by": outcome.blocked_by}
        )
        stored = await store.add_event(blocked)
        return Commit(
            stored,
            blocked=True,
            reason=outcome.reason,
            blocked_by=outcome.blocked_by,
            injected=outcome.injected,
        )

    accepted = outcome.event
    # The event is not stored yet, so nobody holds it as a value: marking it in place
    # saves a copy on every message (the store copies it when it assigns the index).
    accepted.status = EventStatus.DELIVERED
    stored = await store.add_event(accepted)
    # The store returns the first event under a key when a writer outside the lock won.
    return Commit(stored, duplicate=stored.id != accepted.id, injected=outcome.injected)
