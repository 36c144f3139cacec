"""Two people chatting through the roomz page in two browser contexts of a real Chromium."""

from __future__ import annotations

from playwright.async_api import Page, expect

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.server.test_who import until_who
from tests.roomz.web.browser import connected, screenshot
from tests.roomz.web.conftest import Web

SCRIPT = "<script>window.pwned=1</script>"
IMAGE = '<img src=x onerror="window.pwned=1">'
# A headless tab is never hidden; this makes the page's document say it is (or is not) and
# fires the event a browser fires when the user switches tabs.
SET_HIDDEN = """(hidden) => {
  Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
  Object.defineProperty(document, "visibilityState",
                        {value: hidden ? "hidden" : "visible", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
# Records every text the connection status shows, so a short-lived "Reconnecting…" is not missed.
WATCH_STATUS = """() => {
  const status = document.getElementById("status");
  window.statusSeen = [];
  new MutationObserver(() => window.statusSeen.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


async def create_room(page: Page, room: str) -> None:
    """Type a new room's name in "Join or create", then confirm that it is to be created."""
    await page.fill("#room-input", room)
    await page.press("#room-input", "Enter")
    await expect(page.locator("#room-create")).to_contain_text(f"There is no room # {room} yet.")
    await page.click("#room-create-button")


async def test_message_reaches_the_other_browser(web: Web) -> None:
    """A message Ann sends appears in Bob's page with her address as the author."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await ann.send("Hello Bob, lunch at noon?")
    await expect(bob.message("Hello Bob, lunch at noon?")).to_have_count(1)
    author = bob.page.locator("#messages .message", has_text="lunch at noon").locator(".author")
    await expect(author).to_have_text("ann@example.com")
    live = bob.page.locator("#announcer[aria-live=polite]")  # what a screen reader says
    await expect(live).to_have_text("ann@example.com: Hello Bob, lunch at noon?")
    await expect(ann.message("Hello Bob, lunch at noon?")).to_have_count(1)
    await expect(ann.page.locator("#composer-input")).to_have_value("")

    await bob.send("Sure.\nSee you there.")
    await expect(ann.message("Sure.")).to_have_text("Sure.\nSee you there.")
    await bob.page.locator("#composer-input").press_sequentially("Shall I")
    await expect(ann.page.locator("#typing")).to_have_text("bob@example.com is typing…")
    await screenshot(ann.page, "roomz-chat.png")


async def test_markup_in_messages_and_names_is_shown_as_text(web: Web) -> None:
    """Script and image tags in a message or a display name show literally and never run."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await ann.page.fill("#name-input", IMAGE)
    await ann.page.click("#name-form button[type=submit]")
    await expect(ann.page.locator("#me")).to_have_text(f"{IMAGE} (ann@example.com)")
    await ann.send(f"{SCRIPT} and {IMAGE}")

    body = bob.message("window.pwned")
    await expect(body).to_have_text(f"{SCRIPT} and {IMAGE}")
    author = bob.page.locator("#messages .message .author")
    await expect(author).to_have_text(f"{IMAGE} (ann@example.com)")
    for visitor in (ann, bob):
        assert await visitor.page.locator("#messages img, #messages script").count() == 0
        assert await visitor.page.evaluate("typeof window.pwned") == "undefined"


async def test_display_name_is_set_and_cleared(web: Web) -> None:
    """A name Ann sets shows as 'Name (email)' in Bob's page, and clearing it shows the email.
    Each message keeps the name it was sent with, live and after a reload alike."""
    bob = await web.log_in("bob@example.com")
    ann = await web.log_in("ann@example.com")  # after Bob, so his page sees her arrive
    await ann.send("hi")
    author = bob.page.locator("#messages .author")
    await expect(author).to_have_text(["ann@example.com"])
    await ann.page.fill("#name-input", "  Ann Lee ")
    await ann.page.press("#name-input", "Enter")
    await expect(ann.page.locator("#name-message")).to_have_text("Name saved.")
    await expect(bob.page.locator("#online")).to_contain_text("Ann Lee (ann@example.com)")
    await ann.send("named now")
    named = ["ann@example.com", "Ann Lee (ann@example.com)"]
    await expect(author).to_have_text(named)
    await bob.page.reload()
    await connected(bob.page)
    await expect(author).to_have_text(named)  # the same after a reload
    await ann.page.click("#name-clear")
    await expect(ann.page.locator("#name-message")).to_have_text("Name cleared.")
    await expect(bob.page.locator("#online")).to_contain_text("ann@example.com")
    await expect(author).to_have_text(named)


async def test_typing_and_who_is_online_reach_the_other_browser(web: Web) -> None:
    """Bob's arrival, typing and departure show in Ann's page as they happen."""
    ann = await web.log_in("ann@example.com")
    online = ann.page.locator("#online")
    await expect(online).not_to_contain_text("bob@example.com")
    bob = await web.log_in("bob@example.com")
    await expect(online).to_contain_text("bob@example.com")

    await bob.page.locator("#composer-input").press_sequentially("Hel")
    typing = ann.page.locator("#typing")
    await expect(typing).to_have_text("bob@example.com is typing…")
    await bob.page.fill("#composer-input", "")  # emptied: stopped typing
    await expect(typing).to_have_text("")

    await bob.page.locator("#composer-input").press_sequentially("Hello")
    await expect(typing).to_have_text("bob@example.com is typing…")
    await bob.page.press("#composer-input", "Enter")
    await expect(ann.message("Hello")).to_have_count(1)
    await expect(typing).to_have_text("")

    await bob.context.close()
    await expect(online).not_to_contain_text("bob@example.com")


async def test_hidden_tab_shows_as_away(web: Web) -> None:
    """Bob shows as away in Ann's page while his tab is hidden, and online again after."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    bob_in_ann = ann.page.locator("#online .person", has_text="bob@example.com")
    await expect(bob_in_ann).to_have_class("person here")
    await bob.page.evaluate(SET_HIDDEN, True)
    await expect(bob_in_ann).to_have_class("person away")
    await expect(bob_in_ann).to_contain_text("away")
    await bob.page.evaluate(SET_HIDDEN, False)
    await expect(bob_in_ann).to_have_class("person here")


async def test_rooms_unread_counts_and_history(web: Web) -> None:
    """A room made by Ann and joined by Bob counts unread messages until he opens it."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await create_room(ann.page, "lounge")
    await expect(ann.page.locator("#room-title")).to_have_text("# lounge")
    await ann.send("first in the lounge")
    await expect(ann.message("first in the lounge")).to_have_count(1)

    await bob.page.fill("#room-input", "lounge")
    await bob.page.press("#room-input", "Enter")
    await expect(bob.message("first in the lounge")).to_have_count(1)  # history on join
    await bob.page.locator("#rooms button", has_text="general").click()
    await expect(bob.page.locator("#room-title")).to_have_text("# general")

    await ann.send("second")
    await ann.send("third")
    lounge = bob.page.locator("#rooms button", has_text="lounge")
    await expect(lounge.locator(".badge")).to_have_text("2 unread")
    await expect(bob.page.locator("#messages")).not_to_contain_text("second")
    await bob.page.reload()  # the server kept count: Bob's read receipts say what he saw
    await connected(bob.page)
    await expect(lounge.locator(".badge")).to_have_text("2 unread")
    await lounge.click()
    await expect(bob.page.locator("#messages .body")).to_have_text(
        ["first in the lounge", "second", "third"]
    )
    await expect(lounge.locator(".badge")).to_have_count(0)
    await bob.page.locator("#rooms button", has_text="general").click()
    await bob.page.reload()
    await connected(bob.page)
    await ann.send("fourth")  # the only one Bob has not seen
    await expect(lounge.locator(".badge")).to_have_text("1 unread")


async def test_leaving_and_rejoining_a_room(web: Web) -> None:
    """A room left is offered under 'Other rooms'; joining it again shows its history."""
    ann = await web.log_in("ann@example.com")
    page = ann.page
    await create_room(page, "lounge")
    await expect(page.locator("#room-title")).to_have_text("# lounge")
    await ann.send("kept in the lounge")
    await expect(ann.message("kept in the lounge")).to_have_count(1)
    await page.click("#leave")
    await expect(page.locator("#room-title")).to_have_text("# general")
    await expect(page.locator("#rooms")).not_to_contain_text("lounge")
    await expect(page.locator("#leave")).to_be_hidden()  # nobody leaves the default room

    await page.locator("#other-rooms button", has_text="lounge").click()
    await expect(page.locator("#room-title")).to_have_text("# lounge")
    await expect(page.locator("#messages .body")).to_have_text(["kept in the lounge"])
    await expect(page.locator("#other-rooms")).to_be_hidden()


async def test_rooms_made_by_others_are_offered(web: Web) -> None:
    """A room Ann creates after Bob arrived is offered to him, and one click takes him in."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await create_room(ann.page, "garden")
    await expect(ann.page.locator("#room-title")).to_have_text("# garden")
    await ann.send("the roses are out")
    await expect(ann.message("the roses are out")).to_have_count(1)

    await bob.page.focus("#room-input")
    offer = bob.page.locator("#other-rooms button", has_text="garden")
    await expect(offer).to_have_text("Join # garden")
    await offer.click()
    await expect(bob.page.locator("#room-title")).to_have_text("# garden")
    await expect(bob.message("the roses are out")).to_have_count(1)


async def test_room_errors_show_near_the_form(web: Web) -> None:
    """An invalid room name is refused with a readable message and no room is entered."""
    ann = await web.log_in("ann@example.com")
    await ann.page.fill("#room-input", "-bad name")
    await ann.page.press("#room-input", "Enter")
    await expect(ann.page.locator("#room-message")).to_contain_text("letters, digits")
    await expect(ann.page.locator("#room-title")).to_have_text("# general")


async def test_server_errors_show_near_the_composer(web: Web) -> None:
    """A message over the server's limit is refused with its reason and kept for editing."""
    ann = await web.log_in("ann@example.com")
    too_long = "x" * 4001
    await ann.send(too_long)
    await expect(ann.page.locator("#composer-error")).to_contain_text("4000")
    await expect(ann.page.locator("#composer-input")).to_have_value(too_long)
    await expect(ann.page.locator("#messages .message")).to_have_count(0)


async def test_missed_messages_arrive_once_after_going_offline(web: Web) -> None:
    """Messages sent while Bob was offline appear once each, in order, when he is back."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await ann.send("before")
    await expect(bob.message("before")).to_have_count(1)

    await bob.context.set_offline(True)
    await expect(bob.page.locator("#status")).to_have_text("Offline")
    for text in ("while away 1", "while away 2", "while away 3"):
        await ann.send(text)
    await expect(ann.message("while away 3")).to_have_count(1)
    await bob.context.set_offline(False)
    await connected(bob.page)
    await ann.send("after")
    await expect(bob.page.locator("#messages .body")).to_have_text(
        ["before", "while away 1", "while away 2", "while away 3", "after"]
    )


async def test_message_sent_offline_is_delivered_once_back_online(web: Web) -> None:
    """What Bob sends while offline reaches Ann once, when his connection is back."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await bob.context.set_offline(True)
    await expect(bob.page.locator("#status")).to_have_text("Offline")
    await bob.send("written on the train")
    await ann.page.wait_for_timeout(300 * UNIT)
    await expect(ann.message("written on the train")).to_have_count(0)
    await bob.context.set_offline(False)
    await expect(ann.message("written on the train")).to_have_count(1)
    await expect(bob.message("written on the train")).to_have_count(1)
    await ann.send("welcome back")
    await expect(ann.page.locator("#messages .body")).to_have_text(
        ["written on the train", "welcome back"]
    )


async def test_page_reconnects_after_a_server_restart(web: Web) -> None:
    """When the server restarts the page shows it is reconnecting, then chats on without repeats."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    await ann.send("one")
    await expect(bob.message("one")).to_have_count(1)
    await ann.page.evaluate(WATCH_STATUS)
    await web.server.restart()
    await connected(ann.page)
    await connected(bob.page)
    assert "Reconnecting…" in await ann.page.evaluate("window.statusSeen")
    await ann.send("two")
    await expect(bob.page.locator("#messages .body")).to_have_text(["one", "two"])
    await expect(ann.page.locator("#messages .body")).to_have_text(["one", "two"])


async def test_people_online_before_the_page_opened_are_listed(web: Web) -> None:
    """Ann's page lists Bob (away) and Cy, online before it opened; a room lists its members."""
    bob = await web.log_in("bob@example.com")
    await bob.page.evaluate(SET_HIDDEN, True)
    cy = AsyncClient(web.server.ws_url, await web.server.session_token("cy@example.com"))
    async with cy:
        await until_who(cy, lambda users: ("bob@example.com", "away", 1) in users)
        ann = await web.log_in("ann@example.com")
        online = ann.page.locator("#online .person")
        await expect(online).to_have_count(3)
        bob_in_ann = online.filter(has_text="bob@example.com")
        await expect(bob_in_ann).to_have_class("person away")
        await expect(online.filter(has_text="cy@example.com")).to_have_class("person here")

        await create_room(ann.page, "porch")
        await expect(ann.page.locator("#room-title")).to_have_text("# porch")
        await expect(online).to_have_text(["ann@example.com (you)"])
        await cy.join("porch")
        await expect(online.filter(has_text="cy@example.com")).to_have_count(1)
        await ann.page.locator("#rooms button", has_text="general").click()
        await expect(online).to_have_count(3)
        await expect(bob_in_ann).to_have_class("person away")
