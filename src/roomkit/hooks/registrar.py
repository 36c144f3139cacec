"""The decorators behind ``kit.hook`` and ``kit.identity_hook``: they check at registration
what would otherwise fail only when the hook runs, then register on the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from roomkit.errors import HookRegistrationError
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookRegistration, check_signature, freeze
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger

F = TypeVar("F", bound=Callable[..., Any])

_IDENTITY_TRIGGERS = (HookTrigger.ON_IDENTITY_AMBIGUOUS, HookTrigger.ON_IDENTITY_UNKNOWN)


def trigger_of(trigger: object, decorator: str) -> HookTrigger:
    """``trigger`` as a HookTrigger, or a HookRegistrationError that shows the right call.

    A function here means the decorator was written without parentheses, which would
    otherwise replace the function and register nothing.
    """
    if callable(trigger) and not isinstance(trigger, str):
        name = getattr(trigger, "__name__", repr(trigger))
        raise HookRegistrationError(
            f"@{decorator} needs a trigger: write @{decorator}(HookTrigger.BEFORE_BROADCAST) "
            f"(or another HookTrigger) above {name}, not @{decorator} alone"
        )
    try:
        return HookTrigger(trigger)  # type: ignore[arg-type]  # any value: refused below
    except ValueError:
        raise HookRegistrationError(
            f"{trigger!r} is not a HookTrigger; valid: {[t.value for t in HookTrigger]}"
        ) from None


def execution_of(execution: object) -> HookExecution:
    """``execution`` as a HookExecution, or a HookRegistrationError naming the valid ones."""
    try:
        return HookExecution(execution)  # type: ignore[arg-type]  # any value: refused below
    except ValueError:
        raise HookRegistrationError(
            f"{execution!r} is not a HookExecution; valid: {[e.value for e in HookExecution]}"
        ) from None


def hook_decorator(engine: HookEngine, **fields: Any) -> Callable[[F], F]:
    """A decorator registering its function as a global hook with ``fields``."""

    def register(fn: F) -> F:
        engine.register(HookRegistration(fn=fn, **fields))
        return fn

    return register


def identity_decorator(
    hooks: list[HookRegistration],
    trigger: object,
    channel_types: set[ChannelType] | None,
    channel_ids: set[str] | None,
    directions: set[ChannelDirection] | None,
) -> Callable[[F], F]:
    """A decorator adding an identity hook, called as ``fn(event, context, id_result)``."""
    checked = trigger_of(trigger, "kit.identity_hook")
    if checked not in _IDENTITY_TRIGGERS:
        raise HookRegistrationError(
            f"identity hooks fire on ON_IDENTITY_AMBIGUOUS or ON_IDENTITY_UNKNOWN, "
            f"not {checked.name}"
        )

    def register(fn: F) -> F:
        check_signature(fn, ("event", "context", "id_result"))
        hooks.append(
            HookRegistration(
                trigger=checked,
                execution=HookExecution.SYNC,
                fn=fn,
                channel_types=freeze(channel_types),
                channel_ids=freeze(channel_ids),
                directions=freeze(directions),
            )
        )
        return fn

    return register
