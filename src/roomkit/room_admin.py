"""RoomAdmin — the room half of RoomKit's public API.

Rooms, bindings, participants, timers, timelines, read marks and the room's ephemeral
events (typing, presence, receipts, reactions, tool calls): each method hands the call
to one collaborator (RoomOps, ParticipantOps, RoomTimekeeper, the store). ``RoomKit``
builds those collaborators and passes them to ``RoomAdmin.__init__``; this class keeps its
own references and shares no other state with the rest of the kit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from roomkit.admin import RoomOps
from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import Access, ChannelCategory, ChannelType, TaskStatus
from roomkit.models.ephemeral import EphemeralEventType
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.participants import ParticipantOps
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.publishing import Ephemeral
from roomkit.store.base import ConversationStore
from roomkit.timers import RoomTimekeeper


class RoomAdmin:
    """Rooms, bindings, participants, timers, timelines, read marks, ephemeral events."""

    def __init__(
        self,
        store: ConversationStore,
        ops: RoomOps,
        participants: ParticipantOps,
        timers: RoomTimekeeper,
        realtime: RealtimeBackend,
        check_open: Callable[[], None],
    ) -> None:
        self._room_store = store
        self._room_ops = ops
        self._room_participants = participants
        self._room_timers = timers
        self._room_realtime = realtime
        self._signals = Ephemeral(realtime)
        self._room_check_open = check_open

    async def create_room(
        self,
        room_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        organization_id: str | None = None,
    ) -> Room:
        """Create a room. Raises RoomExistsError when the id is taken."""
        self._room_check_open()
        return await self._room_ops.create_room(room_id, organization_id, metadata)

    async def get_room(self, room_id: str) -> Room:
        """A room by id. Raises RoomNotFoundError."""
        return await self._room_ops.get_room(room_id)

    async def close_room(self, room_id: str) -> Room:
        """Close a room: it keeps its history and takes no new events."""
        return await self._room_ops.close_room(room_id)

    async def update_room_metadata(self, room_id: str, metadata: dict[str, Any]) -> Room:
        """Merge ``metadata`` into the room's metadata (given keys replace old values)."""
        return await self._room_ops.update_room_metadata(room_id, metadata)

    async def check_room_timers(self, room_id: str) -> Room:
        """Apply the room's timers (see roomkit.timers); returns it, transitioned or not."""
        return await self._room_timers.check(room_id)

    async def check_all_timers(self) -> list[Room]:
        """Apply the timers of every ACTIVE and PAUSED room; returns the rooms that changed."""
        return await self._room_timers.check_all()

    async def ensure_participant(
        self, room_id: str, channel_id: str, participant_id: str, display_name: str | None = None
    ) -> Participant:
        """The room's participant ``participant_id``, created (pending) if missing."""
        return await self._room_participants.ensure(
            room_id, channel_id, participant_id, display_name
        )

    async def resolve_participant(
        self, room_id: str, participant_id: str, identity_id: str, resolved_by: str = "manual"
    ) -> Participant:
        """Identify a participant as a stored identity.

        Raises ParticipantNotFoundError or IdentityNotFoundError when either is unknown.
        """
        return await self._room_participants.resolve(
            room_id, participant_id, identity_id, resolved_by
        )

    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything in it. Returns True if it existed."""
        return await self._room_ops.delete_room(room_id)

    async def attach_channel(
        self,
        room_id: str,
        channel_id: str,
        channel_type: ChannelType | None = None,
        category: ChannelCategory = ChannelCategory.TRANSPORT,
        access: Access = Access.READ_WRITE,
        visibility: str = "all",
        **kwargs: Any,
    ) -> ChannelBinding:
        """Bind a registered channel to a room and return the binding.

        ``channel_type`` defaults to the channel's own; ``category`` is the channel's own
        unless given otherwise. ``kwargs`` set further binding fields: ``metadata``,
        ``participant_id``, ``muted``, ``capabilities`` (the channel's by default),
        ``rate_limit``, ``retry_policy``; any other name is an InvalidArgumentError.
        """
        self._room_check_open()
        given = None if category is ChannelCategory.TRANSPORT else category
        return await self._room_ops.attach(
            room_id, channel_id, channel_type, given, access, visibility, kwargs
        )

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding:
        """The channel's binding in the room. Raises RoomNotFoundError, ChannelNotFoundError."""
        return await self._room_ops.get_binding(room_id, channel_id)

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        """Every binding of the room. Raises RoomNotFoundError."""
        return await self._room_ops.list_bindings(room_id)

    async def update_binding_metadata(
        self, room_id: str, channel_id: str, metadata: dict[str, Any]
    ) -> ChannelBinding:
        """Merge ``metadata`` into the binding's metadata (given keys replace old values)."""
        binding = await self._room_ops.get_binding(room_id, channel_id)
        merged = {**binding.metadata, **metadata}
        return await self._room_ops.update_binding(
            room_id, channel_id, "channel_updated", metadata=merged
        )

    async def detach_channel(self, room_id: str, channel_id: str) -> bool:
        """Unbind a channel from a room. True if it was attached, False if it was not.

        Raises RoomNotFoundError for an unknown room.
        """
        return await self._room_ops.detach(room_id, channel_id)

    async def mute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """The channel keeps receiving but what it sends is dropped."""
        return await self._room_ops.update_binding(room_id, channel_id, "channel_muted", muted=True)

    async def unmute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Let a muted channel speak again."""
        return await self._room_ops.update_binding(
            room_id, channel_id, "channel_unmuted", muted=False
        )

    async def set_access(self, room_id: str, channel_id: str, access: Access) -> ChannelBinding:
        """Change what a channel may do in a room."""
        return await self._room_ops.update_binding(
            room_id, channel_id, "channel_updated", access=Access(access)
        )

    async def set_visibility(
        self, room_id: str, channel_id: str, visibility: str
    ) -> ChannelBinding:
        """Change which events reach a channel's binding."""
        return await self._room_ops.update_binding(
            room_id, channel_id, "channel_updated", visibility=visibility
        )

    async def get_timeline(
        self,
        room_id: str,
        offset: int = 0,
        limit: int = 50,
        visibility_filter: str | None = None,
    ) -> list[RoomEvent]:
        """Query the event timeline for a room."""
        return await self._room_ops.timeline(room_id, offset, limit, visibility_filter)

    async def list_tasks(self, room_id: str, status: TaskStatus | None = None) -> list[Task]:
        """List tasks for a room, optionally filtered by status."""
        return await self._room_store.list_tasks(room_id, status=status)

    async def list_observations(self, room_id: str) -> list[Observation]:
        """List observations for a room."""
        return await self._room_store.list_observations(room_id)

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        """Mark an event (and everything before it) as read for a channel."""
        await self._room_ops.mark_read(room_id, channel_id, event_id)

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        """Mark all events as read for a channel."""
        await self._room_ops.mark_all_read(room_id, channel_id)

    async def get_unread_count(self, room_id: str, channel_id: str) -> int:
        """How many events of the room the channel has not read."""
        return await self._room_ops.unread_count(room_id, channel_id)

    # -- ephemeral events ----------------------------------------------------------------

    async def publish_typing(
        self,
        room_id: str,
        user_id: str,
        is_typing: bool = True,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Publish a typing indicator for a user in a room, with optional ``data``."""
        await self._signals.typing(room_id, user_id, is_typing, data)

    async def publish_tool_call(
        self,
        room_id: str,
        channel_id: str,
        tool_calls: list[dict[str, Any]],
        event_type: EphemeralEventType = EphemeralEventType.TOOL_CALL_START,
        *,
        duration_ms: int | None = None,
    ) -> None:
        """Publish that a channel's tool calls started (or ended: TOOL_CALL_END)."""
        await self._signals.tool_call(room_id, channel_id, tool_calls, event_type, duration_ms)

    async def publish_reaction(
        self, room_id: str, user_id: str, target_event_id: str, emoji: str, action: str = "add"
    ) -> None:
        """Publish a reaction to an event: ``action`` is "add" or "remove"."""
        await self._signals.reaction(room_id, user_id, target_event_id, emoji, action)

    async def publish_presence(self, room_id: str, user_id: str, status: str) -> None:
        """Publish a presence update: ``status`` is "online", "away" or "offline"."""
        await self._signals.presence(room_id, user_id, status)

    async def publish_read_receipt(self, room_id: str, user_id: str, event_id: str) -> None:
        """Publish a read receipt for a user in a room."""
        await self._signals.read_receipt(room_id, user_id, event_id)

    async def subscribe_room(self, room_id: str, callback: EphemeralCallback) -> str:
        """Subscribe to ephemeral events for a room; returns a subscription id."""
        return await self._room_realtime.subscribe_to_room(room_id, callback)

    async def unsubscribe_room(self, subscription_id: str) -> bool:
        """Unsubscribe from ephemeral events. True if the subscription existed."""
        return await self._room_realtime.unsubscribe(subscription_id)
