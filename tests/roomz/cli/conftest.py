"""Fixtures for the terminal tests: a roomz server, roomz-cli in tmux, and other users.

``chat`` is the server the CLI talks to, behind one small interface (:class:`ChatServer`)
so the terminal tests read the same whatever serves them. ``cli()`` starts
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
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import serve

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


class FakeChat:
    """:class:`ChatServer` over the client library's stand-in server."""

    def __init__(self, fake: FakeServer, port: int) -> None:
        self.fake = fake
        self.http_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"{self.http_url}/ws".replace("http://", "ws://")

    async def link_for(self, email: str) -> str:
        async with asyncio.timeout(5 * UNIT):
            while email not in self.fake.magic_tokens.values():  # noqa: ASYNC110 - no event to await
                await asyncio.sleep(0.02)
        token = next(t for t, mail in self.fake.magic_tokens.items() if mail == email)
        return f"{self.http_url}/auth/verify?token={token}"

    async def token(self, email: str) -> str:
        return self.fake.issue_magic_token(email)


@pytest.fixture
async def chat() -> AsyncIterator[ChatServer]:
    fake = FakeServer()
    async with serve(fake.app) as port:
        yield FakeChat(fake, port)


class Peer:
    """Another user: a connected AsyncClient that records the messages it receives."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.messages: list[dict[str, Any]] = []
        client.on("message", self.messages.append)

    async def message(self, content: str) -> dict[str, Any]:
        """The first message received with ``content`` (waits up to 5 UNIT)."""
        async with asyncio.timeout(5 * UNIT):
            while True:
                for message in self.messages:
                    if message.get("content") == content:
                        return message
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
