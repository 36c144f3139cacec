"""What each line typed at the prompt means (pure parsing, no terminal)."""

from __future__ import annotations

import pytest

from roomz.cli import commands as c


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("hello there", c.Say("hello there")),
        ("  leading spaces kept", c.Say("  leading spaces kept")),
        ("//shrug", c.Say("/shrug")),
        ("/login ann@example.com", c.Login("ann@example.com")),
        ("/token abc-DEF_123", c.UseToken("abc-DEF_123")),
        ("/connect", c.Connect()),
        ("/name Ann Lee", c.SetName("Ann Lee")),
        ("/name   Ann  ", c.SetName("Ann")),
        ("/name", c.SetName(None)),
        ("/name    ", c.SetName(None)),
        ("/clearname", c.SetName(None)),
        ("/logout", c.Logout()),
        ("/quit", c.Quit()),
        ("/exit", c.Quit()),
        ("/QUIT", c.Quit()),
        ("/join random", c.Join("random")),
        ("/leave random", c.Leave("random")),
        ("/leave", c.Leave(None)),
        ("/rooms", c.ListRooms()),
        ("/room dev.ops-2", c.SwitchRoom("dev.ops-2")),
        ("/room", c.SwitchRoom(None)),
        ("/who", c.Who()),
        ("/more", c.More(20)),
        ("/more 100", c.More(100)),
        ("/history 5", c.More(5)),
        ("/help", c.Help()),
    ],
)
def test_lines_parse_to_commands(line: str, command: c.Command) -> None:
    """Every documented command and plain text parse to what they ask for."""
    assert c.parse(line) == command


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_blank_lines_do_nothing(line: str) -> None:
    """A blank line is no command and no message."""
    assert c.parse(line) is None


def test_token_is_taken_from_a_pasted_link() -> None:
    """/token accepts the whole link from the e-mail and keeps only its token."""
    link = "http://127.0.0.1:8000/auth/verify?token=Zm9v-YmFy_42&x=1"
    assert c.parse(f"/token {link}") == c.UseToken("Zm9v-YmFy_42")
    assert c.token_from("https://chat.example.com/auth/verify?token=abc") == "abc"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/frobnicate", "unknown command /frobnicate; /help lists the commands"),
        ("/", "unknown command /; /help lists the commands"),
        ("/login", "/login needs EMAIL: /login EMAIL"),
        ("/login not-an-address", "/login: 'not-an-address' is not an e-mail address"),
        ("/login a@b", "/login: 'a@b' is not an e-mail address"),
        ("/login a@b.com c@d.com", "/login takes one EMAIL, got 'a@b.com c@d.com'"),
        ("/token", "/token needs TOKEN: /token TOKEN"),
        ("/token a b", "/token takes one TOKEN, got 'a b'"),
        ("/quit now", "/quit takes no argument, got 'now'"),
        ("/who is here", "/who takes no argument, got 'is here'"),
        ("/join", "/join needs ROOM: /join ROOM"),
        ("/name " + "x" * 65, "/name: a name has at most 64 characters, not 65"),
        ("/more 0", "/more takes a number of messages from 1 to 500"),
        ("/more lots", "/more takes a number of messages from 1 to 500"),
        ("/history 501", "/history takes a number of messages from 1 to 500"),
    ],
)
def test_bad_lines_give_one_clear_line(line: str, expected: str) -> None:
    """Unknown commands and bad arguments raise CommandError with a message to show."""
    with pytest.raises(c.CommandError) as caught:
        c.parse(line)
    assert str(caught.value) == expected
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("room", ["-dash", "has/slash", "x" * 65, "semi;colon", "\x1b[2J"])
def test_bad_room_names_are_refused(room: str) -> None:
    """Room arguments must be protocol room ids; the error says what would be valid."""
    with pytest.raises(c.CommandError, match="is not a room name: 1-64 letters"):
        c.parse(f"/room {room}")


def test_link_without_token_is_refused() -> None:
    """A pasted link that carries no token says so instead of sending the URL as a token."""
    with pytest.raises(c.CommandError, match="that link has no token parameter"):
        c.parse("/token http://127.0.0.1:8000/auth/verify?tok=1")


def test_unknown_command_name_is_shortened() -> None:
    """A very long unknown command is cut in the error line."""
    with pytest.raises(c.CommandError) as caught:
        c.parse("/" + "z" * 200)
    assert len(str(caught.value)) < 80


def test_help_lists_every_command() -> None:
    """/help names each command a person can type."""
    text = "\n".join(c.help_lines())
    for usage in ("/login EMAIL", "/token TOKEN", "/name [NAME]", "/clearname", "/logout"):
        assert usage in text
    for usage in (
        "/quit",
        "/join ROOM",
        "/leave [ROOM]",
        "/rooms",
        "/room [ROOM]",
        "/who",
        "/more",
    ):
        assert usage in text
    assert "/help" in text


@pytest.mark.parametrize("text", ["hello", "/not a command", "//two", " /space"])
def test_typed_is_the_line_that_posts_a_text(text: str) -> None:
    """The line put back on the prompt after a failed send posts the same text again."""
    assert c.parse(c.typed(text)) == c.Say(text)
