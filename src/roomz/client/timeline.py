"""Per-room bookkeeping that turns live frames and catch-up histories into one ordered stream.

Each room has a high-water mark: the index of the last message handed to handlers. A message
at or below it is a duplicate and is dropped. While a room catches up (after a reconnect, or
after a live message skipped ahead of the mark: see :meth:`Timeline.gap`), its live messages
are held back; each history page is admitted as it arrives, and when the last one is in,
the held messages are merged behind it in index order — so handlers see every missed
message once, in order, before anything newer. Pure bookkeeping: no I/O, no event loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from roomz.protocol import DEFAULT_ROOM

Message = dict[str, Any]


def _index(message: Message) -> int | None:
    index = message.get("index")
    return index if isinstance(index, int) and not isinstance(index, bool) else None


def _order(message: Message) -> int:
    index = _index(message)
    return -1 if index is None else index


class Timeline:
    """High-water marks per room, and the messages held while a room catches up."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._held: dict[str, list[Message]] = {}

    def seed(self, room: str, last_index: int) -> None:
        """Start ``room`` at ``last_index`` unless a mark is known already."""
        self._last.setdefault(room, last_index)

    def forget(self, room: str) -> None:
        """Drop everything known about ``room`` (after leaving it)."""
        self._last.pop(room, None)
        self._held.pop(room, None)

    def marks(self) -> dict[str, int]:
        """A copy of the high-water mark of every room seen so far."""
        return dict(self._last)

    def hold(self, rooms: Iterable[str]) -> None:
        """Begin catching up ``rooms``: their live messages wait for :meth:`release`."""
        for room in rooms:
            self._held.setdefault(room, [])

    def catching_up(self, room: str) -> bool:
        """True while ``room``'s live messages are held back."""
        return room in self._held

    def gap(self, message: Message) -> int | None:
        """The room's mark when the live ``message`` skips ahead of it (messages between
        are missing), unless the room is catching up already; else ``None``."""
        room, index = str(message.get("room", DEFAULT_ROOM)), _index(message)
        last = self._last.get(room)
        if index is None or last is None or room in self._held or index <= last + 1:
            return None
        return last

    def admit(self, room: str, page: Iterable[Message]) -> list[Message]:
        """A history page of a room catching up: what to deliver now (the room stays held)."""
        return self._admit(room, list(page))

    def release(self, room: str, history: Iterable[Message]) -> list[Message]:
        """End the catch-up of ``room``: the messages to deliver now, in order."""
        held = self._held.pop(room, [])
        return self._admit(room, [*history, *held])

    def abandon(self) -> None:
        """Drop every held message (the connection fell again; the next catch-up refetches)."""
        self._held.clear()

    def accept(self, message: Message) -> list[Message]:
        """A live message: ``[message]`` to deliver now, or ``[]`` if held or a duplicate."""
        room = str(message.get("room", DEFAULT_ROOM))
        if room in self._held:
            self._held[room].append(message)
            return []
        return self._admit(room, [message])

    def _admit(self, room: str, messages: list[Message]) -> list[Message]:
        # Messages without an index cannot be ordered or deduplicated; they pass through.
        ordered = sorted(messages, key=_order)
        admitted: list[Message] = []
        for message in ordered:
            index = _index(message)
            last = self._last.get(room)
            if index is not None and last is not None and index <= last:
                continue
            if index is not None:
                self._last[room] = index
            admitted.append(message)
        return admitted
