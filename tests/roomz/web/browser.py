"""Driving the roomz page in headless Chromium: launch, log in through the magic link, look.

Chromium is Debian's (``chromium`` on PATH, or ``ROOMZ_TEST_CHROMIUM``), driven by
Playwright; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect

from tests.conftest import IN_CI, UNIT
from tests.roomz.server.serve import RunningServer

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1100, "height": 700}
# What the login form says once a link is on its way from a server without email set up.
CONSOLE_NOTICE = (
    "Your login link is printed in the terminal where the roomz server runs "
    "(it sends no email). Open it in this browser."
)
PHONE = {"width": 375, "height": 700}
# Assertions on the page wait up to 10 UNIT (Playwright's default is 5 s, unscaled).
expect.set_options(timeout=10_000 * UNIT)
# Screenshots land at the repository root, in a folder git ignores.
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"


def chromium_path() -> str:
    """Debian's Chromium; a skip locally (a failure in CI) when it is not installed."""
    path = os.environ.get("ROOMZ_TEST_CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    message = "Chromium is not installed; run `bash scripts/system-packages.sh`"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Visitor:
    """One person at one browser: their context, page, and the page's script errors (and
    anything its Content-Security-Policy refused)."""

    email: str
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)

    async def send(self, text: str) -> None:
        """Type ``text`` in the composer and press Enter."""
        await self.page.fill("#composer-input", text)
        await self.page.press("#composer-input", "Enter")

    def message(self, text: str) -> Locator:
        """The locator of the message bodies equal to ``text``."""
        return self.page.locator("#messages .body", has_text=text)


async def open_visitor(browser: Browser, email: str, viewport: dict[str, int]) -> Visitor:
    """A fresh browser context (no cookies) with the page's errors recorded."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000 * UNIT)
    page = await context.new_page()
    visitor = Visitor(email, context, page)
    page.on("pageerror", lambda error: visitor.errors.append(str(error)))
    page.on("console", lambda message: _note_refusal(visitor, message))
    return visitor


def _note_refusal(visitor: Visitor, message: ConsoleMessage) -> None:
    # Chromium reports what the page's Content-Security-Policy blocked on the console.
    if "Content Security Policy" in message.text:
        visitor.errors.append(message.text)


async def wait_for_link(server: RunningServer, email: str) -> str:
    """The login link the console mail sender printed for ``email`` (the newest one)."""
    prefix = f"Login link for {email}: "
    async with asyncio.timeout(5 * UNIT):
        while True:
            for line in reversed(server.output):
                if line.startswith(prefix):
                    return line[len(prefix) :].strip()
            await asyncio.sleep(0.05)


async def log_in(
    browser: Browser, server: RunningServer, email: str, viewport: dict[str, int] = DESKTOP
) -> Visitor:
    """Log ``email`` in as a person does: the form, the printed link, then the chat."""
    visitor = await open_visitor(browser, email, viewport)
    page = visitor.page
    await page.goto(server.http_url)
    await page.fill("#login-email", email)
    await page.click("#login-submit")
    await expect(page.locator("#login-message")).to_have_text(CONSOLE_NOTICE)
    await page.goto(await wait_for_link(server, email))
    await page.click("#verify-submit")  # the link's page: its button spends the link
    await connected(page)
    return visitor


async def connected(page: Page) -> None:
    """Wait until the page says its socket is connected."""
    await expect(page.locator("#status")).to_have_text("Connected")


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scroll)."""
    width = await page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    return int(width) - int(await page.evaluate("window.innerWidth"))


async def screenshot(page: Page, name: str) -> Path:
    """Save the page as ``test-output/<name>`` at the repository root."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / name
    await page.screenshot(path=str(path))
    return path
