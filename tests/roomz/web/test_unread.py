"""Unread counts in the page never count the user's own messages, sent from anywhere."""

from __future__ import annotations

from playwright.async_api import expect

from roomz import AsyncClient
from tests.roomz.web.browser import connected
from tests.roomz.web.conftest import Web


async def test_messages_you_sent_elsewhere_are_not_unread_in_the_page(web: Web) -> None:
    """Ann posts three messages to #ops from her Python client; her page, reloaded and
    looking at #general, shows #ops without an unread badge and a plain tab title."""
    ann = await web.log_in("ann@example.com")
    session = await web.server.session_token("ann@example.com")
    async with AsyncClient(web.server.ws_url, session) as script:
        assert (await script.create_room("ops"))["status"] == "ok"
        for n in range(3):
            await script.send(f"note {n}", room="ops")
    page = ann.page
    await page.reload()
    await connected(page)
    await page.click('#rooms button[data-room="general"]')
    ops = page.locator('#rooms button[data-room="ops"]')
    await expect(ops).to_be_visible()
    await expect(page.locator("#room-title")).to_have_text("# general")
    await expect(ops.locator(".badge")).to_have_count(0)
    await expect(page).to_have_title("roomz")
