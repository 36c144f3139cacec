"""Memory: which history the AI sees for each turn.

``AIChannel`` calls :meth:`MemoryProvider.retrieve` once per turn with a
:class:`~roomkit.models.room.RoomContext` whose ``recent_events`` are already this
channel's view of the room (events its visibility excludes are removed first, its own
events always kept), oldest first. The result's ``messages`` come first in the prompt,
then its ``events`` converted like any room event, then the event being answered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext
from roomkit.providers.ai.base import AIMessage


@dataclass(slots=True)
class MemoryResult:
    """What a memory provider retrieved: prebuilt ``messages`` (summaries, facts) and raw
    ``events`` that the channel converts itself."""

    messages: list[AIMessage] = field(default_factory=list)
    events: list[RoomEvent] = field(default_factory=list)


class MemoryProvider(ABC):
    """Where an AI channel's conversation history comes from.

    Only :meth:`retrieve` must be written; :meth:`ingest`, :meth:`clear` and :meth:`close`
    do nothing by default.
    """

    @property
    def name(self) -> str:
        """A short name for logs."""
        return type(self).__name__

    @abstractmethod
    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
    ) -> MemoryResult:
        """The history for a turn answering ``current_event``."""

    async def ingest(  # noqa: B027 - optional hook, stateless providers keep nothing
        self, room_id: str, event: RoomEvent, *, channel_id: str | None = None
    ) -> None:
        """Take note of an event (stateful providers). Not called by the channel itself."""

    async def clear(self, room_id: str) -> None:  # noqa: B027 - optional hook
        """Forget everything about ``room_id``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources. Called by ``AIChannel.close()``."""


class SlidingWindowMemory(MemoryProvider):
    """The room's last ``max_events`` events — what ``AIChannel`` uses by default."""

    def __init__(self, max_events: int = 50) -> None:
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        self.max_events = max_events

    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
    ) -> MemoryResult:
        # recent_events is oldest first: the newest are at the end.
        return MemoryResult(events=list(context.recent_events[-self.max_events :]))
