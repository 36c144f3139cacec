"""A Redis outage under two roomz processes on PostgreSQL: six clients keep sending through
it, sends refused meanwhile fail fast (503 ``unavailable`` with ``retry_after``) and are
resent with the same ``client_id``, and in the end every client has every acknowledged
message, once, in index order — including those the other process stored before this one
had subscribed again. The test runs its own redis-server and stops that one."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import UNIT, fresh_pg_schema
from tests.roomkit.backend_helpers import ThrowawayRedis
from tests.roomz.server.serve import RunningServer
from tests.roomz.server.test_cluster import two_servers

SEND_EVERY = 0.1  # seconds between two messages of one client


@dataclass
class Chatter:
    """One client on a raw socket: sends numbered messages, records what reaches it."""

    name: str
    ws: ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)  # message frames
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> index
    refusal_waits: list[float] = field(default_factory=list)  # seconds to each 503
    _answers: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def read(self) -> None:
        try:
            async for text in self.ws:
                frame = json.loads(text)
                if frame.get("type") == "message":
                    self.received.append(frame)
                elif frame.get("type") == "result":
                    future = self._answers.pop(str(frame.get("request_id")), None)
                    if future is not None and not future.done():
                        future.set_result(frame)
        except ConnectionClosed:
            pass

    async def ask(self, **request: Any) -> dict[str, Any]:
        request_id = f"r{next(self._ids)}"
        future = self._answers[request_id] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({**request, "request_id": request_id}))
        async with asyncio.timeout(30 * UNIT):
            return await future

    async def send(self, number: int) -> None:
        """Send message ``number`` until it is stored, resending the same client_id."""
        client_id = f"{self.name}-{number}"
        while True:
            started = time.monotonic()
            answer = await self.ask(
                type="send", room="general", content=client_id, client_id=client_id
            )
            if "error" not in answer:
                self.acked[client_id] = int(answer["index"])
                return
            assert answer["reason"] == "unavailable" and answer["code"] == 503, answer
            self.refusal_waits.append(time.monotonic() - started)
            await asyncio.sleep(float(answer["retry_after"]))

    async def keep_sending(self, stop: asyncio.Event) -> None:
        for number in itertools.count():
            if stop.is_set():
                return
            await self.send(number)
            await asyncio.sleep(SEND_EVERY)

    def indexes(self) -> list[int]:
        return [int(m["index"]) for m in self.received]


async def chatter(stack: AsyncExitStack, server: RunningServer, session: str, name: str) -> Chatter:
    headers = {"Authorization": f"Bearer {session}"}
    ws = await stack.enter_async_context(connect(server.ws_url, additional_headers=headers))
    assert json.loads(await ws.recv())["type"] == "authenticated"
    client = Chatter(name, ws)
    reader = asyncio.create_task(client.read())
    stack.push_async_callback(_ended, reader)
    return client


async def _ended(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@dataclass
class Outcome:
    """What each client missed, and how long the refused sends waited for their 503."""

    missed: dict[str, int]
    refusal_waits: list[float]
    acked: int

    @property
    def longest_refusal(self) -> float:
        return max(self.refusal_waits, default=0.0)


async def outage_run(
    tmp_path: Path, postgres_dsn: str, outage: float, before: float = 1.5, after: float = 3.0
) -> Outcome:
    """Six clients on two processes send through a Redis outage of ``outage`` seconds."""
    redis = ThrowawayRedis()
    await redis.start()
    try:
        async with fresh_pg_schema(postgres_dsn) as schema, AsyncExitStack() as stack:
            servers = await stack.enter_async_context(
                two_servers(tmp_path, postgres_dsn, schema, redis.url)
            )
            clients = []
            for number, name in enumerate(("ann", "bob", "cy", "dee", "eve", "fay")):
                server = servers[number % 2]
                session = await server.session_token(f"{name}@example.com")
                clients.append(await chatter(stack, server, session, name))
            stop = asyncio.Event()
            senders = [asyncio.create_task(c.keep_sending(stop)) for c in clients]
            await asyncio.sleep(before)
            await redis.kill()
            await asyncio.sleep(outage)
            await redis.start()
            await asyncio.sleep(after)
            stop.set()
            await asyncio.gather(*senders)
            acked = {i for c in clients for i in c.acked.values()}
            await _until_delivered(clients, max(acked))
            for client in clients:
                assert client.indexes() == sorted(set(client.indexes())), client.name
            received = {c.name: {int(m["index"]) for m in c.received} for c in clients}
            waits = [w for c in clients for w in c.refusal_waits]
            return Outcome(
                missed={name: len(acked - got) for name, got in received.items()},
                refusal_waits=sorted(waits),
                acked=len(acked),
            )
    finally:
        await redis.kill()


async def _until_delivered(clients: list[Chatter], newest: int) -> None:
    """Wait (at most 20 UNIT) until every client received index ``newest``."""
    try:
        async with asyncio.timeout(20 * UNIT):
            while any(max(c.indexes(), default=0) < newest for c in clients):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    except TimeoutError:
        pass  # the assertions name who missed what


async def test_every_client_gets_every_acked_message_once_in_order_across_an_outage(
    tmp_path: Path, postgres_dsn: str
) -> None:
    outcome = await outage_run(tmp_path, postgres_dsn, outage=4.0 * UNIT)
    assert outcome.missed == dict.fromkeys(outcome.missed, 0), outcome
    assert outcome.refusal_waits  # the outage was felt, and answered fast
    assert outcome.longest_refusal < 2.0 * UNIT, outcome


async def test_a_resent_client_id_is_stored_once_on_either_process(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> None:
    """The same (user, client_id) sent through both processes yields one message."""
    async with (
        two_servers(tmp_path, postgres_dsn, pg_schema, redis_url) as (one, two),
        AsyncExitStack() as stack,
    ):
        session = await one.session_token("ann@example.com")
        first = await chatter(stack, one, session, "ann")
        second = await chatter(stack, two, session, "ann")
        request = {"type": "send", "room": "general", "content": "once", "client_id": "c1"}
        answers = await asyncio.gather(first.ask(**request), second.ask(**request))
        assert answers[0]["message_id"] == answers[1]["message_id"], answers
        history = await first.ask(type="history", room="general", since=0)
        assert [m["client_id"] for m in history["messages"]] == ["c1"]
