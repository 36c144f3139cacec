"""The sockets open in this process: who they belong to, which rooms reach them, fan-out.

A :class:`Connection` is one socket of one user. Every connection of a user shares one
``rooms`` set (membership belongs to the user, not the socket), and each remembers the last
message index it was sent per room, so a message that reaches it twice (from roomkit's
broadcast and from another process's relay, or again after a resend) is written once.

:class:`LocalSockets` indexes connections by user and users by room, so a frame for a room
is encoded once and pushed to the outbox of each local member's sockets — never awaiting
any of them (see :mod:`roomz.server.outbox` for the slow-socket policy).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from roomz.server.outbox import Outbox

CloseSocket = Callable[[str], None]
"""Closes a socket with the session-ended code (1008) and the given reason; never waits."""


class Connection:
    """One open socket of one user.

    Args:
        close: closes the socket when its session ends (see :meth:`end`).
        lifetime: seconds the session has left when the socket opened (``None``: unknown);
            the chat closes the socket when they have passed.
    """

    __slots__ = (
        "_close", "checked", "expiry", "id", "last_index", "lifetime", "outbox", "rooms",
        "session", "stamp", "tokens", "user",
    )  # fmt: skip

    def __init__(
        self,
        connection_id: str,
        user: dict[str, Any],
        session: str,
        outbox: Outbox,
        *,
        close: CloseSocket | None = None,
        lifetime: float | None = None,
    ) -> None:
        self.id = connection_id
        self.user = user
        self.session = session
        self.outbox = outbox
        self.lifetime = lifetime
        self.expiry: asyncio.TimerHandle | None = None  # the chat's timer for ``lifetime``
        self._close = close
        self.rooms: set[str] = set()  # replaced by the user's shared set when registered
        self.last_index: dict[str, int] = {}
        self.tokens = 0.0  # the rate limiter's bucket (see roomz.server.requests)
        self.stamp = 0.0
        self.checked = time.monotonic()  # when the session was last seen live

    @property
    def user_id(self) -> str:
        return str(self.user["id"])

    def push(self, text: str) -> None:
        """Queue an encoded frame for this socket."""
        self.outbox.push(text)

    def end(self, reason: str) -> None:
        """The session ended (``reason``): nothing more is written, and the socket closes."""
        self.outbox.stop()
        close, self._close = self._close, None
        if close is not None:
            close(reason)

    def deliver(self, room: str, index: int, text: str) -> bool:
        """Queue a message frame unless the user left ``room`` or this socket had it."""
        if room not in self.rooms or index <= self.last_index.get(room, 0):
            return False
        self.last_index[room] = index
        self.outbox.push(text)
        return True


class LocalSockets:
    """Connections by user, and the local members of each room."""

    def __init__(self) -> None:
        self._by_user: dict[str, dict[str, Connection]] = {}
        self._rooms_of: dict[str, set[str]] = {}
        self._members: dict[str, set[str]] = {}

    def add(self, connection: Connection, rooms: set[str]) -> int:
        """Register a socket whose user is in ``rooms``; returns the user's socket count."""
        user_id = connection.user_id
        shared = self._rooms_of.setdefault(user_id, set())
        for room in rooms:
            self.joined(user_id, room)
        connection.rooms = shared
        sockets = self._by_user.setdefault(user_id, {})
        sockets[connection.id] = connection
        return len(sockets)

    def remove(self, connection: Connection) -> int:
        """Forget a socket; returns how many the user still has here."""
        user_id = connection.user_id
        sockets = self._by_user.get(user_id, {})
        sockets.pop(connection.id, None)
        if sockets:
            return len(sockets)
        self._by_user.pop(user_id, None)
        for room in self._rooms_of.pop(user_id, set()):
            members = self._members.get(room)
            if members is not None:
                members.discard(user_id)
        return 0

    def has(self, connection: Connection) -> bool:
        """Whether ``connection`` is registered."""
        return connection.id in self._by_user.get(connection.user_id, {})

    def joined(self, user_id: str, room: str) -> None:
        """``user_id`` (if connected here) is now a member of ``room``."""
        rooms = self._rooms_of.get(user_id)
        if rooms is not None:
            rooms.add(room)
            self._members.setdefault(room, set()).add(user_id)

    def left(self, user_id: str, room: str) -> None:
        """``user_id`` is no longer a member of ``room``."""
        self._rooms_of.get(user_id, set()).discard(room)
        self._members.get(room, set()).discard(user_id)

    def rooms_of(self, user_id: str) -> set[str]:
        """The rooms of a user connected here (empty when not connected)."""
        return self._rooms_of.get(user_id, set())

    def of_user(self, user_id: str) -> list[Connection]:
        """The user's sockets in this process."""
        return list(self._by_user.get(user_id, {}).values())

    def count(self, user_id: str) -> int:
        """How many sockets the user has open here."""
        return len(self._by_user.get(user_id, {}))

    @property
    def user_count(self) -> int:
        """How many users have a socket here."""
        return len(self._by_user)

    def in_room(self, room: str, *, skip: str | None = None) -> Iterator[Connection]:
        """Every local socket of every member of ``room`` except user ``skip``."""
        for user_id in tuple(self._members.get(room, ())):
            if user_id != skip:
                yield from tuple(self._by_user.get(user_id, {}).values())

    def everyone(self, *, skip: str | None = None) -> Iterator[Connection]:
        """Every local socket except those of user ``skip``."""
        for user_id, sockets in tuple(self._by_user.items()):
            if user_id != skip:
                yield from tuple(sockets.values())

    def deliver(self, room: str, index: int, text: str) -> int:
        """Queue a message frame for the room's local members; returns sockets reached."""
        reached = 0
        for connection in self.in_room(room):
            reached += connection.deliver(room, index, text)
        return reached

    def push(self, text: str, connections: Iterable[Connection]) -> None:
        """Queue one encoded frame for each of ``connections``."""
        for connection in connections:
            connection.outbox.push(text)
