"""HookRegistration and the filters that decide whether a hook runs for an event."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from roomkit.errors import HookRegistrationError
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent

HookFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class HookRegistration:
    """One registered hook and when it applies.

    Filters are ``None`` (match everything) or a set; every given filter must match the
    event's source for the hook to run. ``fail_closed`` makes a SYNC hook that raises or
    times out block the event instead of letting it through.
    """

    trigger: HookTrigger
    execution: HookExecution
    fn: HookFn
    priority: int = 0
    name: str = ""
    timeout: float = 30.0
    channel_types: frozenset[ChannelType] | None = None
    channel_ids: frozenset[str] | None = None
    directions: frozenset[ChannelDirection] | None = None
    fail_closed: bool = False

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"hook timeout must be > 0 seconds, got {self.timeout!r}")
        if not callable(self.fn):
            raise HookRegistrationError(f"a hook must be callable, got {self.fn!r}")

    @property
    def unfiltered(self) -> bool:
        """Whether the hook runs for every event (no filter given)."""
        return self.channel_types is None and self.channel_ids is None and self.directions is None

    @property
    def label(self) -> str:
        """The name to report the hook by."""
        return self.name or getattr(self.fn, "__qualname__", repr(self.fn))

    def matches(self, event: RoomEvent) -> bool:
        """Whether every filter given matches the event's source."""
        source = event.source
        if self.channel_types is not None and source.channel_type not in self.channel_types:
            return False
        if self.channel_ids is not None and source.channel_id not in self.channel_ids:
            return False
        return self.directions is None or source.direction in self.directions


def check_signature(fn: Callable[..., Any], params: tuple[str, ...]) -> None:
    """Refuse, at registration, a hook that could not be called with ``params``.

    Raises:
        HookRegistrationError: ``fn`` is not callable or its signature cannot take them.
    """
    call = f"fn({', '.join(params)})"
    if not callable(fn):
        raise HookRegistrationError(f"a hook must be a function called as {call}, got {fn!r}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # no introspectable signature (some builtins): judged when it runs
    try:
        signature.bind(*params)
    except TypeError:
        name = getattr(fn, "__qualname__", repr(fn))
        raise HookRegistrationError(
            f"hook {name}{signature} cannot be called as {call}: "
            f"it must accept exactly {len(params)} positional arguments"
        ) from None


def freeze(values: set[Any] | frozenset[Any] | list[Any] | None) -> frozenset[Any] | None:
    """Filters are stored frozen so a caller's later change to its set cannot alter them."""
    return None if values is None else frozenset(values)
