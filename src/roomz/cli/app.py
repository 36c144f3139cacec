"""The terminal loop of roomz-cli: a prompt_toolkit prompt wired to an AsyncClient.

Lines from the server are printed above the prompt while the person types (prompt_toolkit
suspends the prompt, prints, and redraws it with the half-typed text intact). Tasks: the
client's own (its supervisor and event pump), and the short ``typing`` and ``read``
requests, owned by one :class:`~roomz.cli.events.Background` and cancelled on exit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import Style

from roomz import AsyncClient, ConnectionState
from roomz.cli.actions import Actions
from roomz.cli.events import Background, ServerEvents
from roomz.cli.render import Line, room_tag, status_line
from roomz.cli.view import View
from roomz.client.session_cache import SessionCache

STYLE = Style.from_dict(
    {
        "time": "#888888",
        "room": "ansicyan",
        "author": "bold",
        "status": "#888888",
        "error": "ansired",
        "prompt": "bold",
    }
)

TYPING_EVERY = 3.0
"""Seconds between two ``typing`` announcements while the person keeps typing."""

_PROMPT_STATES = {
    ConnectionState.CONNECTED: "",
    ConnectionState.CONNECTING: "(connecting) ",
    ConnectionState.RECONNECTING: "(reconnecting) ",
    ConnectionState.DISCONNECTED: "(offline) ",
}


class TerminalScreen:
    """Prints lines above the prompt, with :data:`STYLE`; fragments are never parsed."""

    def show(self, line: Line) -> None:
        print_formatted_text(FormattedText(line), style=STYLE)


class _ScreenLog(logging.Handler):
    """Shows the client library's warnings as status lines instead of bare stderr text."""

    def __init__(self, screen: TerminalScreen) -> None:
        super().__init__(logging.WARNING)
        self.screen = screen

    def emit(self, record: logging.LogRecord) -> None:
        self.screen.show(status_line(record.getMessage()))


class ChatApp:
    """One terminal session against one server."""

    def __init__(self, server_url: str, session_file: Path) -> None:
        self.server_url = server_url
        self.client = AsyncClient(server_url, session_cache_file=session_file)
        self.view = View()
        self.screen = TerminalScreen()
        cache = SessionCache(session_file, server_url)
        self.actions = Actions(self.client, cache, self.view, self.screen)
        self._cache = cache
        self._typing_at: float | None = None  # when the last typing=True went out
        self._tasks = Background()
        self._events = ServerEvents(self.client, self.view, self.screen, self._tasks)
        for event, handler in self._events.handlers().items():
            self.client.on(event, handler)

    async def run(self) -> int:
        """Prompt until /quit, Ctrl-D or Ctrl-C; the exit status (0)."""
        log = _ScreenLog(self.screen)
        roomz_log = logging.getLogger("roomz")
        roomz_log.addHandler(log)
        propagate, roomz_log.propagate = roomz_log.propagate, False
        try:
            with patch_stdout():  # stray prints and stderr go above the prompt, too
                session: PromptSession[str] = PromptSession()
                session.default_buffer.on_text_changed += self._on_typing
                await self._start()
                await self._loop(session)
        finally:
            await self._close()
            roomz_log.removeHandler(log)
            roomz_log.propagate = propagate
        return 0

    async def _start(self) -> None:
        self.screen.show(status_line(f"roomz-cli on {self.server_url}; /help lists the commands"))
        if await asyncio.to_thread(self._cache.load):
            await self.actions.run("/connect")
        else:
            message = "not logged in: /login EMAIL sends you a link, then /token LINK"
            self.screen.show(status_line(message))

    async def _loop(self, session: PromptSession[str]) -> None:
        while not self.actions.quitting:
            unsent, self.actions.unsent = self.actions.unsent, None
            try:
                line = await session.prompt_async(self._prompt, default=unsent or "")
            except (EOFError, KeyboardInterrupt):
                return
            await self.actions.run(line)
            if line.strip() and not line.startswith("/"):
                # Others stop showing us as typing when our message arrives; the next
                # keystroke starts a new announcement.
                self._typing_at = None

    async def _close(self) -> None:
        self._events.closing = True
        await self._tasks.cancel()
        await self.client.disconnect()

    def _prompt(self) -> FormattedText:
        state = _PROMPT_STATES[self.client.connection_state]
        return FormattedText([("class:prompt", f"{state}{room_tag(self.view.room)} > ")])

    # -- typing -----------------------------------------------------------------------------

    def _on_typing(self, buffer: Buffer) -> None:
        text = buffer.text
        if not text.strip() or text.startswith("/") or not self.client.connected:
            return
        now = time.monotonic()
        if self._typing_at is None or now - self._typing_at >= TYPING_EVERY:
            self._typing_at = now
            self._tasks.spawn(self.client.typing(self.view.room, True))
