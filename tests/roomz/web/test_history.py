"""The roomz page and a room's past: scrolling back to its first message, messages sent
while the server is down, and finding one's way back (reload, new rooms, typos)."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.web.browser import connected, screenshot
from tests.roomz.web.conftest import Web
from tests.roomz.web.test_chat import create_room

SCROLL_TO_TOP = "() => { document.getElementById('messages').scrollTop = 0; }"


async def test_scrolling_up_reaches_the_first_message_and_marks_the_start(web: Web) -> None:
    """130 messages: the page opens on the newest 50; scrolling up loads the rest, in order,
    each once, down to the first, above which the start of the room is marked."""
    texts = [f"old {n:03d}" for n in range(1, 131)]
    async with AsyncClient(web.server.ws_url, await web.server.session_token("cy@ex.com")) as cy:
        answers = await asyncio.gather(*(cy.send(text) for text in texts[:65]))
        answers += await asyncio.gather(*(cy.send(text) for text in texts[65:]))
        assert all(a.get("status") == "ok" for a in answers)
    texts = [text for _, text in sorted(zip((a["index"] for a in answers), texts, strict=True))]
    ann = await web.log_in("ann@example.com")
    bodies = ann.page.locator("#messages .body")
    await expect(bodies.last).to_have_text(texts[-1])
    assert await bodies.count() < 130
    await expect(ann.page.locator("#messages .start")).to_have_count(0)
    async with asyncio.timeout(60 * UNIT):
        while not await ann.page.locator("#messages .start").count():
            await ann.page.evaluate(SCROLL_TO_TOP)
            await asyncio.sleep(0.2)
    await expect(bodies).to_have_text(texts)
    start = ann.page.locator("#messages li").first
    await expect(start).to_have_text("This is the start of # general.")
    await ann.page.evaluate(SCROLL_TO_TOP)  # nothing more to load, nothing repeated
    await asyncio.sleep(0.3)
    await screenshot(ann.page, "roomz-history-start.png")
    await expect(bodies).to_have_count(130)


async def test_a_message_sent_while_the_server_is_down_shows_as_sending_then_goes_once(
    web: Web,
) -> None:
    ann = await web.log_in("ann@example.com")
    await ann.send("before")
    await expect(ann.message("before")).to_have_count(1)
    await web.server.stop()
    await expect(ann.page.locator("#status")).not_to_have_text("Connected")
    await ann.send("while the server is down")
    pending = ann.page.locator("#messages .message.pending")
    await expect(pending).to_have_count(1)
    await expect(pending.locator(".when")).to_have_text("sending…")
    await expect(pending.locator(".body")).to_have_text("while the server is down")
    await web.server.start()
    # The page's backoff may have grown to 15 s while the server was down.
    await expect(ann.page.locator("#status")).to_have_text("Connected", timeout=40_000 * UNIT)
    await expect(pending).to_have_count(0)
    await expect(ann.page.locator("#messages .body")).to_have_text(
        ["before", "while the server is down"]
    )
    token = await web.server.session_token("bob@example.com")
    async with AsyncClient(web.server.ws_url, token) as bob:
        stored = (await bob.history("general"))["messages"]
    assert [m["content"] for m in stored] == ["before", "while the server is down"]


async def test_rooms_others_create_appear_without_a_reload(web: Web) -> None:
    bob = await web.log_in("bob@example.com")
    token = await web.server.session_token("ann@example.com")
    async with AsyncClient(web.server.ws_url, token) as ann:
        assert (await ann.create_room("garden"))["status"] == "ok"
        offer = bob.page.locator("#other-rooms button", has_text="garden")
        await expect(offer).to_have_text("Join # garden", timeout=20_000 * UNIT)


async def test_a_reload_returns_to_the_room_shown(web: Web) -> None:
    ann = await web.log_in("ann@example.com")
    await create_room(ann.page, "lounge")
    await expect(ann.page.locator("#room-title")).to_have_text("# lounge")
    await ann.send("in the lounge")
    await ann.page.reload()
    await connected(ann.page)
    await expect(ann.page.locator("#room-title")).to_have_text("# lounge")
    await expect(ann.message("in the lounge")).to_have_count(1)
    await ann.page.click("#leave")
    await ann.page.reload()
    await connected(ann.page)
    await expect(ann.page.locator("#room-title")).to_have_text("# general")


async def test_a_typo_in_join_or_create_asks_before_making_a_room(web: Web) -> None:
    ann = await web.log_in("ann@example.com")
    await create_room(ann.page, "lounge")
    await ann.page.locator("#rooms button", has_text="general").click()
    await ann.page.fill("#room-input", "loungee")
    await ann.page.press("#room-input", "Enter")
    await expect(ann.page.locator("#room-create")).to_contain_text("no room # loungee yet")
    await expect(ann.page.locator("#room-title")).to_have_text("# general")
    token = await web.server.session_token("bob@example.com")
    async with AsyncClient(web.server.ws_url, token) as bob:
        rooms = [r["room"] for r in (await bob.list_rooms())["rooms"]]
    assert "loungee" not in rooms and "lounge" in rooms
    await ann.page.fill("#room-input", "lounge")
    await ann.page.press("#room-input", "Enter")
    await expect(ann.page.locator("#room-title")).to_have_text("# lounge")
    await expect(ann.page.locator("#room-create")).to_be_hidden()


async def test_days_are_marked_and_one_persons_messages_are_grouped(web: Web) -> None:
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    for text in ("one", "two", "three"):
        await ann.send(text)
        await expect(bob.message(text)).to_have_count(1)
    await bob.send("four")
    await expect(ann.message("four")).to_have_count(1)
    await ann.send("five")
    items = bob.page.locator("#messages .message")
    await expect(items).to_have_count(5)
    grouped = [("grouped" in (await items.nth(i).get_attribute("class") or "")) for i in range(5)]
    assert grouped == [False, True, True, False, False]
    await expect(bob.page.locator("#messages .day")).to_have_text(["Today"])
    assert await items.first.locator("time").get_attribute("title")
    await screenshot(bob.page, "roomz-grouped.png")
