"""Run `roomz serve` as a real process on loopback, for tests that need the whole server.

``async with serve(tmp_path) as server:`` starts ``python -m roomz.server serve`` on a free
127.0.0.1 port with its database in ``tmp_path`` and open sign-up, waits for ``/health``,
and stops the process (SIGTERM, then SIGKILL) when the block ends. Login links printed by
the console mail sender are read from the process's standard output.

Environment given to the process: ``ROOMZ_DATABASE=sqlite:///<tmp_path>/roomz.db``,
``ROOMZ_OPEN_SIGNUP=1``, ``ROOMZ_PUBLIC_URL`` = its own address and
``ROOMZ_LOGIN_REQUESTS_PER_CLIENT=1000`` (every test logs in from 127.0.0.1), unless
``env`` overrides them; ``ROOMZ_*`` variables of the test run itself are not passed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import UNIT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerFailed(RuntimeError):
    """The server process exited or never answered; the message carries its output."""


class RunningServer:
    """One `roomz serve` process (restartable on the same port and files)."""

    def __init__(self, folder: Path, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.http_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.folder = folder
        self.output: list[str] = []  # stdout lines: the banner and login links
        self.logs: list[str] = []  # stderr lines: JSON log records
        self.env = {
            "ROOMZ_DATABASE": f"sqlite:///{folder / 'roomz.db'}",
            "ROOMZ_OPEN_SIGNUP": "1",
            "ROOMZ_PUBLIC_URL": self.http_url,
            "ROOMZ_LOGIN_REQUESTS_PER_CLIENT": "1000",
            **env,
        }
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._line = asyncio.Condition()

    @property
    def pid(self) -> int | None:
        """The running process's id."""
        return None if self._process is None else self._process.pid

    async def start(self) -> None:
        """Start the process and wait until ``/health`` answers.

        Raises:
            ServerFailed: it exited, or did not answer within 30 UNIT.
        """
        environ = {k: v for k, v in os.environ.items() if not k.startswith("ROOMZ_")}
        environ.update(self.env)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "roomz.server", "serve", "--port", str(self.port),
            cwd=self.folder, env=environ,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self._process.stdout is not None and self._process.stderr is not None
        self._readers = [
            asyncio.create_task(self._collect(self._process.stdout, self.output)),
            asyncio.create_task(self._collect(self._process.stderr, self.logs)),
        ]
        try:
            await self._wait_healthy()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """SIGTERM, wait up to 15 UNIT, then SIGKILL. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(15 * UNIT):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        elif process is not None:
            await process.wait()
        readers, self._readers = self._readers, []
        await asyncio.gather(*readers, return_exceptions=True)

    async def restart(self) -> None:
        """Stop the process and start it again on the same port with the same files."""
        await self.stop()
        await self.start()

    async def magic_link(self, email: str) -> str:
        """Ask for a login link (``POST /auth/login``) and read it from the console."""
        prefix = f"Login link for {email.strip().lower()}: "
        seen = len(self.output)
        async with httpx.AsyncClient(base_url=self.http_url) as http:
            response = await http.post("/auth/login", json={"email": email})
        if response.status_code != 202:
            raise ServerFailed(f"POST /auth/login answered {response.status_code}: {response.text}")
        async with self._line, asyncio.timeout(10 * UNIT):
            while True:
                for line in self.output[seen:]:
                    if line.startswith(prefix):
                        return line.removeprefix(prefix).strip()
                seen = len(self.output)
                await self._line.wait()

    async def magic_token(self, email: str) -> str:
        """The token of a fresh login link for ``email``."""
        link = await self.magic_link(email)
        return parse_qs(urlsplit(link).query)["token"][0]

    async def session_token(self, email: str) -> str:
        """A session for ``email``, through a login link and ``POST /auth/token``."""
        token = await self.magic_token(email)
        async with httpx.AsyncClient(base_url=self.http_url) as http:
            response = await http.post("/auth/token", json={"token": token})
        response.raise_for_status()
        return str(response.json()["session_token"])

    async def _collect(self, stream: asyncio.StreamReader, lines: list[str]) -> None:
        while line := await stream.readline():
            async with self._line:
                lines.append(line.decode(errors="replace").rstrip("\n"))
                self._line.notify_all()

    async def _wait_healthy(self) -> None:
        async with httpx.AsyncClient(base_url=self.http_url, timeout=UNIT) as http:
            try:
                async with asyncio.timeout(30 * UNIT):
                    while not await self._healthy(http):  # noqa: ASYNC110 - polling a port
                        await asyncio.sleep(0.05)
            except TimeoutError:
                raise ServerFailed(self._failure("did not answer /health")) from None

    async def _healthy(self, http: httpx.AsyncClient) -> bool:
        if self._process is None or self._process.returncode is not None:
            await asyncio.gather(*self._readers, return_exceptions=True)
            raise ServerFailed(self._failure("exited"))
        with contextlib.suppress(httpx.TransportError):
            return (await http.get("/health")).status_code == 200
        return False

    def _failure(self, what: str) -> str:
        tail = "\n".join([*self.output[-20:], *self.logs[-20:]])
        return f"roomz serve on port {self.port} {what}:\n{tail}"


@contextlib.asynccontextmanager
async def serve(tmp_path: Path, **env: str) -> AsyncIterator[RunningServer]:
    """A running `roomz serve` process for the duration of the block (see the module)."""
    server = RunningServer(tmp_path, env)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
