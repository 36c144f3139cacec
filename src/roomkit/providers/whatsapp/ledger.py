"""What a WhatsApp Cloud provider remembers: when each customer last wrote, and how far
each sent message has got. In memory, bounded; one per provider."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

__all__ = ["STATUS_RANK", "StatusLedger", "WindowLedger"]

WINDOW = timedelta(hours=24)

# A status only moves forward: a late "delivered" after "read" is stale. "failed" ends it.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class _Bounded(OrderedDict[str, object]):
    """An insertion-ordered map that forgets its oldest keys beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: str, value: object) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class WindowLedger:
    """The last inbound time per customer, for the 24-hour customer-service window."""

    def __init__(self, limit: int = 100_000) -> None:
        self._last = _Bounded(limit)

    def note_inbound(self, customer: str, at: datetime) -> None:
        """Record a message from ``customer`` (any form: ``+1555…``, ``1555…`` or a BSUID)."""
        key = _key(customer)
        previous = self._last.get(key)
        if not isinstance(previous, datetime) or at > previous:
            self._last.put(key, at)

    def is_open(self, customer: str, now: datetime) -> bool:
        """Whether ``customer`` wrote within the last 24 hours before ``now``."""
        last = self._last.get(_key(customer))
        return isinstance(last, datetime) and now - last < WINDOW


class StatusLedger:
    """The furthest status seen per sent message id (``wamid…``)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._rank = _Bounded(limit)

    def advance(self, message_id: str, status: str) -> bool:
        """Record ``status``; False when it is not past what was already seen (stale)."""
        rank = STATUS_RANK.get(status, 0)
        seen = self._rank.get(message_id, 0)
        if not isinstance(seen, int) or rank <= seen:
            return False
        self._rank.put(message_id, rank)
        return True


def _key(customer: str) -> str:
    return customer.removeprefix("+")
