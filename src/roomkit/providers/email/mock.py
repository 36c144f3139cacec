"""MockEmailProvider — records what it would have sent."""

from __future__ import annotations

from typing import Any, ClassVar

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult, record_send
from roomkit.providers.email.base import EmailProvider

__all__ = ["MockEmailProvider"]


class MockEmailProvider(EmailProvider):
    """An email provider for tests.

    Every send is appended to :attr:`sent` as ``{"event", "to", "from", "subject"}``
    (``""`` for a missing sender or subject). Set :attr:`fail_with` to make sends fail.
    """

    inline_delivery: ClassVar[bool] = True  # it only records: no I/O to wait for

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_with: str | None = None

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        entry = {"event": event, "to": to, "from": from_ or "", "subject": subject or ""}
        return record_send(self.sent, entry, self.fail_with)
