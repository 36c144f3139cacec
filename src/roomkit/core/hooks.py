"""``roomkit.core.hooks``: the hook engine and hook registrations."""

from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookRegistration

__all__ = ["HookEngine", "HookRegistration"]
