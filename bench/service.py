"""roomz service benchmark over loopback, with real WebSocket clients. Prints one JSON line.

A `roomz serve` process runs on SQLite (the default) in a temporary folder; its users'
sessions are made beforehand through the server's own auth tables, so the figures measure
the WebSocket service, not the login rate limits. Workloads:

  connect_ms_p50 / _p95     one connection's set-up: TCP + WebSocket handshake + token check
                            + the ``authenticated`` frame, 50 connections opening at a time
  fanout_*                  FANOUT_CLIENTS clients (distinct users) in the default room; one
                            sender posts RATE messages/second for SECONDS seconds; every client
                            receives every message. Latency is send -> receive of each delivery
                            (one clock: all clients run in this process). The target: p95 <=
                            100 ms at 1,000 clients x 20 msgs/s (20,000 deliveries/s)
  idle_connections          how many idle authenticated connections the one server process
                            holds (the target is >= 10,000), made by IDLE_USERS users with many
                            connections each, all still answering a ping afterwards
  idle_kib_per_connection   the server's resident memory growth per idle connection

Usage: python bench/service.py [--quick] [--clients N] [--rate R] [--seconds S] [--idle N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.asyncio.client import ClientConnection, connect

from roomz import protocol
from roomz.server.auth import Auth
from roomz.server.auth.mailer import MemorySender
from roomz.server.settings import Settings

IDLE_USERS = 100


async def make_sessions(settings: Settings, count: int) -> list[str]:
    """Session tokens for ``count`` users, made through the server's auth tables."""
    mailer = MemorySender()
    tokens = []
    async with await Auth.open(settings, mailer=mailer) as auth:
        for i in range(count):
            await auth.request_link(f"user{i}@bench.example", client=f"bench-{i}")
            _, url = await mailer.next()
            session, _ = await auth.exchange(url.rsplit("token=", 1)[1])
            tokens.append(session)
    return tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def server(folder: Path, env: dict[str, str]) -> AsyncIterator[tuple[str, psutil.Process]]:
    """A `roomz serve` process; yields its WebSocket URL and the process."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "roomz.server", "serve", "--port", str(port)),
        env={**os.environ, **env, "ROOMZ_PUBLIC_URL": f"http://127.0.0.1:{port}"},
        cwd=folder,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("roomz serve did not start")
        yield f"ws://127.0.0.1:{port}/ws", psutil.Process(process.pid)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def open_client(url: str, token: str) -> tuple[ClientConnection, float]:
    """An authenticated connection and the seconds it took to get ``authenticated``."""
    start = time.perf_counter()
    ws = await connect(
        url,
        additional_headers={"Authorization": f"Bearer {token}"},
        ping_interval=None,
        max_size=protocol.MAX_SERVER_FRAME_BYTES,
        open_timeout=60,
    )
    first = json.loads(await ws.recv())
    if first.get("type") != "authenticated":
        raise RuntimeError(f"expected authenticated, got {first}")
    return ws, time.perf_counter() - start


async def open_many(
    url: str, tokens: list[str], at_once: int = 50
) -> tuple[list[ClientConnection], list[float]]:
    gate = asyncio.Semaphore(at_once)

    async def one(token: str) -> tuple[ClientConnection, float]:
        async with gate:
            return await open_client(url, token)

    opened = await asyncio.gather(*(one(t) for t in tokens))
    return [ws for ws, _ in opened], [seconds for _, seconds in opened]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def fanout(url: str, tokens: list[str], rate: float, seconds: float) -> dict[str, float]:
    """Every client receives every message of one sender posting ``rate`` per second."""
    clients, setup = await open_many(url, tokens)
    sender, receivers = clients[0], clients
    total = int(rate * seconds)
    latencies: list[float] = []
    counts = [0] * len(receivers)
    done = asyncio.Event()

    async def receive(n: int, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "message" or not frame["content"].startswith("bench "):
                continue
            latencies.append(time.perf_counter() - float(frame["content"][6:]))
            counts[n] += 1
            if counts[n] == total and all(c == total for c in counts):
                done.set()

    readers = [asyncio.create_task(receive(n, ws)) for n, ws in enumerate(receivers)]
    await asyncio.sleep(1.0)  # let the joins' presence frames drain
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        frame = {"type": "send", "request_id": f"s{i}", "content": f"bench {time.perf_counter()}"}
        await sender.send(json.dumps(frame))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    elapsed = time.perf_counter() - start
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)
    delivered = len(latencies)
    return {
        "fanout_clients": len(receivers),
        "fanout_msgs_per_s": rate,
        "fanout_deliveries": delivered,
        "fanout_lost": total * len(receivers) - delivered,
        "fanout_deliveries_per_s": round(delivered / elapsed),
        "fanout_latency_ms_p50": round(statistics.median(latencies) * 1e3, 2),
        "fanout_latency_ms_p95": round(_percentile(latencies, 0.95) * 1e3, 2),
        "fanout_latency_ms_p99": round(_percentile(latencies, 0.99) * 1e3, 2),
        "connect_ms_p50": round(statistics.median(setup) * 1e3, 2),
        "connect_ms_p95": round(_percentile(setup, 0.95) * 1e3, 2),
    }


async def idle(url: str, tokens: list[str], count: int, process: psutil.Process) -> dict[str, Any]:
    """Open ``count`` connections spread over the users of ``tokens``; all must stay up."""
    before = process.memory_info().rss
    per_user = [tokens[i % len(tokens)] for i in range(count)]
    clients, setup = await open_many(url, per_user, at_once=100)
    await asyncio.sleep(2.0)
    rss = process.memory_info().rss
    alive = 0
    for ws in clients[:: max(1, count // 200)]:  # a sample answers an application ping
        frame = {"type": "ping", "request_id": "p"}
        await ws.send(json.dumps(frame))
        while json.loads(await ws.recv()).get("type") != "pong":
            pass
        alive += 1
    await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)
    return {
        "idle_connections": len(clients),
        "idle_sample_alive": alive,
        "idle_connect_s_total": round(sum(setup), 1),
        "idle_server_rss_mb": round(rss / 2**20, 1),
        "idle_kib_per_connection": round((rss - before) / len(clients) / 1024, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--idle", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.idle = 100, 3.0, 500
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            "ROOMZ_DATABASE": f"sqlite:///{folder / 'roomz.db'}",
            "ROOMZ_OPEN_SIGNUP": "1",
            "ROOMZ_MESSAGES_PER_SECOND": "100000",
        }
        settings = Settings.from_env({**env, "ROOMZ_LOGIN_REQUESTS_PER_CLIENT": "1000000"})
        tokens = await make_sessions(settings, max(args.clients, IDLE_USERS))
        figures: dict[str, Any] = {}
        async with server(folder, env) as (url, process):
            figures.update(await fanout(url, tokens[: args.clients], args.rate, args.seconds))
        if args.idle:
            async with server(folder, env) as (url, process):
                figures.update(await idle(url, tokens[:IDLE_USERS], args.idle, process))
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
