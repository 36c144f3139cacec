"""What roomz-cli knows beside the messages themselves: pure state, fed with event data.

The current room, the rooms the user is in, how many messages arrived in each room while
another one was current, who is here, and who started typing. The roster is what the
events since connecting said (``user_joined``, ``user_left``, ``presence`` and the authors
of live messages): it names people in status lines; ``/who`` asks the server instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from roomz.cli.render import label
from roomz.protocol import DEFAULT_ROOM

TYPING_REPEAT = 10.0
"""Seconds after which a user still typing is announced again."""


@dataclass
class Person:
    """One user the events told about."""

    label: str
    connections: int = 1
    status: str = "online"
    rooms: set[str] = field(default_factory=set)


def _user_id(data: dict[str, Any]) -> str | None:
    user = data.get("user")
    uid = user.get("id") if isinstance(user, dict) else None
    return uid if isinstance(uid, str) else None


def _count(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class View:
    """The terminal's state; every method takes an event's data dict as the client gives it."""

    def __init__(self) -> None:
        self.room = DEFAULT_ROOM
        self.rooms: set[str] = {DEFAULT_ROOM}
        self.unseen: dict[str, int] = {}
        self.last_index: dict[str, int] = {}
        self.first_index: dict[str, int] = {}  # the oldest message shown, per room
        self.people: dict[str, Person] = {}
        self.me: str | None = None
        self._typing: dict[tuple[str, str], float] = {}

    def authenticated(self, data: dict[str, Any]) -> None:
        """A (re)connection: the user's rooms, and only the user themself as here (whoever
        came or went while disconnected is unknown, so the roster starts again)."""
        rooms = [e.get("room") for e in data.get("rooms") or [] if isinstance(e, dict)]
        self.rooms = {DEFAULT_ROOM, *(r for r in rooms if isinstance(r, str))}
        if self.room not in self.rooms:
            self.room = DEFAULT_ROOM
        self.me = _user_id(data)
        self.people.clear()
        self._typing.clear()
        if self.me is not None:
            self.people[self.me] = Person(label(data.get("user")), rooms=set(self.rooms))

    def message(self, data: dict[str, Any], *, live: bool = True) -> None:
        """A message was shown; a live one counts as unseen unless its room is current."""
        room, uid = data.get("room"), _user_id(data)
        if not isinstance(room, str):
            return
        index = _count(data, "index")
        if index is not None:
            self.last_index[room] = max(index, self.last_index.get(room, 0))
            self.first_index[room] = min(index, self.first_index.get(room, index))
        if not live:
            return
        if room != self.room:
            self.unseen[room] = self.unseen.get(room, 0) + 1
        if uid is not None:
            self._typing.pop((uid, room), None)
            self._person(uid, data).rooms.add(room)

    def switch(self, room: str) -> None:
        """Post to ``room`` from now on; its unseen messages count as seen."""
        self.room = room
        self.unseen.pop(room, None)

    def joined(self, room: str) -> None:
        """The user joined ``room`` (and posts there now)."""
        self.rooms.add(room)
        if self.me in self.people:
            self.people[self.me].rooms.add(room)
        self.switch(room)

    def left(self, room: str) -> None:
        """The user left ``room``; back to the default room if it was the current one."""
        self.rooms.discard(room)
        if self.me in self.people:
            self.people[self.me].rooms.discard(room)
        if self.room == room:
            self.switch(DEFAULT_ROOM)

    def user_joined(self, data: dict[str, Any]) -> bool:
        """Someone joined a room or opened a connection; True (it is news)."""
        uid, room = _user_id(data), data.get("room")
        if uid is None:
            return True
        person = self._person(uid, data)
        person.connections = _count(data, "total_connections") or person.connections
        if isinstance(room, str):
            person.rooms.add(room)
        return True

    def user_left(self, data: dict[str, Any]) -> bool:
        """Someone left a room (same connection count) or closed a connection (one less);
        True (it is news)."""
        uid, room = _user_id(data), data.get("room")
        person = self.people.get(uid or "")
        remaining = _count(data, "remaining_connections")
        if person is None or uid is None or uid == self.me:
            return True
        if remaining == 0:
            del self.people[uid]
            return True
        if remaining is not None and remaining >= person.connections and isinstance(room, str):
            person.rooms.discard(room)
        person.connections = remaining or person.connections
        return True

    def presence(self, data: dict[str, Any]) -> bool:
        """Someone is ``online``, ``away`` or ``offline``; True when that is news.

        Going away and coming back are news; coming online and going offline are not,
        since ``user_joined`` and ``user_left`` said so already.
        """
        uid, status = _user_id(data), data.get("status")
        if uid is None or not isinstance(status, str):
            return False
        if status == "offline":
            self.people.pop(uid, None)
            return False
        person = self._person(uid, data)
        news = status == "away" or person.status == "away"
        person.status = status
        return news

    def renamed(self, data: dict[str, Any]) -> bool:
        """Someone set or cleared their display name; True (it is news)."""
        uid, user = _user_id(data), data.get("user")
        if uid in self.people and isinstance(user, dict):
            self.people[uid].label = label({**user, "display_name": data.get("display_name")})
        return True

    def typing(self, data: dict[str, Any], now: float | None = None) -> bool:
        """Record a typing event; True when it is news (a start not announced recently)."""
        uid, room = _user_id(data), data.get("room")
        if uid is None or uid == self.me or not isinstance(room, str):
            return False
        if not data.get("state"):
            self._typing.pop((uid, room), None)
            return False
        now = time.monotonic() if now is None else now
        last = self._typing.get((uid, room))
        self._typing[(uid, room)] = now
        return last is None or now - last >= TYPING_REPEAT

    def here(self, room: str | None = None) -> list[str]:
        """Who is in ``room`` (default: the current one), as labels, the user first."""
        room = room or self.room
        others = sorted(
            p.label + ("" if p.status == "online" else f" ({p.status})")
            for uid, p in self.people.items()
            if uid != self.me and room in p.rooms
        )
        me = self.people.get(self.me or "")
        return ([f"{me.label} (you)"] if me else []) + others

    def _person(self, uid: str, data: dict[str, Any]) -> Person:
        person = self.people.get(uid)
        if person is None:
            person = self.people[uid] = Person(label(data.get("user")))
        elif isinstance(data.get("user"), dict) and "display_name" in data["user"]:
            person.label = label(data["user"])
        return person
