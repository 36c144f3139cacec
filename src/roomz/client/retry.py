"""When a refused or unanswered ``send`` is tried again, and how sends are spaced meanwhile.

A send answered 429 ``rate_limited`` or 503 with a ``retry_after`` is written again after
that many seconds; one answered 408 ``timeout`` (no result in time: it may or may not have
been stored) is written again at once. Every attempt carries the message's one
``client_id``, so the server stores it once whatever happened to the earlier attempts.
Attempts are bounded by :data:`SEND_ATTEMPTS`, and a wait by :data:`MAX_WAIT`; past
either, the last answer is returned as it is.

A 429 means the connection's request budget is spent, and every send made at that moment
would be refused again if they all retried together. So after a 429 the :class:`Pacer`
hands out turns spaced by the ``retry_after`` the server gave (the time one more request
takes to become allowed), until nobody is waiting any more.
"""

from __future__ import annotations

import asyncio
from typing import Any

from roomz.errors import Reason

SEND_ATTEMPTS = 10
"""Attempts a ``send`` makes at most (the first one included)."""
MAX_SPACING = 1.0
"""Seconds between two paced sends at most, whatever ``retry_after`` said."""
MAX_WAIT = 60.0
"""A ``retry_after`` longer than this is not waited for: the refusal is the answer."""


def retry_delay(answer: dict[str, Any]) -> float | None:
    """Seconds to wait before sending again, or ``None`` when ``answer`` is final."""
    if answer.get("reason") == Reason.TIMEOUT:
        return 0.0
    wait = answer.get("retry_after")
    if answer.get("code") not in (429, 503) or not isinstance(wait, int | float):
        return None
    return float(wait) if 0 <= wait <= MAX_WAIT and not isinstance(wait, bool) else None


class Pacer:
    """Turns for sends: free while the server accepts them, spaced after a 429."""

    def __init__(self) -> None:
        self._next = 0.0  # loop time of the next free turn
        self._spacing = 0.0  # seconds between turns; 0 when not pacing

    async def turn(self) -> None:
        """Wait for this send's turn."""
        now = asyncio.get_running_loop().time()
        if self._next <= now:
            self._spacing = 0.0  # the backlog is gone: stop pacing
            return
        slot = self._next
        self._next = slot + self._spacing
        await asyncio.sleep(slot - now)

    def refused(self, answer: dict[str, Any], wait: float) -> None:
        """A send was refused and waits ``wait`` seconds: later sends queue behind it."""
        now = asyncio.get_running_loop().time()
        if answer.get("reason") == Reason.RATE_LIMITED:
            self._spacing = max(self._spacing, min(wait, MAX_SPACING))
        self._next = max(self._next, now + wait)
