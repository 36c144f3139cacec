"""What a line typed at the roomz-cli prompt means: pure parsing, no I/O.

:func:`parse` turns one line into one of the command dataclasses below, or raises
:class:`CommandError` with a one-line message for the person typing. A line that does not
start with ``/`` is a message to the current room; ``//text`` sends ``/text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roomz.client import addresses
from roomz.protocol import HISTORY_PAGE_LIMIT, MAX_DISPLAY_NAME_LENGTH, ROOM_PATTERN


class CommandError(ValueError):
    """A line that is not a valid command; ``str(error)`` is the line to show."""


@dataclass(frozen=True, slots=True)
class Say:
    """Post ``text`` to the current room."""

    text: str


@dataclass(frozen=True, slots=True)
class Login:
    """Ask the server to send a magic link to ``email``."""

    email: str


@dataclass(frozen=True, slots=True)
class UseToken:
    """Connect with a magic-link (or session) token."""

    token: str


@dataclass(frozen=True, slots=True)
class Connect:
    """Connect again with the cached session."""


@dataclass(frozen=True, slots=True)
class SetName:
    """Set the display name, or clear it with ``None``."""

    name: str | None


@dataclass(frozen=True, slots=True)
class Logout:
    """Disconnect and forget the session."""


@dataclass(frozen=True, slots=True)
class Quit:
    """Leave the program."""


@dataclass(frozen=True, slots=True)
class Join:
    """Join ``room`` (creating it if nobody has) and post there from now on."""

    room: str


@dataclass(frozen=True, slots=True)
class Leave:
    """Leave ``room``; ``None`` means the current room."""

    room: str | None


@dataclass(frozen=True, slots=True)
class ListRooms:
    """List the rooms."""


@dataclass(frozen=True, slots=True)
class SwitchRoom:
    """Post to ``room`` from now on; ``None`` only shows the current room."""

    room: str | None


@dataclass(frozen=True, slots=True)
class Who:
    """Show who is here."""


@dataclass(frozen=True, slots=True)
class More:
    """Show ``count`` messages of the current room older than the oldest one shown."""

    count: int = 20


@dataclass(frozen=True, slots=True)
class Help:
    """Show the commands."""


Command = (
    Say
    | Login
    | UseToken
    | Connect
    | SetName
    | Logout
    | Quit
    | Join
    | Leave
    | ListRooms
    | SwitchRoom
    | Who
    | More
    | Help
)


def _no_argument(command: Command) -> Callable[[str, str], Command]:
    def parse(name: str, argument: str) -> Command:
        if argument:
            raise CommandError(f"/{name} takes no argument, got {argument!r}")
        return command

    return parse


def _login(name: str, argument: str) -> Command:
    email = _one_word(name, argument, "EMAIL")
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain.strip("."):
        raise CommandError(f"/{name}: {email!r} is not an e-mail address")
    return Login(email)


def _token(name: str, argument: str) -> Command:
    return UseToken(token_from(_one_word(name, argument, "TOKEN")))


def _set_name(name: str, argument: str) -> Command:
    if not argument:
        return SetName(None)
    if len(argument) > MAX_DISPLAY_NAME_LENGTH:
        limit = MAX_DISPLAY_NAME_LENGTH
        raise CommandError(f"/{name}: a name has at most {limit} characters, not {len(argument)}")
    return SetName(argument)


def _join(name: str, argument: str) -> Command:
    return Join(room_id(_one_word(name, argument, "ROOM")))


def _optional_room(name: str, argument: str) -> str | None:
    return room_id(_one_word(name, argument, "ROOM")) if argument else None


def _leave(name: str, argument: str) -> Command:
    return Leave(_optional_room(name, argument))


def _switch(name: str, argument: str) -> Command:
    return SwitchRoom(_optional_room(name, argument))


def _more(name: str, argument: str) -> Command:
    if not argument:
        return More()
    if not argument.isdigit() or not 0 < int(argument) <= HISTORY_PAGE_LIMIT:
        raise CommandError(f"/{name} takes a number of messages from 1 to {HISTORY_PAGE_LIMIT}")
    return More(int(argument))


_Parser = Callable[[str, str], Command]
_COMMANDS: dict[str, tuple[_Parser, str, str]] = {
    "login": (_login, "/login EMAIL", "send a login link to EMAIL"),
    "token": (_token, "/token TOKEN", "connect with the token (or the whole link) from the e-mail"),
    "connect": (_no_argument(Connect()), "/connect", "connect again with the saved session"),
    "name": (_set_name, "/name [NAME]", 'show you as "NAME (email)"; without NAME, as email'),
    "clearname": (_no_argument(SetName(None)), "/clearname", "clear your display name"),
    "join": (_join, "/join ROOM", "join (or create) ROOM and post there"),
    "leave": (_leave, "/leave [ROOM]", "leave ROOM (or the current room)"),
    "room": (_switch, "/room [ROOM]", "post to ROOM (without ROOM: show where you post)"),
    "rooms": (_no_argument(ListRooms()), "/rooms", "list the rooms, with unread counts"),
    "who": (_no_argument(Who()), "/who", "who is here in the current room"),
    "more": (_more, "/more [N]", "show N (20) older messages of the room, back to its start"),
    "history": (_more, "/history [N]", ""),
    "logout": (_no_argument(Logout()), "/logout", "disconnect and forget the session"),
    "quit": (_no_argument(Quit()), "/quit", "leave roomz-cli (also /exit, Ctrl-D, Ctrl-C)"),
    "exit": (_no_argument(Quit()), "/exit", ""),
    "help": (_no_argument(Help()), "/help", "this list"),
}


def parse(line: str) -> Command | None:
    """The command ``line`` asks for; ``None`` for a blank line.

    Raises:
        CommandError: an unknown command, or a bad or missing argument.
    """
    if not line.strip():
        return None
    if line.startswith("//"):
        return Say(line[1:])
    if not line.startswith("/"):
        return Say(line)
    name, _, argument = line[1:].partition(" ")
    entry = _COMMANDS.get(name.lower())
    if entry is None:
        shown = name if len(name) <= 20 else name[:17] + "..."
        raise CommandError(f"unknown command /{shown}; /help lists the commands")
    return entry[0](name.lower(), argument.strip())


def typed(text: str) -> str:
    """The line to type to post ``text``: the inverse of :func:`parse` for :class:`Say`."""
    return "/" + text if text.startswith("/") else text


def help_lines() -> list[str]:
    """One line per command: its usage and what it does."""
    width = max(len(usage) for _, usage, _ in _COMMANDS.values())
    lines = [f"{usage.ljust(width)}  {text}" for _, usage, text in _COMMANDS.values() if text]
    lines.append(f"{'TEXT'.ljust(width)}  post TEXT to the current room (//TEXT posts /TEXT)")
    return lines


def token_from(text: str) -> str:
    """The token in ``text``: the ``token`` parameter of a link, or ``text`` itself.

    Raises:
        CommandError: a link without a ``token`` parameter.
    """
    try:
        return addresses.token_from(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def room_id(text: str) -> str:
    """``text`` if it is a valid room id.

    Raises:
        CommandError: it is not (1-64 of ``A-Z a-z 0-9 _ . -``, starting with a letter or digit).
    """
    if not ROOM_PATTERN.fullmatch(text):
        raise CommandError(
            f"{text!r} is not a room name: 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return text


def _one_word(name: str, argument: str, what: str) -> str:
    if not argument:
        raise CommandError(f"/{name} needs {what}: /{name} {what}")
    if len(argument.split()) > 1:
        raise CommandError(f"/{name} takes one {what}, got {argument!r}")
    return argument
