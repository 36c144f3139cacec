"""Helpers shared by the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random, URL-safe unique id (a UUID4 in its canonical form)."""
    return str(uuid.uuid4())
