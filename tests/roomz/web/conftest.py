"""Fixtures: one headless Chromium per test, and people logged in to a real roomz server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.roomz.server.serve import RunningServer
from tests.roomz.web.browser import CHROMIUM_ARGS, DESKTOP, Visitor, chromium_path, log_in


class Web:
    """The browser and the server of one test; every page it opened must end without errors."""

    def __init__(self, browser: Browser, server: RunningServer) -> None:
        self.browser = browser
        self.server = server
        self.visitors: list[Visitor] = []

    async def log_in(self, email: str, viewport: dict[str, int] = DESKTOP) -> Visitor:
        """A new browser context in which ``email`` has logged in through the magic link."""
        visitor = await log_in(self.browser, self.server, email, viewport)
        self.visitors.append(visitor)
        return visitor

    def script_errors(self) -> list[str]:
        return [f"{v.email}: {error}" for v in self.visitors for error in v.errors]


@contextlib.asynccontextmanager
async def launched() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, closed when the block ends."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with launched() as browser:
        yield browser


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[Web]:
    """A browser and a `roomz serve` process (SQLite in ``tmp_path``), started side by side."""
    server = RunningServer(tmp_path, {})
    starting = asyncio.create_task(server.start())
    try:
        async with launched() as browser:
            await starting
            web = Web(browser, server)
            yield web
    finally:
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        await server.stop()
    assert web.script_errors() == [], "the page raised errors"
