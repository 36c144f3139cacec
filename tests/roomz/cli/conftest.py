"""Fixtures for the terminal tests: a roomz server, roomz-cli in tmux, and other users.

``chat`` is the server the CLI talks to: a real ``roomz serve`` process (the
``roomz_server`` fixture), behind the small interface the terminal tests need
(:class:`ChatServer`). ``cli()`` starts
``python -m roomz.cli`` in a tmux pane; ``peer(email)`` is another user, an AsyncClient the
test drives.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol

import pytest

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.cli.terminal import Terminal
from tests.roomz.server.serve import RunningServer

REPO = Path(__file__).resolve().parents[3]


class ChatServer(Protocol):
    """What the terminal tests need of a roomz server."""

    ws_url: str
    http_url: str

    async def link_for(self, email: str) -> str:
        """The magic link the server sent to ``email`` after a login request (waits for it)."""
        ...

    async def token(self, email: str) -> str:
        """A fresh magic-link token for ``email``, for a test's own client."""
        ...

    async def restart(self) -> None:
        """Stop the server and start it again on the same port and files."""
        ...


class RealChat:
    """:class:`ChatServer` over a real ``roomz serve`` process (console mail sender)."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.http_url = server.http_url
        self.ws_url = server.ws_url

    async def link_for(self, email: str) -> str:
        prefix = f"Login link for {email}: "
        async with asyncio.timeout(10 * UNIT):
            while True:
                for line in self.server.output:
                    if line.startswith(prefix):
                        return line.removeprefix(prefix).strip()
                await asyncio.sleep(0.02)

    async def token(self, email: str) -> str:
        return await self.server.magic_token(email)

    async def restart(self) -> None:
        await self.server.restart()


@pytest.fixture
def chat(roomz_server: RunningServer) -> ChatServer:
    return RealChat(roomz_server)


class Peer:
    """Another user: a connected AsyncClient that records the messages it receives."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.messages: list[dict[str, Any]] = []
        self.typing: list[dict[str, Any]] = []
        client.on("message", self.messages.append)
        client.on("typing", self.typing.append)

    async def message(self, content: str) -> dict[str, Any]:
        """The first message received with ``content`` (waits up to 5 UNIT)."""
        return await self._first(self.messages, lambda m: m.get("content") == content)

    async def typing_from(self, email: str) -> dict[str, Any]:
        """The first typing event from ``email`` (waits up to 5 UNIT)."""
        return await self._first(self.typing, lambda t: t["user"]["email"] == email)

    @staticmethod
    async def _first(
        events: list[dict[str, Any]], match: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        async with asyncio.timeout(5 * UNIT):
            while True:
                for event in events:
                    if match(event):
                        return event
                await asyncio.sleep(0.02)


@pytest.fixture
async def peer(chat: ChatServer) -> AsyncIterator[Callable[..., Any]]:
    """``await peer(email)``: a connected :class:`Peer`, disconnected at teardown."""
    made: list[AsyncClient] = []

    async def connect(email: str) -> Peer:
        client = AsyncClient(chat.ws_url, connection_timeout=5 * UNIT)
        made.append(client)
        await client.connect(await chat.token(email))
        return Peer(client)

    yield connect
    for client in made:
        await client.disconnect()


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "roomz" / "session.json"


CliFactory = Callable[..., contextlib.AbstractAsyncContextManager[Terminal]]


@pytest.fixture
def cli(chat: ChatServer, tmp_path: Path) -> CliFactory:
    """``async with cli(*args) as term``: roomz-cli against ``chat`` in a 120x40 pane.

    The session lives in the default place under ``XDG_CONFIG_HOME=<tmp>/config``.
    """

    def start(
        *args: str, server: str | None = None
    ) -> contextlib.AbstractAsyncContextManager[Terminal]:
        env = {
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PYTHONPATH": f"{REPO / 'src'}:{REPO}",
            "TZ": "UTC",
        }
        command = [sys.executable, "-m", "roomz.cli", "--server", server or chat.ws_url, *args]
        return Terminal.run(command, env=env, cwd=REPO, workdir=tmp_path)

    return start


async def prompt(term: Terminal) -> None:
    """Wait until the CLI shows its prompt (keys typed before it would be echoed raw)."""
    await term.wait_for("/help lists the commands")
    async with asyncio.timeout(5 * UNIT):
        while not (await term.prompt_line()).endswith(">"):  # noqa: ASYNC110 - polling
            await asyncio.sleep(0.05)


async def log_in(term: Terminal, chat: ChatServer, email: str) -> None:
    """Connect the CLI in ``term`` as ``email`` with a token typed at its prompt."""
    await prompt(term)
    await term.enter(f"/token {await chat.token(email)}")
    await term.wait_for(f"connected as {email}")
