"""③ Which room an inbound message belongs to.

The routing rule, in order:

1. ``process_inbound(message, room_id=...)`` names the room: no router is asked.
2. Otherwise the kit's ``InboundRoomRouter`` is asked. The default one answers with the
   ACTIVE room that has the message's channel attached (the one it was attached to last,
   when several have).
3. When the router answers None — with the default router: no active room has the channel
   attached — the kit creates a room (a generated id, ``metadata["created_by_channel"]``),
   attaches the channel to it and logs that at INFO with the channel and the sender. To send
   into a room you made, attach the channel to it first (``attach_channel``) or pass
   ``room_id``; to refuse unknown senders instead, give the kit a router of your own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from roomkit.models.enums import ChannelType, RoomStatus
from roomkit.store.base import ConversationStore


class InboundRoomRouter(ABC):
    """Strategy for routing inbound messages to rooms."""

    @abstractmethod
    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        """The id of the room the message goes to, or None to have the kit create one."""


class DefaultInboundRoomRouter(InboundRoomRouter):
    """Routes to the active room that has a binding for the channel.

    When no active room has one, returns None: the kit then creates a room and attaches
    the channel to it.
    """

    def __init__(self, store: ConversationStore) -> None:
        self._store = store

    async def route(
        self,
        channel_id: str,
        channel_type: ChannelType,
        participant_id: str | None = None,
        channel_data: dict[str, Any] | None = None,
    ) -> str | None:
        return await self._store.find_room_id_by_channel(channel_id, status=RoomStatus.ACTIVE)
