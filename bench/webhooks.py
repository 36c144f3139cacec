"""Signed Twilio-style webhooks through the ASGI app into stored events. Prints one JSON line.

A uvicorn process serves ``create_webhook_app`` over a kit with the in-memory store and one
room bound to an SMS channel. The load generator (this process, raw asyncio sockets with
keep-alive, ``--connections`` at a time) posts distinct form bodies, each signed with
``X-Twilio-Signature`` as Twilio signs them (signed before the clock starts). Every answer
must be 200 and, at the end, the room must hold exactly one event per webhook.

  webhooks_per_s   accepted webhooks per second of wall time
  p50_ms / p99_ms  latency of one webhook, request to answer
  server_cpu_us    CPU time the server process spent per webhook (HTTP parsing included),
                   a figure the other load on the machine distorts much less than wall time

Usage: python bench/webhooks.py [--quick] [--connections N] [--h11]
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import psutil

from roomkit import RoomKit, SMSChannel
from roomkit.providers.twilio.signature import compute_signature
from roomkit.webhooks import TwilioWebhook, create_webhook_app

QUICK = "--quick" in sys.argv
CONNECTIONS = (
    int(sys.argv[sys.argv.index("--connections") + 1]) if "--connections" in sys.argv else 32
)
TOKEN = "bench-auth-token"
PUBLIC = "https://hooks.example.com"
PATH = "/webhooks/twilio/sms"
# uvicorn's HTTP parser: "httptools" (C, what roomkit[webhooks] installs) unless --h11 asks
# for the pure-Python one uvicorn falls back to without it.
HTTP = "h11" if "--h11" in sys.argv else "httptools"


def serve(port: int) -> None:
    """The server side (``--serve PORT``): the app on 127.0.0.1:PORT, plus GET /count."""
    import uvicorn
    from starlette.responses import PlainTextResponse

    kit = RoomKit()
    app = create_webhook_app(kit, [TwilioWebhook("sms", TOKEN, public_url=PUBLIC)])

    async def count(request: object) -> PlainTextResponse:
        return PlainTextResponse(str(len(await kit.get_timeline("r1", limit=10**7))))

    async def setup() -> None:
        kit.register_channel(SMSChannel("sms"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "sms", metadata={"phone_number": "+15550000000"})

    app.add_route("/count", count, methods=["GET"])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, http=HTTP
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        await setup()
        await server.serve()

    asyncio.run(main())


def requests(total: int) -> list[bytes]:
    """``total`` distinct signed POSTs, as raw HTTP/1.1 bytes."""
    out = []
    for i in range(total):
        form = {
            "MessageSid": f"SM{i:032d}",
            "AccountSid": "AC" + "0" * 32,
            "From": f"+1555{i % 10_000_000:07d}",
            "To": "+15550000000",
            "Body": f"message number {i}",
            "NumMedia": "0",
            "SmsStatus": "received",
        }
        body = urlencode(form).encode()
        signature = compute_signature(TOKEN, PUBLIC + PATH, form.items())
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return status, await reader.readexactly(length)


async def worker(port: int, queue: list[bytes], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while queue:
        request = queue.pop()
        start = time.perf_counter()
        writer.write(request)
        status, _ = await read_response(reader)
        latencies.append(time.perf_counter() - start)
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
    writer.close()
    await writer.wait_closed()


async def count(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    _, body = await read_response(reader)
    value = int(body)
    writer.close()
    return value


async def load(port: int, total: int, server_pid: int) -> dict[str, float]:
    warmup = requests(200)
    await asyncio.gather(*(worker(port, warmup, []) for _ in range(4)))
    queue = requests(total + 200)[200:]
    latencies: list[float] = []
    server = psutil.Process(server_pid)
    cpu_before = sum(server.cpu_times()[:2])
    start = time.perf_counter()
    await asyncio.gather(*(worker(port, queue, latencies) for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - start
    server_cpu = sum(server.cpu_times()[:2]) - cpu_before
    stored = await count(port)
    if stored != total + 200:
        raise RuntimeError(f"{stored} events stored for {total + 200} webhooks")
    latencies.sort()
    return {
        "webhooks": total,
        "connections": CONNECTIONS,
        "webhooks_per_s": round(total / elapsed),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "server_cpu_us": round(server_cpu / total * 1e6),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, __file__, "--serve", str(port), *sys.argv[1:]]
    server = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the webhook server did not start") from None
                time.sleep(0.1)
        result = asyncio.run(load(port, 2_000 if QUICK else 20_000, server.pid))
        result["http"] = HTTP
        result["load_average_1m"] = round(os.getloadavg()[0], 2)
        print(json.dumps(result))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve(int(sys.argv[sys.argv.index("--serve") + 1]))
    else:
        main()
