"""Argument checks shared by every store."""

from __future__ import annotations

from roomkit.errors import InvalidArgumentError


def check_page(offset: int, limit: int) -> None:
    """Raise InvalidArgumentError unless ``offset`` and ``limit`` are whole and non-negative."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidArgumentError("offset", offset, "an integer >= 0")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise InvalidArgumentError("limit", limit, "an integer >= 0")
