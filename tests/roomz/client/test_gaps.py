"""Catching up page by page, and after a live message that skips ahead of what the client
has: the missing messages are fetched and every message is delivered once, in order."""

from __future__ import annotations

from roomz import ConnectionState
from roomz import protocol as p
from roomz.errors import Reason, error_body
from tests.conftest import UNIT
from tests.roomz.client.conftest import ClientFactory, eventually
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import DroppingProxy
from tests.roomz.client.test_reconnect import ANN, BOB, FAST


def histories(fake: FakeServer) -> list[tuple[str, int]]:
    return [(r.room, r.since) for r in fake.requests if isinstance(r, p.History)]


async def test_a_live_message_past_a_gap_fetches_the_gap_first(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """Messages the client never received live (a server process missed them) arrive
    before the one that revealed the gap, each once."""
    client = make_client(fake.issue_magic_token(ANN))
    seen: list[str] = []
    client.on("message", lambda data: seen.append(data["content"]))
    await client.connect()
    await fake.post(BOB, "one")
    await eventually(lambda: seen == ["one"])
    reader = next(iter(fake.sockets))
    for text in ("two", "three", "four"):
        await fake.post(BOB, text, skip=reader)  # stored, but not relayed to this client
    fake.page_size = 2
    await fake.post(BOB, "five")
    await eventually(lambda: len(seen) >= 5)
    await client.send("sync")
    await eventually(lambda: seen[-1:] == ["sync"])
    assert seen == ["one", "two", "three", "four", "five", "sync"]
    assert histories(fake) == [("general", 1), ("general", 3)]


async def test_after_a_drop_the_catch_up_reads_every_page(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **FAST)
    seen: list[int] = []
    client.on("message", lambda data: seen.append(data["index"]))
    await client.connect()
    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: client.connection_state is ConnectionState.RECONNECTING)
    for i in range(10):
        await fake.post(BOB, f"m{i}")
    fake.page_size = 3
    proxy.refusing = False
    await eventually(lambda: len(seen) >= 10)
    assert seen == list(range(1, 11))
    assert [since for _, since in histories(fake)] == [0, 3, 6, 9]


async def test_a_send_refused_for_a_moment_or_unanswered_is_stored_once(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """429 and 503 with retry_after are waited out, a lost result is asked again: every
    attempt carries the one client_id, so the message is stored once."""
    client = make_client(fake.issue_magic_token(ANN), connection_timeout=0.5 * UNIT)
    await client.connect()
    fake.send_refusals = [
        error_body(Reason.RATE_LIMITED, "slow down", retry_after=0.05),
        {"error": "the store is briefly away", "code": 503, "reason": "unavailable",
         "retry_after": 0.05},
    ]  # fmt: skip
    fake.results_lost = 1
    answer = await client.send("once")
    assert answer["status"] == "ok" and answer["index"] == 1
    sends = [r for r in fake.requests if isinstance(r, p.Send)]
    assert len(sends) == 4 and len({s.client_id for s in sends}) == 1
    assert [m["content"] for m in fake.rooms["general"]] == ["once"]


async def test_a_refusal_without_retry_after_is_final(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    client = make_client(fake.issue_magic_token(ANN))
    await client.connect()
    fake.send_refusals = [error_body(Reason.NOT_A_MEMBER, "join first")]
    assert (await client.send("no"))["reason"] == "not_a_member"
    assert len([r for r in fake.requests if isinstance(r, p.Send)]) == 1
