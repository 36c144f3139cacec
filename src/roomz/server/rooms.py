"""Chat rooms as roomkit rooms, and membership as channel bindings.

Each chat room is a roomkit room with the same id, marked by :data:`CHAT_ROOM` metadata.
Joining attaches the user's ``WebSocketChannel`` (id ``user:<email>``), leaving detaches
it; everyone is a member of :data:`~roomz.protocol.DEFAULT_ROOM`. The relay channel is
bound to every room (see :mod:`roomz.server.relay`). Joins and leaves are announced to
every process, whose local view of membership (:class:`~roomz.server.sockets.LocalSockets`)
follows; a room's history is read from the store, in index order.
"""

from __future__ import annotations

import contextlib
from typing import Any

from roomkit import (
    ChannelAlreadyAttachedError,
    RoomEvent,
    RoomExistsError,
    RoomKit,
    WebSocketChannel,
)
from roomz import protocol
from roomz.errors import ChatError, ProtocolError, Reason
from roomz.server.relay import RELAY_CHANNEL_ID, Relay
from roomz.server.sockets import Connection, LocalSockets

CHAT_ROOM = {"roomz": True}  # the metadata that marks a roomkit room as a chat room


class Rooms:
    """Creates, joins, leaves and lists chat rooms; reads their history.

    Args:
        kit: the kit holding rooms and channels.
        sockets: this process's sockets (their membership view follows every change).
        relay: announces joins and leaves to every process.
        history_limit: messages a join returns.
    """

    def __init__(
        self, kit: RoomKit, sockets: LocalSockets, relay: Relay, *, history_limit: int = 50
    ) -> None:
        self._kit = kit
        self._sockets = sockets
        self._relay = relay
        self.history_limit = history_limit
        self._channels: dict[str, WebSocketChannel] = {}

    async def open(self) -> None:
        """Make sure the default room exists and the relay is bound to every room."""
        await self.create_room(protocol.DEFAULT_ROOM)
        for room in await self._kit.store.find_rooms(metadata_filter=CHAT_ROOM):
            await self.bind_relay(room.id)

    async def create_room(self, room: str) -> bool:
        """Create a chat room; False if it exists already."""
        try:
            await self._kit.create_room(room, metadata=dict(CHAT_ROOM))
        except RoomExistsError:
            return False
        await self.bind_relay(room)
        return True

    async def join(self, connection: Connection, room: str) -> None:
        """Make the user a member of ``room`` (the answer's history is read by the caller,
        :class:`~roomz.server.history.HistoryPages`).

        Raises:
            ChatError: no such room.
        """
        if await self._kit.store.get_room(room) is None:
            raise ChatError(Reason.ROOM_NOT_FOUND, f"there is no room {room!r}")
        user_id = connection.user_id
        if await self.ensure_member(user_id, room):
            self._sockets.joined(user_id, room)
            await self._relay.watch(room)
            user = protocol.User.of(connection.user)
            joined = protocol.UserJoined(user, room, self._sockets.count(user_id))
            await self._relay.announce(joined)

    async def leave(self, connection: Connection, room: str) -> None:
        """Stop being a member of ``room`` (every socket of the user leaves with it)."""
        if room == protocol.DEFAULT_ROOM:
            raise ChatError(Reason.INVALID_FIELD, "everyone stays in the default room")
        user_id = connection.user_id
        if await self._kit.store.get_binding(room, user_id) is None:
            return
        with contextlib.suppress(Exception):  # a concurrent leave from another tab won
            await self._kit.detach_channel(room, user_id)
        user = protocol.User.of(connection.user)
        left = protocol.UserLeft(user, room, self._sockets.count(user_id))
        await self._relay.announce(left)  # members hear it first
        self._sockets.left(user_id, room)

    async def create(self, connection: Connection, room: str) -> None:
        """Create ``room`` with the user as its first member.

        Raises:
            ChatError: the room exists.
        """
        if not await self.create_room(room):
            raise ChatError(Reason.ROOM_EXISTS, f"room {room!r} exists already")
        await self.join(connection, room)

    async def list_rooms(self, connection: Connection) -> list[dict[str, Any]]:
        """Every chat room: ``{"room", "last_index", "joined", "unread"}``."""
        store, user_id = self._kit.store, connection.user_id
        listed = []
        for room in await store.find_rooms(metadata_filter=CHAT_ROOM):
            joined = await store.get_binding(room.id, user_id) is not None
            unread = await store.get_unread_count(room.id, user_id) if joined else 0
            last = await store.get_event_count(room.id)
            listed.append({"room": room.id, "last_index": last, "joined": joined, "unread": unread})
        return listed

    async def memberships(self, user_id: str) -> set[str]:
        """The user's chat rooms (from memory when the user has a socket here already:
        membership changes made anywhere reach every process)."""
        known = self._sockets.rooms_of(user_id)
        if known:
            return set(known)
        await self.ensure_member(user_id, protocol.DEFAULT_ROOM)
        store, rooms = self._kit.store, set()
        for room in await store.find_rooms(metadata_filter=CHAT_ROOM):
            if await store.get_binding(room.id, user_id) is not None:
                rooms.add(room.id)
        return rooms

    async def require_member(self, user_id: str, room: str) -> None:
        if room in self._sockets.rooms_of(user_id):
            return
        store = self._kit.store
        if await store.get_binding(room, user_id) is not None:
            return
        if await store.get_room(room) is None:
            raise ChatError(Reason.ROOM_NOT_FOUND, f"there is no room {room!r}")
        raise ChatError(Reason.NOT_A_MEMBER, f"join room {room!r} first")

    async def ensure_member(self, user_id: str, room: str) -> bool:
        """Bind the user's channel to ``room``; True if it was not bound."""
        self.channel(user_id)
        if await self._kit.store.get_binding(room, user_id) is not None:
            return False
        try:
            await self._kit.attach_channel(room, user_id)
        except ChannelAlreadyAttachedError:
            return False  # another socket of the user (or another process) got there first
        return True

    async def bind_relay(self, room: str) -> None:
        if await self._kit.store.get_binding(room, RELAY_CHANNEL_ID) is None:
            with contextlib.suppress(ChannelAlreadyAttachedError):
                await self._kit.attach_channel(room, RELAY_CHANNEL_ID)

    def channel(self, user_id: str) -> WebSocketChannel:
        channel = self._channels.get(user_id)
        if channel is None:
            channel = self._channels[user_id] = WebSocketChannel(user_id)
            self._kit.register_channel(channel)
        return channel


def message_frame(event: RoomEvent) -> dict[str, Any]:
    """The ``message`` frame for a stored chat event."""
    return chat_message(event).to_frame()


def chat_message(event: RoomEvent) -> protocol.Message:
    """The message a stored chat event is; its author as they were named when they sent it
    (an event stored without a user object shows its channel id and no address)."""
    try:
        author = protocol.User.of(event.metadata.get("user") or {})
    except ProtocolError:
        author = protocol.User(event.source.channel_id, "")
    body = getattr(event.content, "body", "")
    client_id = event.metadata.get("client_id")
    at = protocol.timestamp(event.created_at)
    return protocol.Message(event.id, author, str(body), event.room_id, event.index, client_id, at)
