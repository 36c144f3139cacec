"""Sweep: when to delete expired rows, so that clean-up rides on ordinary requests."""

from __future__ import annotations


class Sweep:
    """Says a clean-up is due at most once per ``every`` seconds (the first call is due)."""

    __slots__ = ("_every", "_last")

    def __init__(self, every: float) -> None:
        self._every = every
        self._last = float("-inf")

    def due(self, now: float) -> bool:
        """True when ``every`` seconds have passed since the last time this said True."""
        if now - self._last < self._every:
            return False
        self._last = now
        return True
