"""Server memory under oversized WebSocket frames. Prints one JSON line.

A `roomz serve` process runs on SQLite in a temporary folder (see bench/service.py). Eight
sockets (eight users) each send one frame of FRAME_BYTES at the same moment: the old
16 MiB default of uvicorn's ``ws_max_size``, far over the protocol's 64 KiB. The server's
resident memory is sampled every 10 ms from before the frames until SETTLE seconds after
the last socket has its answer (or was closed).

  rss_before_mb   resident memory with the eight sockets open and idle
  rss_peak_mb     the highest sample while the frames arrive
  rss_after_mb    resident memory SETTLE seconds after the frames are gone
  closed_1009     sockets the server closed as "message too big" (refused at the socket)
  answered        sockets that got an answer instead (the frame was read whole)

Usage: python bench/frames.py [--frames N] [--mib M]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from roomz.server.settings import Settings
from service import make_sessions, server

SETTLE = 3.0
MIB = 1024 * 1024


async def one_frame(ws: ClientConnection, size: int) -> str:
    """Send one ping padded to ``size`` bytes; how the server dealt with it."""
    frame = json.dumps({"type": "ping", "request_id": "big", "pad": "x" * (size - 64)})
    try:
        await ws.send(frame)
        while True:  # an answer is a result, a pong or an error frame (too large: no id)
            if json.loads(await ws.recv())["type"] in ("result", "pong", "error"):
                return "answered"
    except ConnectionClosed as exc:
        return "closed_1009" if exc.rcvd is not None and exc.rcvd.code == 1009 else "closed"


async def sample(process: psutil.Process, peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak.append(process.memory_info().rss / MIB)
        await asyncio.sleep(0.01)


async def run(frames: int, size: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'roomz.db'}"
        env = {"ROOMZ_DATABASE": database, "ROOMZ_OPEN_SIGNUP": "1"}
        tokens = await make_sessions(Settings(database=database, open_signup=True), frames)
        async with server(Path(folder), env) as (url, process):
            sockets = [
                await connect(url, additional_headers={"Authorization": f"Bearer {t}"},
                              max_size=None, ping_interval=None)
                for t in tokens
            ]  # fmt: skip
            await asyncio.sleep(0.5)
            before = process.memory_info().rss / MIB
            samples: list[float] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample(process, samples, stop))
            outcomes = await asyncio.gather(*(one_frame(ws, size) for ws in sockets))
            await asyncio.gather(*(ws.close() for ws in sockets))
            await asyncio.sleep(SETTLE)
            stop.set()
            await sampler
            after = process.memory_info().rss / MIB
    return {
        "frames": frames,
        "frame_mib": round(size / MIB, 2),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(max(samples), 1),
        "rss_after_mb": round(after, 1),
        "closed_1009": outcomes.count("closed_1009"),
        "answered": outcomes.count("answered"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--mib", type=float, default=16.0)
    args = parser.parse_args()
    size = int(args.mib * MIB) - 1024  # just under the old 16 MiB limit, as an attack would
    print(json.dumps(asyncio.run(run(args.frames, size))))


if __name__ == "__main__":
    main()
