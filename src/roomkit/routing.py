"""③ Which room an inbound message belongs to."""

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
