"""Server-sent events: an incremental, Sans-I/O decoder.

Follows the WHATWG "event stream interpretation" rules: lines end in CRLF, LF or CR;
``data`` lines of one event are joined with ``\\n``; a line starting with ``:`` is a
comment; an event is dispatched on a blank line, and only if it carried data. Feed bytes
as they arrive, in any split; complete events come out in order.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event. ``event`` is ``"message"`` when the stream named none."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turns chunks of an ``text/event-stream`` body into :class:`ServerSentEvent`."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes | str) -> list[ServerSentEvent]:
        """Decode ``chunk`` and return the events it completed."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        if not text:
            return []
        if self._pending_cr and text.startswith("\n"):
            # The CR of a CRLF pair ended the previous chunk; its LF is not a new line.
            text = text[1:]
        self._pending_cr = text.endswith("\r")
        self._buffer += text
        events: list[ServerSentEvent] = []
        for line in self._complete_lines():
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        return events

    def _complete_lines(self) -> list[str]:
        normalised = self._buffer.replace("\r\n", "\n").replace("\r", "\n")
        *lines, self._buffer = normalised.split("\n")
        return lines

    def _process_line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return ServerSentEvent(
            data="\n".join(data), event=event or "message", id=self._id, retry=self._retry
        )

    @property
    def has_partial_event(self) -> bool:
        """Whether data was received that no blank line has dispatched yet."""
        return bool(self._data or self._buffer)
