"""What roomz-cli does with each event from the server: update the view, show a line.

Handlers run in the client's event pump, one at a time and in arrival order, so they may
await requests (the recent history on connecting) without reordering what is shown. Read
receipts for the room being looked at go out as its messages arrive, from tasks owned by
a :class:`Background` (one task per room, at most one receipt a second).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from roomz import AsyncClient, ClientError, ConnectionState
from roomz.cli.actions import HISTORY_LINES, Screen
from roomz.cli.render import (
    error_line,
    error_text,
    event_line,
    label,
    message_line,
    room_tag,
    status_line,
)
from roomz.cli.view import View
from roomz.client.handlers import EventHandler
from roomz.errors import Reason

READ_EVERY = 1.0
"""Seconds between two read receipts for one room: in a busy room, one a second is plenty,
and each request counts against the server's per-connection rate limit."""


class Background:
    """Short requests that nobody waits for; each ends quietly on a client error."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, request: Coroutine[Any, Any, Any]) -> None:
        """Run ``request`` in a task of its own, owned here until it ends."""
        task = asyncio.create_task(self._quietly(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel(self) -> None:
        """Cancel every task still running and wait for them."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _quietly(request: Coroutine[Any, Any, Any]) -> None:
        # Typing and read receipts are hints; a dropped connection has its own event.
        with contextlib.suppress(ClientError):
            await request


class ServerEvents:
    """The handlers ``ChatApp`` registers on its client."""

    def __init__(self, client: AsyncClient, view: View, screen: Screen, tasks: Background):
        self.client = client
        self.view = view
        self.screen = screen
        self.tasks = tasks
        self.closing = False  # set on exit: the last "disconnect" is not news
        self._connected_before = False
        self._reading: set[str] = set()

    def handlers(self) -> dict[str, EventHandler]:
        """Event name → handler, for ``client.on``."""
        view = self.view
        return {
            "authenticated": self._authenticated,
            "message": self._message,
            "user_joined": self._roster("user_joined", view.user_joined),
            "user_left": self._roster("user_left", view.user_left),
            "presence": self._roster("presence", view.presence),
            "display_name_changed": self._roster("display_name_changed", view.renamed),
            "typing": self._typing,
            "error": self._error,
            "disconnect": self._disconnect,
        }

    async def _authenticated(self, data: dict[str, Any]) -> None:
        self.view.authenticated(data)
        again, self._connected_before = self._connected_before, True
        where = f"you post to {room_tag(self.view.room)}"
        self.screen.show(status_line(f"connected as {label(data.get('user'))}; {where}"))
        if not again:  # on later connections the client delivers what was missed by itself
            await self._show_recent(data)

    async def _show_recent(self, data: dict[str, Any]) -> None:
        """The current room's last messages from before connecting."""
        room = self.view.room
        marks = [
            e for e in data.get("rooms") or [] if isinstance(e, dict) and e.get("room") == room
        ]
        last = marks[0].get("last_index") if marks else None
        if not isinstance(last, int) or last <= 0:
            return
        result = await self.client.history(room, since=max(0, last - HISTORY_LINES))
        if "error" in result:
            self.screen.show(error_line(f"no history for {room_tag(room)}: {error_text(result)}"))
            return
        for message in result.get("messages") or []:
            index = message.get("index") if isinstance(message, dict) else None
            if isinstance(index, int) and index <= last:  # later ones arrive as live events
                self.view.message(message, live=False)
                self.screen.show(message_line(message))

    def _message(self, data: dict[str, Any]) -> None:
        self.view.message(data)
        self.screen.show(message_line(data))
        room = data.get("room")
        if room == self.view.room and room not in self._reading:
            self._reading.add(room)  # one read request in flight per room; it re-checks
            self.tasks.spawn(self._read(room))

    async def _read(self, room: str) -> None:
        """Mark ``room`` read up to its newest message while it is the one looked at."""
        sent = 0
        try:
            while room == self.view.room and self.client.connected:
                index = self.view.last_index.get(room, 0)
                if index <= sent:
                    return
                await self.client.mark_read(room, index)
                sent = index
                await asyncio.sleep(READ_EVERY)
        finally:
            self._reading.discard(room)

    def _roster(self, event: str, update: Callable[[dict[str, Any]], bool]) -> EventHandler:
        """A handler that updates the roster, then shows the event if it is news."""

        def handle(data: dict[str, Any]) -> None:
            news = update(data)
            user = data.get("user")
            if not news or (isinstance(user, dict) and user.get("id") == self.view.me):
                return  # our own join, leave or rename: the command said so already
            line = event_line(event, data)
            if line is not None:
                self.screen.show(line)

        return handle

    def _typing(self, data: dict[str, Any]) -> None:
        line = event_line("typing", data) if self.view.typing(data) else None
        if line is not None:
            self.screen.show(line)

    def _error(self, data: dict[str, Any]) -> None:
        hints = {
            str(Reason.RECONNECT_FAILED): "; /connect to try again",
            str(Reason.INVALID_TOKEN): "; log in again: /login EMAIL",
        }
        hint = hints.get(str(data.get("reason")), "")
        self.screen.show(error_line(error_text(data) + hint))

    def _disconnect(self, _: dict[str, Any]) -> None:
        if self.closing:
            return
        if self.client.connection_state is ConnectionState.RECONNECTING:
            self.screen.show(status_line("connection lost; reconnecting..."))
        else:
            self.screen.show(status_line("disconnected"))
