"""MockSMSProvider — records what it would have sent."""

from __future__ import annotations

from typing import Any, ClassVar

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, record_send
from roomkit.providers.sms.base import SMSProvider

__all__ = ["MockSMSProvider"]


class MockSMSProvider(SMSProvider):
    """An SMS provider for tests.

    Every send is appended to :attr:`sent` as ``{"event", "to", "from"}`` (``"from"`` is
    ``""`` when no sender was given). Set :attr:`fail_with` to an error message to make
    every send fail with it instead (nothing is recorded then).
    """

    inline_delivery: ClassVar[bool] = True  # it only records: no I/O to wait for

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_with: str | None = None

    @property
    def from_number(self) -> str:
        return "+15550001234"

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        entry = {"event": event, "to": to, "from": from_ or ""}
        return record_send(self.sent, entry, self.fail_with)
