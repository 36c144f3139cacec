"""Process metrics in the Prometheus text exposition format (version 0.0.4), kept by hand.

Counters are plain integers bumped on the hot path (no locks: one event loop owns them);
:meth:`Metrics.render` writes them out for ``GET /metrics``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Upper bounds (seconds) of the send-latency histogram."""


@dataclass
class Histogram:
    """A cumulative histogram over fixed bucket bounds."""

    bounds: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, value: float) -> None:
        """Count one observation of ``value`` seconds."""
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def lines(self, name: str) -> list[str]:
        """The ``_bucket``, ``_sum`` and ``_count`` sample lines."""
        out, running = [], 0
        for bound, count in zip(self.bounds, self.counts, strict=False):
            running += count
            out.append(f'{name}_bucket{{le="{bound:g}"}} {running}')
        running += self.counts[-1]
        out.append(f'{name}_bucket{{le="+Inf"}} {running}')
        out.append(f"{name}_sum {self.total:.6f}")
        out.append(f"{name}_count {running}")
        return out


@dataclass
class Metrics:
    """What one roomz process counts."""

    connections: int = 0  # open WebSocket connections (a gauge)
    connections_opened: int = 0
    connections_refused: int = 0  # handshakes answered 401 or 403
    messages: int = 0  # chat messages stored by this process
    deliveries: int = 0  # message frames queued for sockets (fan-out, all processes' messages)
    slow_disconnects: int = 0  # sockets closed because they fell too far behind
    rate_limited: int = 0  # requests refused by the per-connection rate limit
    send_latency: Histogram = field(default_factory=Histogram)

    def render(self) -> str:
        """The metrics as Prometheus text."""
        lines: list[str] = []
        for name, kind, help_text, value in (
            ("roomz_connections", "gauge", "Open WebSocket connections.", self.connections),
            ("roomz_connections_opened_total", "counter", "WebSocket connections accepted.",
             self.connections_opened),
            ("roomz_connections_refused_total", "counter", "WebSocket handshakes refused.",
             self.connections_refused),
            ("roomz_messages_total", "counter", "Chat messages stored by this process.",
             self.messages),
            ("roomz_deliveries_total", "counter", "Message frames queued for sockets.",
             self.deliveries),
            ("roomz_slow_disconnects_total", "counter", "Sockets closed for falling behind.",
             self.slow_disconnects),
            ("roomz_rate_limited_total", "counter", "Requests refused by the rate limit.",
             self.rate_limited),
        ):  # fmt: skip
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {value}"]
        name = "roomz_send_latency_seconds"
        lines += [
            f"# HELP {name} Time from reading a send request to its stored, fanned-out result.",
            f"# TYPE {name} histogram",
            *self.send_latency.lines(name),
        ]
        return "\n".join(lines) + "\n"
