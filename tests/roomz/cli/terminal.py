"""A program in a real terminal: tmux runs it, the test types keys and reads the screen.

Each :class:`Terminal` has a tmux server of its own (``tmux -L <unique name>``, no user
configuration), so tests never see each other's panes; leaving the block kills that server
and with it the program. A shell in the pane prints the program's exit status when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path

from tests.conftest import UNIT

_CONFIG = "set -g history-limit 5000\nset -g status off\n"
_EXITED = "[program exited with status"


class Terminal:
    """One tmux pane running one command."""

    def __init__(self, socket_name: str, config: Path) -> None:
        self.socket_name = socket_name
        self.config = config

    @classmethod
    @contextlib.asynccontextmanager
    async def run(
        cls,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        workdir: Path,
        width: int = 120,
        height: int = 40,
    ) -> AsyncIterator[Terminal]:
        """Start ``command`` in a ``width`` x ``height`` pane; kill it when the block ends."""
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (make install brings it)")
        config = workdir / f"tmux-{uuid.uuid4().hex[:8]}.conf"
        config.write_text(_CONFIG)
        terminal = cls(f"roomz-test-{uuid.uuid4().hex[:12]}", config)
        assignments = [f"{key}={value}" for key, value in env.items()]
        # The shell outlives the program to report its status: tmux's own pane_dead_status
        # is only set once tmux reaps the child, which was seen to lag behind by seconds.
        line = (
            f"cd {shlex.quote(str(cwd))} && env {shlex.join([*assignments, *command])}; "
            f'echo "{_EXITED} $?"; exec sleep 3600'
        )
        await terminal.tmux("new-session", "-d", "-x", str(width), "-y", str(height), line)
        try:
            yield terminal
        finally:
            await terminal.tmux("kill-server", check=False)

    async def tmux(self, *args: str, check: bool = True) -> str:
        """Run one tmux command against this terminal's server; its standard output."""
        process = await asyncio.create_subprocess_exec(
            "tmux",
            "-L",
            self.socket_name,
            "-f",
            str(self.config),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        if check and process.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {err.decode().strip()}")
        return out.decode()

    async def type(self, text: str) -> None:
        """Type ``text`` literally (no key names, no Enter)."""
        await self.tmux("send-keys", "-l", text)

    async def press(self, *keys: str) -> None:
        """Press keys by tmux name: ``Enter``, ``C-d``, ``BSpace`` ..."""
        await self.tmux("send-keys", *keys)

    async def enter(self, line: str) -> None:
        """Type ``line`` and press Enter."""
        await self.type(line)
        await self.press("Enter")

    async def screen(self, *, history: bool = False, escapes: bool = False) -> str:
        """The text of the pane (with ``history``, the lines scrolled off too)."""
        args = ["capture-pane", "-p", "-J"]
        args += ["-S", "-"] if history else []
        args += ["-e"] if escapes else []
        return await self.tmux(*args)

    async def wait_for(self, expected: str | Callable[[str], bool], *, units: float = 5.0) -> str:
        """Poll the screen (history included) until it shows ``expected``; the screen then.

        Fails the test with the screen in the message after ``units`` UNITs.
        """
        found: Callable[[str], bool] = (
            expected if callable(expected) else (lambda screen: expected in screen)
        )
        screen = ""
        try:
            async with asyncio.timeout(units * UNIT):
                # Polling: the screen is another process's; there is no event to await.
                while not found(screen := await self.screen(history=True)):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"the screen never showed {expected!r}:\n{screen}") from None
        return screen

    async def prompt_line(self) -> str:
        """The last non-empty line of the visible pane (where the cursor's prompt is)."""
        lines = [line for line in (await self.screen()).splitlines() if line.strip()]
        return lines[-1] if lines else ""

    async def wait_prompt_line(self, expected: str, *, units: float = 5.0) -> None:
        """Wait until the last line of the pane reads ``expected`` (the prompt is redrawn
        after every line printed above it, so right after a line it may be missing)."""
        last = ""
        try:
            async with asyncio.timeout(units * UNIT):
                while (last := await self.prompt_line()) != expected:  # noqa: ASYNC110 - polling
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"the last line stayed {last!r}, not {expected!r}") from None

    async def exit_status(self) -> int | None:
        """The program's exit status once it has exited, else ``None``."""
        screen = await self.screen(history=True)
        _, found, rest = screen.rpartition(_EXITED + " ")
        return int(rest.split()[0]) if found else None

    async def wait_exit(self, *, units: float = 5.0) -> int:
        """Wait up to ``units`` UNITs for the program to exit; its exit status."""
        try:
            async with asyncio.timeout(units * UNIT):
                while (status := await self.exit_status()) is None:  # noqa: ASYNC110 - polling
                    await asyncio.sleep(0.05)
        except TimeoutError:
            screen = await self.screen(history=True)
            raise AssertionError(f"the program did not exit:\n{screen}") from None
        return status
