"""ConversationStore — the contract every storage backend keeps.

Each docstring below is normative: the conformance suite in
``tests/roomkit/contracts/test_store.py`` checks exactly these behaviours against every
backend. Shared rules:

* Pagination arguments are validated: ``offset < 0`` or ``limit < 0`` raises
  :class:`~roomkit.errors.InvalidArgumentError` and touches nothing.
* Models are returned as independent values: mutating a returned model never changes
  what is stored (call the matching ``update_*``).
* Timelines are ordered by the per-room ``index``; ``offset`` counts events in that order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import ChannelType, RoomStatus, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.identity import Identity
from roomkit.models.participant import Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task

# Events read at a time by the default find_event_by_idempotency_key.
_SCAN_PAGE = 500


class ConversationStore(ABC):
    """Persistent storage for rooms, events, bindings, and participants."""

    # -- rooms ---------------------------------------------------------------------------

    @abstractmethod
    async def create_room(self, room: Room) -> Room:
        """Persist a new room and return it.

        Raises:
            RoomExistsError: a room with ``room.id`` exists; it is left unchanged.
        """

    @abstractmethod
    async def get_room(self, room_id: str) -> Room | None:
        """Get a room by ID, or None if it doesn't exist."""

    @abstractmethod
    async def update_room(self, room: Room) -> Room:
        """Replace the stored room with ``room`` (matched by id) and return it.

        Raises:
            RoomNotFoundError: no room has ``room.id``.
        """

    @abstractmethod
    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything in it (events, bindings, participants, tasks,
        observations, read marks, idempotency keys). Returns True if the room existed."""

    @abstractmethod
    async def list_rooms(self, offset: int = 0, limit: int = 50) -> list[Room]:
        """Rooms ordered by creation (oldest first, ties by id), paginated."""

    @abstractmethod
    async def find_rooms(
        self,
        organization_id: str | None = None,
        status: RoomStatus | None = None,
        metadata_filter: dict[str, Any] | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Room]:
        """A page of the rooms matching every given filter, in creation order.

        ``metadata_filter`` matches rooms whose metadata holds each key with an equal value;
        ``offset`` and ``limit`` count matching rooms only.

        Raises:
            InvalidArgumentError: ``offset`` or ``limit`` is negative.
        """

    @abstractmethod
    async def find_latest_room(
        self,
        participant_id: str,
        channel_type: ChannelType | None = None,
        status: RoomStatus | None = None,
    ) -> Room | None:
        """The most recently created room with a participant ``participant_id``.

        With ``channel_type``, only rooms where that participant's channel binding is of
        that type count; with ``status``, only rooms in that status.
        """

    @abstractmethod
    async def find_room_id_by_channel(
        self, channel_id: str, status: RoomStatus | None = None
    ) -> str | None:
        """The id of the most recently created room with a binding for ``channel_id``
        (and in ``status``, when given), or None."""

    # -- events --------------------------------------------------------------------------

    @abstractmethod
    async def add_event(self, event: RoomEvent) -> RoomEvent:
        """Store a new event at the end of its room's timeline and return what was stored.

        The store assigns ``index``: one more than the room's last event (1 for the
        first), atomically, so concurrent writers — even in other processes — never get
        the same index or leave a gap. The given ``event.index`` is ignored.

        If ``event.idempotency_key`` was already used in that room nothing is stored and
        the event stored first under that key is returned (its ``id`` differs from
        ``event.id``): one key never yields two events.

        Raises:
            RoomNotFoundError: ``event.room_id`` names no room.
        """

    async def add_event_auto_index(self, room_id: str, event: RoomEvent) -> RoomEvent:
        """Store ``event`` in room ``room_id`` with the next index: :meth:`add_event` for an
        event whose ``room_id`` is set to ``room_id`` (every store assigns indexes)."""
        return await self.add_event(event.model_copy(update={"room_id": room_id}))

    @abstractmethod
    async def get_event(self, event_id: str) -> RoomEvent | None:
        """Get an event by ID, or None."""

    async def update_event(self, event: RoomEvent) -> RoomEvent:
        """Replace the stored event with ``event.id`` and return what is now stored.

        The event keeps its room, index and idempotency key (those given are ignored):
        its place in the timeline never changes. Everything else (content, status,
        metadata, visibility, delivery results) is replaced.

        Every store roomkit ships implements it; a store written against the store page
        need not (the page does not list it among the abstract methods), and then this
        default refuses.

        Raises:
            EventNotFoundError: no event has ``event.id``.
            NotImplementedError: the store does not update events.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement update_event")

    @abstractmethod
    async def list_events(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
    ) -> list[RoomEvent]:
        """A page of a room's events in index order.

        With ``visibility_filter``, only events whose ``visibility`` equals it are counted
        and returned. An unknown room yields an empty list.
        """

    @abstractmethod
    async def check_idempotency(self, room_id: str, key: str) -> bool:
        """Whether an event with idempotency ``key`` is stored in the room."""

    async def find_event_by_idempotency_key(self, room_id: str, key: str) -> RoomEvent | None:
        """The event stored in the room under idempotency ``key``, or None.

        The pipeline asks for it when a message repeats a key, to answer with the original.
        This default reads the room's events a page at a time, newest first; a store with an
        index on the key should override it.
        """
        end = await self.get_event_count(room_id)
        while end > 0:
            start = max(0, end - _SCAN_PAGE)
            for event in await self.list_events(room_id, offset=start, limit=end - start):
                if event.idempotency_key == key:
                    return event
            end = start
        return None

    @abstractmethod
    async def get_event_count(self, room_id: str) -> int:
        """Return the total number of events in a room (0 for an unknown room)."""

    # -- bindings ------------------------------------------------------------------------

    @abstractmethod
    async def add_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Attach a channel binding to a room.

        Raises:
            RoomNotFoundError: the room does not exist.
            ChannelAlreadyAttachedError: the channel is already bound to that room.
        """

    @abstractmethod
    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding | None:
        """Get a channel binding, or None if not attached."""

    @abstractmethod
    async def update_binding(self, binding: ChannelBinding) -> ChannelBinding:
        """Replace an existing binding (matched by room and channel id).

        Raises:
            ChannelNotFoundError: the channel is not attached to that room.
        """

    @abstractmethod
    async def remove_binding(self, room_id: str, channel_id: str) -> bool:
        """Detach a channel from a room (and forget its read mark). Returns True if it
        was attached."""

    @abstractmethod
    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        """The room's bindings in the order they were attached."""

    # -- participants --------------------------------------------------------------------

    @abstractmethod
    async def add_participant(self, participant: Participant) -> Participant:
        """Add a participant to a room; one with the same id in that room is replaced.

        Raises:
            RoomNotFoundError: the room does not exist.
        """

    @abstractmethod
    async def get_participant(self, room_id: str, participant_id: str) -> Participant | None:
        """Get a participant by ID within a room."""

    @abstractmethod
    async def update_participant(self, participant: Participant) -> Participant:
        """Replace a participant (matched by room and id).

        Raises:
            StoreError: no such participant in that room.
        """

    @abstractmethod
    async def list_participants(self, room_id: str) -> list[Participant]:
        """The room's participants in the order they joined."""

    # -- identities ----------------------------------------------------------------------

    @abstractmethod
    async def create_identity(self, identity: Identity) -> Identity:
        """Create a new identity record; the addresses in ``channel_addresses`` are linked.

        Raises:
            StoreError: an identity with that id exists.
        """

    @abstractmethod
    async def get_identity(self, identity_id: str) -> Identity | None:
        """Get an identity by ID."""

    @abstractmethod
    async def resolve_identity(self, channel_type: str, address: str) -> Identity | None:
        """The identity linked to ``address`` on ``channel_type``, or None."""

    async def link_address(self, identity_id: str, channel_type: str, address: str) -> None:
        """Link a channel address to an identity (idempotent).

        Afterwards :meth:`resolve_identity` finds the identity by the address and its
        ``channel_addresses[channel_type]`` lists it. An address links to one identity at a
        time: linking it again moves it, and it leaves the previous identity's list.

        Every store roomkit ships implements it; a store of your own need not (the store
        page does not mark it abstract), and then this default refuses.

        Raises:
            IdentityNotFoundError: no identity has ``identity_id``.
            NotImplementedError: the store does not link addresses.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement link_address")

    # -- tasks and observations ----------------------------------------------------------

    @abstractmethod
    async def add_task(self, task: Task) -> Task:
        """Store a new task."""

    @abstractmethod
    async def get_task(self, task_id: str) -> Task | None:
        """Get a task by ID."""

    @abstractmethod
    async def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        """The room's tasks in creation order, optionally only those in ``status``."""

    @abstractmethod
    async def update_task(self, task: Task) -> Task:
        """Replace a task.

        Raises:
            TaskNotFoundError: no task has ``task.id``.
        """

    @abstractmethod
    async def add_observation(self, observation: Observation) -> Observation:
        """Store a new observation."""

    @abstractmethod
    async def list_observations(self, room_id: str) -> list[Observation]:
        """The room's observations in creation order."""

    # -- read tracking (a watermark per binding) -----------------------------------------

    @abstractmethod
    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        """Mark ``event_id`` and every earlier event of the room read for the channel.

        The watermark never moves back: marking an older event read changes nothing.

        Raises:
            EventNotFoundError: the event is not in that room.
        """

    @abstractmethod
    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        """Mark every event now in the room read for the channel."""

    @abstractmethod
    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        """The number of the room's events after the channel's read watermark."""

    # -- lifecycle -----------------------------------------------------------------------

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections and files. Idempotent."""
