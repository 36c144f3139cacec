"""The roomz page at phone width and with the keyboard alone, in a real Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Response, expect

from tests.roomz.server.serve import RunningServer
from tests.roomz.web.browser import DESKTOP, PHONE, horizontal_overflow, open_visitor, screenshot
from tests.roomz.web.conftest import Web

LONG_WORD = "supercalifragilistic" * 12


async def test_page_is_small_and_loads_only_from_its_server(
    browser: Browser, roomz_server: RunningServer
) -> None:
    """The page fetches nothing from other sites (no fonts, no CDNs) and weighs under 64 KB."""
    visitor = await open_visitor(browser, "anyone", DESKTOP)
    fetched: dict[str, int] = {}

    async def record(response: Response) -> None:
        fetched[response.url] = len(await response.body())

    visitor.page.on("response", record)
    await visitor.page.goto(roomz_server.http_url)
    await expect(visitor.page.locator("#login-view")).to_be_visible()
    await visitor.page.wait_for_load_state("networkidle")
    elsewhere = [url for url in fetched if not url.startswith(roomz_server.http_url + "/")]
    assert elsewhere == []
    assert {"/", "/static/app.js", "/static/style.css"} <= {urlsplit(u).path for u in fetched}
    assert sum(fetched.values()) < 64 * 1024, fetched
    assert visitor.errors == []


async def test_phone_width_has_no_sideways_scrolling(web: Web) -> None:
    """At 375 px the rooms fold behind a toggle and nothing makes the page scroll sideways."""
    ann = await web.log_in("ann@example.com", PHONE)
    bob = await web.log_in("bob@example.com")
    await bob.page.fill("#name-input", "Robert With A Rather Long Display Name")
    await bob.page.press("#name-input", "Enter")
    await bob.send(f"A word that does not fit: {LONG_WORD}")
    await bob.send("Short one.")
    page = ann.page
    await expect(page.locator("#messages .message")).to_have_count(2)

    rooms = page.locator("#rooms")
    toggle = page.locator("#side-toggle")
    await expect(rooms).to_be_hidden()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    assert await horizontal_overflow(page) == 0
    await screenshot(page, "roomz-chat-phone.png")

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(rooms).to_be_visible()
    assert await horizontal_overflow(page) == 0
    await page.locator("#rooms button", has_text="general").click()
    await expect(rooms).to_be_hidden()
    await expect(page.locator("#composer-input")).to_be_focused()

    await toggle.press("Enter")  # and by keyboard: Escape folds it back
    await expect(rooms).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.locator("#rooms button", has_text="general")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(rooms).to_be_hidden()
    await expect(toggle).to_be_focused()


async def tab_to(page: Page, selector: str, key: str = "Tab", limit: int = 40) -> list[str]:
    """Press ``key`` until ``selector`` has focus; returns what was focused on the way."""
    seen: list[str] = []
    for _ in range(limit):
        await page.keyboard.press(key)
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return seen
        seen.append(await page.evaluate(FOCUSED))
    raise AssertionError(f"{selector} never got focus; {key} went through {seen}")


FOCUSED = "document.activeElement.id || document.activeElement.textContent.trim()"


async def test_keyboard_alone_sends_a_message(web: Web) -> None:
    """Tab and Shift+Tab move through the page with a visible focus ring; Enter sends."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    page = ann.page
    await expect(page.locator("#composer-input")).to_be_focused()  # where the chat opens
    await page.keyboard.type("typed with")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("the keyboard")
    await page.keyboard.press("Enter")
    await expect(bob.message("typed with")).to_have_text("typed with\nthe keyboard")

    back = await tab_to(page, "#rooms button[data-room=general]", key="Shift+Tab")
    assert back[:1] == ["messages"] and "room-input" in back
    await page.keyboard.press("Enter")  # choosing the room keeps focus on its button
    await expect(page.locator("#rooms button[data-room=general]")).to_be_focused()
    await tab_to(page, "#logout", key="Shift+Tab")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    await tab_to(page, "#composer-input")
    await page.keyboard.type("and again")
    await page.keyboard.press("Enter")
    await expect(bob.message("and again")).to_have_count(1)

    await tab_to(page, "#logout", key="Shift+Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#login-view")).to_be_visible()
