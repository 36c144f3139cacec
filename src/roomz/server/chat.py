"""roomz's policy on roomkit: who is in which room, and how a chat message travels.

* Each user is a roomkit ``WebSocketChannel`` whose id is the user id
  (``user:alice@example.com``); every socket the user has open (browser tabs, Python
  clients, terminal clients) is a connection on that channel.
* Each chat room is a roomkit room with the same id. Membership is a channel binding:
  joining attaches the user's channel, leaving detaches it. Everyone is a member of
  :data:`~roomz.protocol.DEFAULT_ROOM`.
* A message is an ``InboundMessage`` on the sender's channel, so it passes roomkit's lock,
  idempotency (the client's ``client_id``), hooks and store, and roomkit fans it out to the
  other members' channels. roomkit never sends an event back to its source channel, so the
  sender's own sockets get it from here, after the store has it.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from roomkit import (
    InboundMessage,
    RoomEvent,
    RoomExistsError,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomz import protocol
from roomz.errors import REASON_CODES, Reason

SendFrame = Callable[[dict[str, Any]], Awaitable[None]]


class ChatError(Exception):
    """A request the chat refuses, with a stable protocol reason and its HTTP-like code."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = REASON_CODES[reason]

    def frame(self) -> dict[str, Any]:
        """The answer's fields: ``{"error", "code", "reason"}``."""
        return {"error": str(self), "code": self.code, "reason": self.reason}


@dataclass(eq=False)
class Connection:
    """One open socket of one user."""

    id: str
    user: dict[str, Any]
    send: SendFrame
    last_index: dict[str, int] = field(default_factory=dict)

    async def deliver(self, frame: dict[str, Any]) -> None:
        """Send a message frame unless this socket has had it already (by room index)."""
        room, index = frame["room"], frame["index"]
        if index <= self.last_index.get(room, 0):
            return
        self.last_index[room] = index
        await self.send(frame)


class Chat:
    """Chat rooms on one RoomKit: connect sockets, post messages, join and leave."""

    def __init__(self, kit: RoomKit, *, max_message_length: int = protocol.MAX_CONTENT_LENGTH):
        self._kit = kit
        self.max_message_length = max_message_length
        self._channels: dict[str, WebSocketChannel] = {}
        self._connections: dict[str, dict[str, Connection]] = {}
        self._ids = itertools.count(1)

    async def open(self) -> None:
        """Make sure the default room exists."""
        await self.create_room(protocol.DEFAULT_ROOM)

    async def create_room(self, room: str) -> bool:
        """Create a chat room; False if it exists already."""
        try:
            await self._kit.create_room(room, metadata={"roomz": True})
        except RoomExistsError:
            return False
        return True

    # -- sockets ---------------------------------------------------------------------------

    async def connect(self, user: dict[str, Any], send: SendFrame) -> Connection:
        """Register a socket of ``user``; the user becomes a member of the default room."""
        channel = self._channel(user["id"])
        connection = Connection(f"{user['id']}#{next(self._ids)}", dict(user), send)
        self._connections.setdefault(user["id"], {})[connection.id] = connection

        async def deliver(connection_id: str, event: RoomEvent) -> None:
            await connection.deliver(message_frame(event))

        channel.register_connection(connection.id, deliver)
        await self.join(connection, protocol.DEFAULT_ROOM)
        return connection

    async def disconnect(self, connection: Connection) -> None:
        """Forget a socket (its user stays a member of their rooms)."""
        self._channel(connection.user["id"]).unregister_connection(connection.id)
        self._connections.get(connection.user["id"], {}).pop(connection.id, None)

    def sockets_of(self, user_id: str) -> list[Connection]:
        """The user's open sockets in this process."""
        return list(self._connections.get(user_id, {}).values())

    # -- requests --------------------------------------------------------------------------

    async def post(self, connection: Connection, request: protocol.Send) -> dict[str, Any]:
        """Store and fan out a message; the result fields for the ``send`` request.

        Raises:
            ChatError: empty or too long, or the user is not a member of the room.
        """
        content = request.content
        if not content.strip():
            raise ChatError(Reason.EMPTY_CONTENT, "a message needs some text")
        if len(content) > self.max_message_length:
            raise ChatError(
                Reason.CONTENT_TOO_LONG,
                f"messages are limited to {self.max_message_length} "
                f"characters; this one has {len(content)}",
            )
        user = connection.user
        if await self._kit.store.get_binding(request.room, user["id"]) is None:
            raise ChatError(Reason.NOT_A_MEMBER, f"join room {request.room!r} before posting to it")
        key = f"{user['id']}:{request.client_id}" if request.client_id else None
        message = InboundMessage(
            channel_id=user["id"],
            sender_id=user["id"],
            content=TextContent(body=content),
            idempotency_key=key,
            metadata={"user": user, "client_id": request.client_id},
        )
        result = await self._kit.process_inbound(message, room_id=request.room)
        event = result.event
        if result.blocked or event is None:
            raise ChatError(Reason.INVALID_FIELD, result.reason or "the message was refused")
        frame = message_frame(event)
        for socket in self.sockets_of(user["id"]):
            await socket.deliver(frame)
        return {
            "message_id": event.id,
            "timestamp": frame["timestamp"],
            "room": request.room,
            "index": event.index,
        }

    async def join(self, connection: Connection, room: str) -> list[dict[str, Any]]:
        """Make the user a member of ``room``; returns its recent messages.

        Raises:
            ChatError: no such room.
        """
        if await self._kit.store.get_room(room) is None:
            raise ChatError(Reason.ROOM_NOT_FOUND, f"there is no room {room!r}")
        user_id = connection.user["id"]
        if await self._kit.store.get_binding(room, user_id) is None:
            await self._kit.attach_channel(room, user_id)
        return await self.history(room, since=None)

    async def leave(self, connection: Connection, room: str) -> None:
        """Stop being a member of ``room`` (every socket of the user leaves with it)."""
        if room == protocol.DEFAULT_ROOM:
            raise ChatError(Reason.INVALID_FIELD, "everyone stays in the default room")
        if await self._kit.store.get_binding(room, connection.user["id"]) is not None:
            await self._kit.detach_channel(room, connection.user["id"])

    async def history(
        self, room: str, *, since: int | None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Messages after index ``since`` in order, or the newest ``limit`` when None."""
        store = self._kit.store
        if since is None:
            since = max(0, await store.get_event_count(room) - limit)
            events = await store.list_events(room, offset=since, limit=limit)
        else:
            events = await store.list_events(room, offset=since, limit=10_000)
        return [message_frame(e) for e in events if e.status.value != "blocked"]

    def _channel(self, user_id: str) -> WebSocketChannel:
        channel = self._channels.get(user_id)
        if channel is None:
            channel = self._channels[user_id] = WebSocketChannel(user_id)
            self._kit.register_channel(channel)
        return channel


def message_frame(event: RoomEvent) -> dict[str, Any]:
    """The ``message`` frame for a stored chat event."""
    user = event.metadata.get("user") or {
        "id": event.source.channel_id,
        "email": "",
        "display_name": None,
    }
    body = getattr(event.content, "body", "")
    return protocol.message_frame(
        event.id,
        user,
        str(body),
        room=event.room_id,
        index=event.index,
        client_id=event.metadata.get("client_id"),
        at=protocol.timestamp(event.created_at),
    )
