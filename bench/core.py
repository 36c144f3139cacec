"""Core pipeline benchmark (public API only). Prints one JSON line of figures.

Workloads, all on the in-memory store:
  single_room_msgs_per_s   one room, 11 WebSocket channels, 3 sync BEFORE_BROADCAST hooks,
                           2 async AFTER_BROADCAST hooks; messages from one channel
  multi_room_msgs_per_s    the same set-up over 1,000 rooms, 64 messages in flight (and
                           again with gc.freeze() after set-up: "_gc_frozen")
  mixed_room_msgs_per_s  one room: a WebSocket binding and ten transport bindings (SMS x2, RCS,
                           email, WhatsApp, WhatsApp personal, Messenger, Teams, Telegram, HTTP)
                           on mock providers, 3 sync + 2 async hooks; messages from the socket
  mixed_multi_room_msgs_per_s  the mixed room over 1,000 rooms, 100 messages in flight
  fanout_us_per_delivery   one room, one WebSocket channel with 1,000 connections
  timeline_page_ms         a random 50-event page of a room holding 100,000 events
  memory_mb                RSS of a fresh process holding 10,000 rooms x (2 bindings + 10
                           events), and the part of it that the data set added

Each workload runs in a fresh interpreter.

Usage: python bench/core.py [--quick] [--only WORKLOAD|memory]
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import subprocess
import sys
import time
from typing import Any

from roomkit import (
    ConversationStore,
    EmailChannel,
    HookExecution,
    HookResult,
    HookTrigger,
    HTTPChannel,
    InboundMessage,
    MessengerChannel,
    RCSChannel,
    RoomContext,
    RoomEvent,
    RoomKit,
    SMSChannel,
    TeamsChannel,
    TelegramChannel,
    TextContent,
    TransportChannel,
    WebSocketChannel,
    WhatsAppChannel,
    WhatsAppPersonalChannel,
)
from roomkit.providers.email.mock import MockEmailProvider
from roomkit.providers.http.mock import MockHTTPProvider
from roomkit.providers.messenger.mock import MockMessengerProvider
from roomkit.providers.rcs.mock import MockRCSProvider
from roomkit.providers.sms.mock import MockSMSProvider
from roomkit.providers.teams.mock import MockTeamsProvider
from roomkit.providers.telegram.mock import MockTelegramProvider
from roomkit.providers.whatsapp.mock import MockWhatsAppProvider

QUICK = "--quick" in sys.argv


async def _sink(connection_id: str, event: RoomEvent) -> None:
    return None


async def _kit_with_channels(channels: int, store: ConversationStore | None = None) -> RoomKit:
    kit = RoomKit(store=store)
    for i in range(channels):
        channel = WebSocketChannel(f"ws-{i}")
        kit.register_channel(channel)
        channel.register_connection(f"conn-{i}", _sink)
    _add_hooks(kit)
    return kit


def _add_hooks(kit: RoomKit) -> None:
    for priority in range(3):

        @kit.hook(HookTrigger.BEFORE_BROADCAST, priority=priority, name=f"sync-{priority}")
        async def allow(event: RoomEvent, ctx: RoomContext) -> HookResult:
            return HookResult.allow()

    for n in range(2):

        @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC, name=f"async-{n}")
        async def after(event: RoomEvent, ctx: RoomContext) -> None:
            return None


# The mixed room's transports, with the binding metadata each needs to address someone.
_PHONE, _EMAIL, _ID = (
    {"phone_number": "+15550100"},
    {"email_address": "ann@example.com"},
    {"recipient_id": "ann"},
)
TRANSPORTS: list[tuple[object, type[Any], dict[str, str]]] = [
    (SMSChannel, MockSMSProvider, _PHONE),
    (SMSChannel, MockSMSProvider, _PHONE),
    (RCSChannel, MockRCSProvider, _PHONE),
    (EmailChannel, MockEmailProvider, _EMAIL),
    (WhatsAppChannel, MockWhatsAppProvider, _PHONE),
    (WhatsAppPersonalChannel, MockWhatsAppProvider, _ID),
    (MessengerChannel, MockMessengerProvider, _ID),
    (TeamsChannel, MockTeamsProvider, _ID),
    (TelegramChannel, MockTelegramProvider, _ID),
    (HTTPChannel, MockHTTPProvider, _ID),
]


# The mixed room's mock providers. They record every send; the loops empty the records now
# and then, outside any provider call, so the run does not grow a 200,000-entry list.
MOCKS: list[Any] = []


def _forget_sends() -> None:
    for mock in MOCKS:
        (mock.calls if isinstance(mock, MockRCSProvider) else mock.sent).clear()


async def _mixed_kit() -> RoomKit:
    kit = RoomKit()
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    ws.register_connection("conn", _sink)
    for i, (factory, mock_type, _) in enumerate(TRANSPORTS):
        mock = mock_type()
        MOCKS.append(mock)
        channel: TransportChannel = factory(f"t-{i}", provider=mock)  # type: ignore[operator]
        kit.register_channel(channel)
    _add_hooks(kit)
    return kit


async def _attach_mixed(kit: RoomKit, room_id: str) -> None:
    await kit.create_room(room_id)
    await kit.attach_channel(room_id, "ws")
    for i, (_, _, metadata) in enumerate(TRANSPORTS):
        await kit.attach_channel(room_id, f"t-{i}", metadata=metadata)


def _from_socket(i: int) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="user", content=TextContent(body=f"m{i}"))


async def mixed_room(n: int) -> float:
    kit = await _mixed_kit()
    await _attach_mixed(kit, "room")
    messages = [_from_socket(i) for i in range(n)]
    for m in messages[:200]:  # warm up
        await kit.process_inbound(m, room_id="room")
    start = time.perf_counter()
    for i, m in enumerate(messages):
        await kit.process_inbound(m, room_id="room")
        if i % 512 == 0:
            _forget_sends()
    elapsed = time.perf_counter() - start
    await kit.close()
    return n / elapsed


async def mixed_multi_room(n: int, rooms: int = 1000, in_flight: int = 100) -> float:
    kit = await _mixed_kit()
    for r in range(rooms):
        await _attach_mixed(kit, f"room-{r}")
    messages = [(_from_socket(i), f"room-{i % rooms}") for i in range(n)]
    queue = iter(enumerate(messages))

    async def worker() -> None:
        for i, (message, room_id) in queue:
            await kit.process_inbound(message, room_id=room_id)
            if i % 512 == 0:
                _forget_sends()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - start
    await kit.close()
    return n / elapsed


async def _attach_all(kit: RoomKit, room_id: str, channels: int) -> None:
    await kit.create_room(room_id)
    for i in range(channels):
        await kit.attach_channel(room_id, f"ws-{i}")


def _message(i: int) -> InboundMessage:
    return InboundMessage(channel_id="ws-0", sender_id="user", content=TextContent(body=f"m{i}"))


async def single_room(n: int) -> float:
    kit = await _kit_with_channels(11)
    await _attach_all(kit, "room", 11)
    messages = [_message(i) for i in range(n)]
    for m in messages[:200]:  # warm up
        await kit.process_inbound(m, room_id="room")
    start = time.perf_counter()
    for m in messages:
        await kit.process_inbound(m, room_id="room")
    elapsed = time.perf_counter() - start
    await kit.close()
    return n / elapsed


async def multi_room(
    n: int, rooms: int = 1000, in_flight: int = 64, *, freeze_gc: bool = False
) -> float:
    kit = await _kit_with_channels(11)
    for r in range(rooms):
        await _attach_all(kit, f"room-{r}", 11)
    if freeze_gc:
        # What a long-running service does after start-up: move the set-up objects out of
        # the cyclic collector's way, so collections scan only what the workload creates.
        gc.collect()
        gc.freeze()
    messages = [(_message(i), f"room-{i % rooms}") for i in range(n)]
    queue = iter(messages)

    async def worker() -> None:
        for message, room_id in queue:
            await kit.process_inbound(message, room_id=room_id)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - start
    await kit.close()
    if freeze_gc:
        gc.unfreeze()
    return n / elapsed


async def fanout(messages: int, connections: int = 1000) -> float:
    kit = RoomKit()
    source, wide = WebSocketChannel("source"), WebSocketChannel("wide")
    kit.register_channel(source)
    kit.register_channel(wide)
    received = 0

    async def count(connection_id: str, event: RoomEvent) -> None:
        nonlocal received
        received += 1

    for c in range(connections):
        wide.register_connection(f"c{c}", count)
    await kit.create_room("room")
    await kit.attach_channel("room", "source")
    await kit.attach_channel("room", "wide")
    event = await kit.send_event("room", "source", TextContent(body="warm-up"))
    binding = await kit.store.get_binding("room", "wide")
    assert binding is not None
    context = RoomContext(room=await kit.get_room("room"))
    start = time.perf_counter()
    for _ in range(messages):
        await wide.deliver(event, binding, context)
    elapsed = time.perf_counter() - start
    assert received == connections * (messages + 1)
    await kit.close()
    return elapsed / (messages * connections) * 1e6


async def timeline(events: int, pages: int = 2000) -> float:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("big")
    await kit.attach_channel("big", "ws")
    template = await kit.send_event("big", "ws", TextContent(body="first"))
    for i in range(events - 1):
        await kit.store.add_event(
            template.model_copy(update={"id": f"e{i}", "content": TextContent(body=f"m{i}")})
        )
    rng = random.Random(7)
    offsets = [rng.randrange(0, events - 50) for _ in range(pages)]
    start = time.perf_counter()
    for offset in offsets:
        page = await kit.get_timeline("big", offset=offset, limit=50)
    elapsed = time.perf_counter() - start
    assert len(page) == 50
    await kit.close()
    return elapsed / pages * 1e3


MEMORY_SCRIPT = """
import asyncio, json, gc, psutil
from roomkit import RoomKit, TextContent, WebSocketChannel
async def main():
    proc = psutil.Process()
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("a")); kit.register_channel(WebSocketChannel("b"))
    gc.collect(); base = proc.memory_info().rss
    for r in range(10_000):
        room = f"room-{r}"
        await kit.create_room(room)
        await kit.attach_channel(room, "a"); await kit.attach_channel(room, "b")
        for i in range(10):
            await kit.send_event(room, "a", TextContent(body=f"message {i} in {room}"))
    await asyncio.sleep(0)  # let the loop drop cancelled timers
    gc.collect(); rss = proc.memory_info().rss
    print(json.dumps({"rss_mb": rss / 2**20, "added_mb": (rss - base) / 2**20}))
asyncio.run(main())
"""


def memory() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


WORKLOADS = {
    "single_room_msgs_per_s": lambda scale: single_room(int(20_000 * scale)),
    "multi_room_msgs_per_s": lambda scale: multi_room(int(20_000 * scale)),
    "multi_room_msgs_per_s_gc_frozen": lambda scale: multi_room(
        int(20_000 * scale), freeze_gc=True
    ),
    "mixed_room_msgs_per_s": lambda scale: mixed_room(int(20_000 * scale)),
    "mixed_multi_room_msgs_per_s": lambda scale: mixed_multi_room(int(20_000 * scale)),
    "fanout_us_per_delivery": lambda scale: fanout(int(200 * scale) or 1),
    "timeline_page_ms": lambda scale: timeline(int(100_000 * scale)),
}


def run_isolated(name: str) -> float:
    """Each workload runs in a fresh interpreter, so none inherits another's heap."""
    args = [sys.executable, __file__, "--only", name, *(["--quick"] if QUICK else [])]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


async def main() -> None:
    if "--only" in sys.argv:
        name = sys.argv[sys.argv.index("--only") + 1]
        if name == "memory":
            print(json.dumps(memory()))
            return
        print(await WORKLOADS[name](0.1 if QUICK else 1.0))
        return
    figures: dict[str, float] = {}
    for name in WORKLOADS:
        value = run_isolated(name)
        figures[name] = round(value, 4) if value < 10 else round(value)
    mem = memory()
    figures["memory_rss_mb"] = round(mem["rss_mb"], 1)
    figures["memory_added_mb"] = round(mem["added_mb"], 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
