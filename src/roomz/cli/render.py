"""How roomz-cli shows server data: pure functions from frames to styled lines.

Everything that came from the server (message text, names, e-mails, room ids, error text)
passes through :func:`visible` before it reaches the terminal, so what another user typed is
shown as typed and never interpreted: ``ESC [ 2 J`` shows as ``^[[2J`` instead of clearing the
screen. Lines are prompt_toolkit fragment lists, ``[(style, text), ...]``: the text of a
fragment is printed verbatim, so server text is never parsed as HTML or ANSI markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from roomz.errors import ProtocolError
from roomz.protocol import User

Line = list[tuple[str, str]]

CONTINUATION = "\n    "  # later lines of a multi-line message start indented
# Bidi overrides and zero-width marks (Cf), line separators (Zl, Zp) and lone surrogates
# (Cs, which the terminal's encoder would refuse) are shown as code points.
_UNSAFE_CATEGORIES = frozenset(("Cf", "Zl", "Zp", "Cs"))


def _shown(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)  # caret notation: ESC is ^[, NUL is ^@
    if code == 0x7F:
        return "^?"
    if 0x80 <= code < 0xA0:  # C1 controls: CSI (0x9b) alone can start an escape sequence
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def _harmless(char: str) -> bool:
    if char < " " or "\x7f" <= char < "\xa0":
        return False
    return char.isascii() or unicodedata.category(char) not in _UNSAFE_CATEGORIES


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character replaced by a visible stand-in.

    With ``multiline``, a newline starts an indented continuation line (so a message cannot
    forge a line of its own) and a tab becomes spaces; otherwise both show as ``^J``, ``^I``.
    """
    if text.isprintable() and text.isascii():
        return text  # the common case: nothing to replace
    out: list[str] = []
    for char in text.replace("\r\n", "\n") if multiline else text:
        if multiline and char == "\n":
            out.append(CONTINUATION)
        elif multiline and char == "\t":
            out.append("    ")
        else:
            out.append(char if _harmless(char) else _shown(char))
    return "".join(out)


def label(user: Any) -> str:
    """``"Name (email)"`` or the email alone, made visible; ``"?"`` for a malformed user."""
    try:
        return visible(User.of(user).label) if isinstance(user, Mapping) else "?"
    except ProtocolError:
        return "?"


def clock(timestamp: Any) -> str:
    """``HH:MM`` in local time for a protocol timestamp; ``--:--`` when it cannot be read."""
    if not isinstance(timestamp, str):
        return "--:--"
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "--:--"
    return moment.astimezone().strftime("%H:%M")


def room_tag(room: Any) -> str:
    """``[room]`` made visible."""
    return f"[{visible(str(room))}]"


def message_line(message: Mapping[str, Any]) -> Line:
    """``HH:MM [room] Name (email): text`` for a ``message`` event or history entry."""
    return [
        ("class:time", clock(message.get("timestamp")) + " "),
        ("class:room", room_tag(message.get("room")) + " "),
        ("class:author", label(message.get("user"))),
        ("", ": " + visible(str(message.get("content", "")), multiline=True)),
    ]


def status_line(text: str, *, style: str = "class:status") -> Line:
    """A line about the connection or the room rather than a message: ``-- text``.

    ``text`` is made visible too: callers build it from server fields.
    """
    return [(style, "-- " + visible(text))]


def error_line(text: str) -> Line:
    """A line saying what went wrong: ``!! text``."""
    return [("class:error", "!! " + visible(text))]


def plain(line: Line) -> str:
    """The text of a line without its styles."""
    return "".join(text for _, text in line)


def error_text(body: Mapping[str, Any]) -> str:
    """The human part of an error body ``{"error", "code", "reason"}``."""
    message = str(body.get("error") or "unknown error")
    retry = body.get("retry_after")
    if isinstance(retry, int | float) and not isinstance(retry, bool):
        message += f" (try again in {retry:.0f}s)"
    return message


def event_line(event: str, data: Mapping[str, Any]) -> Line | None:
    """The status line for a roster or typing event; ``None`` for one not shown as a line."""
    who = label(data.get("user"))
    room = room_tag(data.get("room"))
    if event == "user_joined":
        return status_line(f"{who} joined {room}")
    if event == "user_left":
        return status_line(f"{who} left {room}")
    if event == "display_name_changed":
        email = data.get("user", {}).get("email") if isinstance(data.get("user"), dict) else None
        name = data.get("display_name")
        if name:
            return status_line(f"{email} is now shown as {name} ({email})")
        return status_line(f"{email} cleared their display name")
    if event == "typing":
        return status_line(f"{who} is typing in {room}") if data.get("state") else None
    if event == "presence":
        return status_line(f"{who} is {data.get('status')}")
    return None
