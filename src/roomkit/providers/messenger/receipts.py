"""Messenger delivery and read receipts, and the sent messages they refer to (Sans-I/O).

Messenger reports ``delivery`` with the ``mids`` delivered (sometimes none) and a
``watermark``: every message sent to that person before it was delivered. ``read`` has
only a watermark. The provider records each sent ``mid`` with its send time so that a
watermark becomes one :class:`DeliveryStatus` per message it covers, each reported once
per state and never moved back (a late delivery after the read changes nothing).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

__all__ = ["Receipt", "SentLedger", "parse_messenger_receipts"]

_RANK = {"delivered": 1, "read": 2}


@dataclass(frozen=True)
class Receipt:
    """One ``delivery`` or ``read`` item: who, which state, which mids, up to when (ms)."""

    recipient: str
    status: str
    mids: tuple[str, ...]
    watermark: int


def parse_messenger_receipts(payload: dict[str, Any]) -> list[Receipt]:
    """The receipts of a page webhook body, in order."""
    if payload.get("object") != "page":
        return []
    receipts = []
    for entry in payload.get("entry") or []:
        for item in entry.get("messaging") or []:
            for status in ("delivery", "read"):
                if isinstance(item.get(status), dict):
                    receipts.append(_receipt(item, status))
    return receipts


def _receipt(item: dict[str, Any], kind: str) -> Receipt:
    body = item[kind]
    return Receipt(
        recipient=str((item.get("sender") or {}).get("id", "")),
        status="delivered" if kind == "delivery" else "read",
        mids=tuple(str(m) for m in body.get("mids") or ()),
        watermark=int(body.get("watermark") or 0),
    )


class SentLedger:
    """Sent mids per recipient with their send time (ms) and furthest state; bounded."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._sent: OrderedDict[str, tuple[str, int, int]] = OrderedDict()

    def record(self, mid: str, recipient: str, sent_ms: int) -> None:
        """``mid`` went to ``recipient`` at ``sent_ms``."""
        self._sent[mid] = (recipient, sent_ms, 0)
        while len(self._sent) > self.limit:
            self._sent.popitem(last=False)

    def advance(self, receipt: Receipt) -> list[str]:
        """The mids ``receipt`` moves forward (named ones, and sent ones its watermark
        covers), now recorded at its state; mids already there or further are left out."""
        rank = _RANK[receipt.status]
        covered = [
            mid
            for mid, (recipient, sent_ms, _) in self._sent.items()
            if recipient == receipt.recipient and sent_ms <= receipt.watermark
        ]
        moved = []
        for mid in dict.fromkeys([*receipt.mids, *covered]):
            recipient, sent_ms, seen = self._sent.get(mid, (receipt.recipient, 0, 0))
            if rank > seen:
                self._sent[mid] = (recipient, sent_ms, rank)
                moved.append(mid)
        return moved
