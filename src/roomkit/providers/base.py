"""The send contract shared by every transport provider, and the recording every mock does.

Each transport kind has its own ABC beside its mock (``providers/sms/base.py`` +
``providers/sms/mock.py``, …) with the documented ``send`` signature. ``TransportChannel``
calls ``provider.send(event, to=recipient, **defaults)`` where ``defaults`` are the keyword
arguments of that kind (``from_`` for SMS, ``from_`` and ``subject`` for email,
``fallback`` for RCS, none for the others), and reads ``success``, ``error`` and
``provider_message_id`` from the :class:`ProviderResult` it returns. A provider reports a
failed send with ``success=False`` or raises :class:`~roomkit.errors.ProviderError`.
"""

from __future__ import annotations

from abc import ABC
from itertools import count
from typing import Any, ClassVar

from roomkit.models._base import assemble
from roomkit.models.delivery import ProviderResult

__all__ = ["ProviderResult", "TransportProvider", "record_send"]

# Message ids of mock sends: unique in the process, and a counter costs a fraction of a
# uuid4, which mattered in the fan-out benchmarks (ten mock sends per message).
_mock_ids = count(1)


class TransportProvider(ABC):  # noqa: B024 - each kind declares its own abstract send
    """What every transport provider has besides its kind's ``send``: a name and ``close``."""

    @property
    def name(self) -> str:
        """Provider name, recorded as the source provider of inbound events."""
        return type(self).__name__

    # True for a provider whose send does no I/O (it records, or hands data to in-process
    # code, and returns without waiting): the kit then awaits its sends in turn rather than
    # spending a task on each. Such a send is not bounded by the delivery timeout.
    inline_delivery: ClassVar[bool] = False

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections. Idempotent."""


def record_send(
    sent: list[dict[str, Any]], entry: dict[str, Any], fail_with: str | None
) -> ProviderResult:
    """What a mock's ``send`` does: record ``entry`` in ``sent`` and report success.

    With ``fail_with`` set, nothing is recorded (nothing was sent) and the result is a
    failure carrying that error, which the channel reports as ``delivery_failed``.
    """
    if fail_with is not None:
        return ProviderResult(success=False, error=fail_with)
    sent.append(entry)
    # Built as validation would build it (the values are valid by construction): a mock
    # send is a tenth of a mixed room's message, and validating was a fifth of the send.
    values = {
        "success": True,
        "provider_message_id": f"mock-{next(_mock_ids)}",
        "error": None,
        "metadata": {},
    }
    return assemble(ProviderResult, values, {"success", "provider_message_id"})
