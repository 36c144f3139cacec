"""The roomz page after a live message that skips ahead of what it has: the messages it
never received are fetched and every message is shown once, in order."""

from __future__ import annotations

import json
from collections.abc import Callable

from playwright.async_api import WebSocketRoute, expect

from roomz import AsyncClient
from tests.roomz.web.browser import connected
from tests.roomz.web.conftest import Web

TEXTS = ["one", "lost two", "lost three", "lost four", "five"]


def losing_live_messages(dropped: list[str]) -> Callable[[WebSocketRoute], None]:
    """A socket route to the real server that loses the live ``message`` frames whose
    content starts with "lost" (as if a server process had missed them); everything else,
    history replies included, passes unchanged."""

    def route(page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()

        def to_page(data: str | bytes) -> None:
            frame = json.loads(data)
            if frame.get("type") == "message" and frame["content"].startswith("lost"):
                dropped.append(frame["content"])
                return
            page_side.send(data)

        server_side.on_message(to_page)

    return route


async def test_messages_missed_live_are_fetched_and_shown_once_in_order(web: Web) -> None:
    """Three live messages never reach the page; the next one reveals the gap, and the
    page shows all five in index order, each once."""
    ann = await web.log_in("ann@example.com")
    dropped: list[str] = []
    await ann.context.route_web_socket("**/ws", losing_live_messages(dropped))
    await ann.page.reload()  # the page's socket now runs through the route
    await connected(ann.page)
    token = await web.server.session_token("bob@example.com")
    async with AsyncClient(web.server.ws_url, token) as bob:
        await bob.send(TEXTS[0])
        await expect(ann.message(TEXTS[0])).to_have_count(1)
        for text in TEXTS[1:]:
            assert (await bob.send(text)).get("status") == "ok"
    bodies = ann.page.locator("#messages .message .body")
    await expect(bodies).to_have_text(TEXTS)
    assert dropped == TEXTS[1:4]  # they were lost on the way, not delivered live
