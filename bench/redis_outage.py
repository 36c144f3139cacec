"""Two roomz processes on PostgreSQL and a private redis-server that is stopped for a while.

Six clients (three per process) each send a message every 0.1 s, resending a refused one
(503 ``unavailable``) with the same ``client_id`` after its ``retry_after``. Redis is killed
for ``--outage`` seconds (15 by default) and started again. Prints one JSON line per run:
the messages each client never received of those acknowledged (target 0), and how long
refused sends waited for their typed error (median and longest).

Usage: python bench/redis_outage.py [--outage S] [--runs N] [--dsn DSN]
(with this checkout's ``src`` and root on PYTHONPATH; it starts `roomz serve` twice)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from tests.conftest import POSTGRES_DSN  # noqa: E402 - after the path above
from tests.roomz.server.test_redis_outage import outage_run  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dsn", default=POSTGRES_DSN)
    args = parser.parse_args()
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            outcome = await outage_run(Path(folder), args.dsn, outage=args.outage)
        waits = outcome.refusal_waits
        figures = {
            "outage_s": args.outage,
            "acked": outcome.acked,
            "missed_per_client": outcome.missed,
            "refused_sends": len(waits),
            "refusal_wait_median_s": round(statistics.median(waits), 3) if waits else None,
            "refusal_wait_longest_s": round(outcome.longest_refusal, 3),
        }
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
