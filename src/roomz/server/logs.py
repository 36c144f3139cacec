"""Structured logs: one JSON object per line on standard error.

Standard output stays for people: the console mail sender prints its login links there,
framed, and ``roomz serve`` prints where it listens. No log line carries a login or
session token: every record passes :class:`RedactTokens` (uvicorn's access log, which
writes each request's query string, included).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every record has, and uvicorn's ANSI-coloured copy of the message.
_STANDARD = frozenset((*vars(logging.makeLogRecord({})), "message", "asctime", "color_message"))


_TOKEN = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)


class RedactTokens(logging.Filter):
    """Replaces the value of every ``token=`` in a record's message with ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message.lower():
            record.msg, record.args = _TOKEN.sub(r"\1***", message), None
        return True


# What uvicorn (and the websockets library through it) logs for every socket, at INFO.
_SOCKET_LINES = ("connection open", "connection closed")
_SOCKET_PREFIX = '%s - "WebSocket %s"'


class NoRequestLines(logging.Filter):
    """Drops the per-socket lines uvicorn logs (``"WebSocket /ws" [accepted]``, ``connection
    open``, ``connection closed``): with the access log off, requests make no lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("uvicorn"):
            return True
        message = str(record.msg)
        return not (message in _SOCKET_LINES or message.startswith(_SOCKET_PREFIX))


class JSONFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}``, plus ``exception`` and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO, *, requests: bool = False) -> None:
    """Send every logger's records (uvicorn's included) to stderr as JSON lines, tokens
    redacted; ``requests`` keeps uvicorn's lines about each socket too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RedactTokens())
    if not requests:
        handler.addFilter(NoRequestLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
