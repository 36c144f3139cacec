"""The roomz page sending faster than the server allows: refused sends wait as told and go
again, each message shown "sending…" meanwhile and stored once."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.web.conftest import Web

BURST = 45  # the server allows 20 requests a second per connection (bursts of 20)
# Submits every text through the composer form at once, as fast as a script can type, and
# records the most messages ever shown "sending…" at the same time.
SUBMIT_ALL = """(texts) => {
  const input = document.getElementById("composer-input");
  const form = document.getElementById("composer");
  const list = document.getElementById("messages");
  window.mostSending = 0;
  new MutationObserver(() => {
    const sending = list.querySelectorAll(".message.pending").length;
    window.mostSending = Math.max(window.mostSending, sending);
  }).observe(list, {childList: true, subtree: true});
  for (const text of texts) {
    input.value = text;
    form.requestSubmit();
  }
}"""


async def test_a_burst_over_the_rate_limit_is_delivered_once_each(web: Web) -> None:
    """45 messages submitted at once: the sends the server refuses with 429 wait its
    retry_after and go again with their client_id; every message is delivered once, to the
    sender's page and to another person's, with no error shown and none left "sending…"."""
    ann = await web.log_in("ann@example.com")
    bob = await web.log_in("bob@example.com")
    texts = [f"burst {n:02d}" for n in range(BURST)]
    await ann.page.evaluate(SUBMIT_ALL, texts)
    sending = ann.page.locator("#messages .message.pending")
    async with asyncio.timeout(60 * UNIT):
        for visitor in (ann, bob):
            bodies = visitor.page.locator("#messages .message:not(.pending) .body")
            await expect(bodies).to_have_count(BURST, timeout=60_000 * UNIT)
            assert sorted(await bodies.all_text_contents()) == texts
    await expect(sending).to_have_count(0)
    await expect(ann.page.locator("#composer-error")).to_have_text("")
    # More were on their way at once than the server accepts in a second: some were refused.
    assert await ann.page.evaluate("window.mostSending") > 20
    token = await web.server.session_token("cy@example.com")
    async with AsyncClient(web.server.ws_url, token) as cy:
        stored = (await cy.history("general"))["messages"]
    assert sorted(m["content"] for m in stored) == texts  # each stored once
