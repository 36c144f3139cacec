"""What each roomz-cli command does: one method per command, over an AsyncClient.

Every outcome, good or bad, is one line on the :class:`Screen`; a failure never raises out
of :meth:`Actions.run` (the prompt carries on). Server text is shown through
:mod:`roomz.cli.render`, which makes it visible and never parses it as markup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx

from roomz import AsyncClient, AuthenticationError, ClientError, ConnectionState
from roomz.cli import commands as c
from roomz.cli.render import Line, error_line, error_text, label, message_line, room_tag
from roomz.cli.render import status_line as status
from roomz.cli.view import View
from roomz.client.connection import http_base
from roomz.client.session_cache import SessionCache
from roomz.errors import Reason
from roomz.protocol import MAX_INDEX

logger = logging.getLogger(__name__)

HISTORY_LINES = 20
"""Messages shown from a room's history when joining it."""

NOT_CONNECTED = "not connected: /login EMAIL for a link, then /token LINK (or /connect)"


class Screen(Protocol):
    """Where lines go: above the prompt."""

    def show(self, line: Line) -> None: ...


class Actions:
    """The commands, bound to one client, its session cache, the view and the screen."""

    def __init__(
        self, client: AsyncClient, cache: SessionCache, view: View, screen: Screen
    ) -> None:
        self.client = client
        self.cache = cache
        self.view = view
        self.screen = screen
        self.quitting = False
        self.unsent: str | None = None  # a message not sent, to put back on the prompt
        self._table: dict[type[Any], Callable[[Any], Awaitable[None]]] = {
            c.Say: self.say,
            c.Login: self.login,
            c.UseToken: self.use_token,
            c.Connect: self.reconnect,
            c.SetName: self.set_name,
            c.Logout: self.logout,
            c.Quit: self.quit,
            c.Join: self.join,
            c.Leave: self.leave,
            c.ListRooms: self.rooms,
            c.SwitchRoom: self.switch,
            c.Who: self.who,
            c.More: self.more,
            c.Help: self.help,
        }

    async def run(self, line: str) -> None:
        """Parse ``line`` and do it; every failure becomes one error line.

        A message that was not sent is left in :attr:`unsent`.
        """
        self.unsent = None
        command: c.Command | None = None
        try:
            command = c.parse(line)
            if command is not None:
                await self._table[type(command)](command)
        except c.CommandError as exc:
            self.screen.show(error_line(str(exc)))
        except AuthenticationError as exc:
            self.screen.show(error_line(f"not logged in: {exc}; /login EMAIL for a new link"))
        except ClientError as exc:
            self.screen.show(error_line(self._explain(command, exc)))
        except Exception as exc:  # a bug of ours must not end the session: report, carry on
            logger.debug("command %r failed", line, exc_info=True)
            self.screen.show(error_line(f"that failed: {exc!r}"))

    def _explain(self, command: c.Command | None, exc: ClientError) -> str:
        """The line for a client error: unreachable server, or no connection to talk on."""
        if isinstance(command, c.Login | c.UseToken | c.Connect):
            return f"cannot reach the server: {exc}"
        state = self.client.connection_state
        if state is ConnectionState.RECONNECTING:
            return "not connected right now (reconnecting...); try again in a moment"
        if state is ConnectionState.DISCONNECTED:
            return NOT_CONNECTED
        return str(exc)

    # -- commands ---------------------------------------------------------------------------

    async def say(self, command: c.Say) -> None:
        # Until the server has it, the text is kept to be put back on the prompt: nobody
        # should have to type a message again because the connection was down.
        self.unsent = c.typed(command.text)
        result = await self.client.send(command.text, room=self.view.room)
        if "error" in result:
            self.screen.show(error_line(f"not sent: {error_text(result)}"))
            return
        self.unsent = None  # shown when the server broadcasts it back, as others see it

    async def login(self, command: c.Login) -> None:
        if await self.client.login(command.email):
            sent = f"a login link is on its way to {command.email}; paste it here: /token LINK"
            self.screen.show(status(sent))
        else:
            refused = "the server refused to send a link (a bad address, or too many requests)"
            self.screen.show(error_line(refused))

    async def use_token(self, command: c.UseToken) -> None:
        if self.client.connection_state is not ConnectionState.DISCONNECTED:
            await self.client.disconnect()
        self.screen.show(status("connecting..."))
        await self.client.connect(command.token)  # the "authenticated" event says who we are

    async def reconnect(self, _: c.Connect) -> None:
        if self.client.connected:
            self.screen.show(status("already connected"))
            return
        self.screen.show(status("connecting with the saved session..."))
        await self.client.connect()

    async def set_name(self, command: c.SetName) -> None:
        result = await self.client.set_display_name(command.name)
        if "error" in result:
            self.screen.show(error_line(f"name not changed: {error_text(result)}"))
            return
        shown = label(self.client.user or {})
        self.screen.show(status(f"you are now shown as {shown}"))

    async def logout(self, _: c.Logout) -> None:
        token = await asyncio.to_thread(self.cache.load)
        await self.client.disconnect()
        await asyncio.to_thread(self.client.clear_cached_session)
        revoked = "" if token is None else await self._revoke(token)
        self.screen.show(status(f"logged out; the saved session is deleted{revoked}"))

    async def quit(self, _: c.Quit) -> None:
        self.quitting = True

    async def join(self, command: c.Join) -> None:
        room = command.room
        result = await self.client.join(room)
        if result.get("reason") == Reason.ROOM_NOT_FOUND:
            result = await self.client.create_room(room)
            if "error" not in result:
                self.screen.show(status(f"created {room_tag(room)}"))
        if "error" in result:
            self.screen.show(error_line(f"cannot join {room_tag(room)}: {error_text(result)}"))
            return
        history = result.get("history") or []
        for message in history[-HISTORY_LINES:]:
            if isinstance(message, dict):
                self.view.message(message, live=False)
                self.screen.show(message_line(message))
        self.view.joined(room)
        self.screen.show(status(f"you are in {room_tag(room)}; your messages go there now"))

    async def leave(self, command: c.Leave) -> None:
        room = command.room or self.view.room
        result = await self.client.leave(room)
        if "error" in result:
            self.screen.show(error_line(f"cannot leave {room_tag(room)}: {error_text(result)}"))
            return
        self.view.left(room)
        self.screen.show(
            status(f"you left {room_tag(room)}; posting to {room_tag(self.view.room)}")
        )

    async def rooms(self, _: c.ListRooms) -> None:
        result = await self.client.list_rooms()
        if "error" in result:
            self.screen.show(error_line(f"cannot list the rooms: {error_text(result)}"))
            return
        rooms = [r for r in result.get("rooms") or [] if isinstance(r, dict)]
        self.screen.show(status(f"{len(rooms)} rooms (* you are in it, > you post there):"))
        for entry in rooms:
            self.screen.show(status(self._room_entry(entry)))

    async def switch(self, command: c.SwitchRoom) -> None:
        room = command.room
        if room is None:
            self.screen.show(status(f"you post to {room_tag(self.view.room)}"))
        elif room not in self.view.rooms:
            self.screen.show(error_line(f"you are not in {room_tag(room)}; /join {room} first"))
        else:
            self.view.switch(room)
            self.screen.show(status(f"you post to {room_tag(room)} now"))
            if room in self.view.last_index:
                await self._mark_read(room, self.view.last_index[room])

    async def who(self, _: c.Who) -> None:
        if self.view.me is None:
            self.screen.show(error_line(NOT_CONNECTED))
            return
        room = self.view.room
        answer = await self.client.who(room)
        if "error" in answer:
            self.screen.show(error_line(error_text(answer)))
            return
        me, others = [], []
        for entry in answer.get("users", []):
            user = entry.get("user") or {}
            away = "" if entry.get("status") == "online" else f" ({entry.get('status')})"
            if user.get("id") == self.view.me:
                me.append(f"{label(user)} (you){away}")
            else:
                others.append(f"{label(user)}{away}")
        people = me + others
        self.screen.show(status(f"here in {room_tag(room)} ({len(people)}): {', '.join(people)}"))

    async def more(self, command: c.More) -> None:
        """Older messages of the current room, oldest first, under a line saying so; the
        room's first message is followed by a line marking its start."""
        room = self.view.room
        before = self.view.first_index.get(room, MAX_INDEX)
        if before <= 1:
            self.screen.show(status(f"that is the start of {room_tag(room)}: nothing older"))
            return
        result = await self.client.history(room, before=before, limit=command.count)
        if "error" in result:
            self.screen.show(error_line(f"no history for {room_tag(room)}: {error_text(result)}"))
            return
        messages = [m for m in result.get("messages") or [] if isinstance(m, dict)]
        self.screen.show(status(f"{len(messages)} older messages of {room_tag(room)}:"))
        for message in messages:
            self.view.message(message, live=False)
            self.screen.show(message_line(message))
        if result.get("has_more") is False:
            self.view.first_index[room] = 1  # nothing below: the next /more says so at once
            self.screen.show(status(f"start of {room_tag(room)}"))

    async def help(self, _: c.Help) -> None:
        for line in c.help_lines():
            self.screen.show([("class:help", line)])

    # -- internals ---------------------------------------------------------------------------

    def _room_entry(self, entry: dict[str, Any]) -> str:
        room = entry.get("room")
        marks = (">" if room == self.view.room else " ") + ("*" if entry.get("joined") else " ")
        unread = entry.get("unread")
        if not isinstance(unread, int) or isinstance(unread, bool):
            unread = self.view.unseen.get(str(room), 0)
        count = f", {unread} unread" if unread else ""
        return f"{marks} {room_tag(room)}{count}"

    async def _mark_read(self, room: str, index: int) -> None:
        # Read receipts are a courtesy; a dropped connection is reported by its own event.
        with contextlib.suppress(ClientError):
            await self.client.mark_read(room, index)

    async def _revoke(self, token: str) -> str:
        """Ask the server to end the session everywhere; the suffix of the logout line."""
        url = f"{http_base(self.cache.server_url)}/auth/logout"
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(timeout=5.0) as http:
                response = await http.post(url, headers=headers)
        except httpx.HTTPError as exc:
            return f" (the server could not be asked to revoke it: {exc!r})"
        if response.is_success:
            return " and revoked on the server"
        return f" (the server did not revoke it: HTTP {response.status_code})"
