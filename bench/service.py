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
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

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


class Client(asyncio.Protocol):
    """One benchmark connection: websockets' Sans-I/O protocol on an asyncio transport.

    Frames are handled in ``data_received`` (no task, queue or future per message), so the
    clients' own cost stays well below the server's and the latency measured is the
    server's; pings from the server are answered by the protocol as frames arrive.
    """

    def __init__(self, url: str, token: str, on_text: Callable[[Client, str], None]) -> None:
        self.ws = ClientProtocol(parse_uri(url), max_size=protocol.MAX_SERVER_FRAME_BYTES)
        self.on_text = on_text
        self.authenticated: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self._request = self.ws.connect()
        self._request.headers["Authorization"] = f"Bearer {token}"
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self.ws.send_request(self._request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if event.status_code != 101 and not self.authenticated.done():
                    self.authenticated.set_exception(RuntimeError(f"HTTP {event.status_code}"))
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                text = event.data.decode()
                if not self.authenticated.done():
                    self.authenticated.set_result(json.loads(text))
                else:
                    self.on_text(self, text)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.authenticated.done():
            self.authenticated.set_exception(exc or RuntimeError("closed before authenticated"))

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send_text(json.dumps(frame).encode())
        self._flush()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _flush(self) -> None:
        assert self._transport is not None
        for chunk in self.ws.data_to_send():
            if chunk:
                self._transport.write(chunk)
            else:
                self._transport.write_eof()


def _ignore(client: Client, text: str) -> None:
    return None


async def open_client(
    url: str, token: str, on_text: Callable[[Client, str], None] = _ignore
) -> tuple[Client, float]:
    """An authenticated connection and the seconds it took to get ``authenticated``."""
    start = time.perf_counter()
    parts = parse_uri(url)
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: Client(url, token, on_text), parts.host, parts.port
    )
    first = await asyncio.wait_for(client.authenticated, timeout=60)
    if first.get("type") != "authenticated":
        raise RuntimeError(f"expected authenticated, got {first}")
    return client, time.perf_counter() - start


async def open_many(
    url: str,
    tokens: list[str],
    on_text: Callable[[Client, str], None] = _ignore,
    at_once: int = 50,
) -> tuple[list[Client], list[float]]:
    """Open a connection per token, ``at_once`` opening at a time."""
    gate = asyncio.Semaphore(at_once)

    async def one(token: str) -> tuple[Client, float]:
        async with gate:
            return await open_client(url, token, on_text)

    opened = await asyncio.gather(*(one(t) for t in tokens))
    return [client for client, _ in opened], [seconds for _, seconds in opened]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def fanout(url: str, tokens: list[str], rate: float, seconds: float) -> dict[str, float]:
    """Every client receives every message of one sender posting ``rate`` per second."""
    total = int(rate * seconds)
    latencies: list[float] = []
    counts: dict[Client, int] = {}
    done = asyncio.Event()

    def receive(client: Client, text: str) -> None:
        if '"bench ' not in text:
            return  # presence and the sender's results
        frame = json.loads(text)
        if frame.get("type") != "message":
            return
        latencies.append(time.perf_counter() - float(frame["content"][6:]))
        counts[client] = counts.get(client, 0) + 1
        if len(latencies) == total * len(tokens):
            done.set()

    clients, setup = await open_many(url, tokens, receive)
    sender = clients[0]
    await asyncio.sleep(1.0)  # let the arrivals' frames drain
    start = time.perf_counter()
    for i in range(total):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        sender.send(
            {"type": "send", "request_id": f"s{i}", "content": f"bench {time.perf_counter()}"}
        )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    delivered = len(latencies)
    return {
        "fanout_clients": len(clients),
        "fanout_msgs_per_s": rate,
        "fanout_deliveries": delivered,
        "fanout_lost": total * len(clients) - delivered,
        "fanout_deliveries_per_s": round(delivered / elapsed),
        "fanout_latency_ms_p50": round(statistics.median(latencies) * 1e3, 2),
        "fanout_latency_ms_p95": round(_percentile(latencies, 0.95) * 1e3, 2),
        "fanout_latency_ms_p99": round(_percentile(latencies, 0.99) * 1e3, 2),
        "connect_ms_p50": round(statistics.median(setup) * 1e3, 2),
        "connect_ms_p95": round(_percentile(setup, 0.95) * 1e3, 2),
    }


async def idle(url: str, tokens: list[str], count: int, process: psutil.Process) -> dict[str, Any]:
    """Open ``count`` connections spread over the users of ``tokens``; all must stay up."""
    pongs: dict[Client, int] = {}

    def receive(client: Client, text: str) -> None:
        if '"pong"' in text:
            pongs[client] = pongs.get(client, 0) + 1

    before = process.memory_info().rss
    per_user = [tokens[i % len(tokens)] for i in range(count)]
    clients, setup = await open_many(url, per_user, receive, at_once=100)
    await asyncio.sleep(2.0)
    rss = process.memory_info().rss
    for client in clients:  # every connection answers an application ping
        client.send({"type": "ping", "request_id": "p"})
    for _ in range(600):
        if len(pongs) == len(clients):
            break
        await asyncio.sleep(0.1)
    for client in clients:
        client.close()
    return {
        "idle_connections": len(clients),
        "idle_answering_ping": len(pongs),
        "idle_connect_ms_p50": round(statistics.median(setup) * 1e3, 2),
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
            "ROOMZ_USER_MESSAGES_PER_SECOND": "100000",
            # The idle workload opens ~100 sockets per user; the default cap is 20.
            "ROOMZ_MAX_SOCKETS_PER_USER": "100000",
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
