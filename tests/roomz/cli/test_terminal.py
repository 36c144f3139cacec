"""roomz-cli as a person uses it: in a real terminal (tmux), typing and reading the screen."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from roomz import AsyncClient, AuthenticationError
from tests.conftest import UNIT
from tests.roomz.cli.conftest import ChatServer, CliFactory, log_in, prompt
from tests.roomz.server.serve import free_port

Peers = Callable[..., Any]
ANN = "ann@example.com"
BOB = "bob@example.com"


async def test_login_link_then_chat(
    cli: CliFactory, chat: ChatServer, peer: Peers, session_file: Path
) -> None:
    """/login sends a link; /token with the pasted link connects; a message reaches others."""
    bob = await peer(BOB)
    await bob.client.send("said before you came")
    async with cli() as term:
        await term.wait_for("not logged in: /login EMAIL")
        await prompt(term)
        await term.enter(f"/login {ANN}")
        await term.wait_for(f"a login link is on its way to {ANN}")
        await term.enter(f"/token {await chat.link_for(ANN)}")
        await term.wait_for(f"connected as {ANN}; you post to [general]")
        await term.wait_for(f"[general] {BOB}: said before you came")
        mode = (await asyncio.to_thread(session_file.stat)).st_mode
        assert stat.S_IMODE(mode) == 0o600
        await term.enter("hello from the terminal")
        await term.wait_for(f"[general] {ANN}: hello from the terminal")
        received = await bob.message("hello from the terminal")
        assert received["user"]["email"] == ANN


async def test_message_arrives_while_typing(cli: CliFactory, chat: ChatServer, peer: Peers) -> None:
    """Another user's message appears above the prompt; the half-typed line stays intact."""
    bob = await peer(BOB)
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.type("half typ")
        await term.wait_for(lambda screen: screen.rstrip().endswith("[general] > half typ"))
        assert (await bob.typing_from(ANN))["state"] is True
        await bob.client.send("hi from bob")
        await term.wait_for(f"[general] {BOB}: hi from bob")
        await term.wait_prompt_line("[general] > half typ")
        await term.type("ed")
        await term.press("Enter")
        assert (await bob.message("half typed"))["user"]["email"] == ANN
        await term.wait_for(f"{ANN}: half typed")


async def test_display_name_set_and_cleared(cli: CliFactory, chat: ChatServer, peer: Peers) -> None:
    """/name shows you as "Name (email)" to others; /name and /clearname go back to the email."""
    bob = await peer(BOB)
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.enter("/name Ann Lee")
        await term.wait_for(f"you are now shown as Ann Lee ({ANN})")
        await term.enter("named")
        await term.wait_for(f"[general] Ann Lee ({ANN}): named")
        assert (await bob.message("named"))["user"]["display_name"] == "Ann Lee"
        await term.enter("/name")
        await term.wait_for(f"you are now shown as {ANN}\n")
        await term.enter("unnamed")
        await term.wait_for(f"[general] {ANN}: unnamed")
        assert (await bob.message("unnamed"))["user"]["display_name"] is None
        await term.enter("/name Ann")
        await term.wait_for(f"you are now shown as Ann ({ANN})")
        await term.enter("/clearname")
        await term.wait_for(lambda s: s.count(f"you are now shown as {ANN}\n") == 2)


async def test_others_show_as_status_lines(cli: CliFactory, chat: ChatServer, peer: Peers) -> None:
    """Others joining, renaming, typing, going away and leaving are status lines."""
    async with cli() as term:
        await log_in(term, chat, ANN)
        bob = await peer(BOB)
        await term.wait_for(f"-- {BOB} joined [general]")
        await bob.client.set_display_name("Bob")
        await term.wait_for(f"-- {BOB} is now shown as Bob ({BOB})")
        await bob.client.send("named now")
        await term.wait_for(f"[general] Bob ({BOB}): named now")
        await bob.client.typing("general", True)
        await term.wait_for(f"-- Bob ({BOB}) is typing in [general]")
        await bob.client.set_presence("away")
        await term.wait_for(f"-- Bob ({BOB}) is away")
        await term.enter("/who")
        await term.wait_for(f"here in [general] (2): {ANN} (you), Bob ({BOB}) (away)")
        await bob.client.disconnect()
        await term.wait_for(f"-- Bob ({BOB}) left [general]")
        await term.enter("/who")
        await term.wait_for(f"here in [general] (1): {ANN} (you)")


async def test_terminal_markup_is_shown_as_typed(
    cli: CliFactory, chat: ChatServer, peer: Peers
) -> None:
    """Escape sequences and markup from others are shown, not obeyed: the screen stays."""
    bob = await peer(BOB)
    async with cli() as term:
        await log_in(term, chat, ANN)
        await bob.client.send("\x1b[2J\x1b[31mRED")
        await bob.client.send("<b>x</b> <ansired>y</ansired> &lt;")
        await term.wait_for(f"{BOB}: <b>x</b> <ansired>y</ansired> &lt;")
        screen = await term.screen()  # the visible pane only: a clear would have emptied it
        assert f"connected as {ANN}" in screen
        assert f"[general] {BOB}: ^[[2J^[[31mRED" in screen
        coloured = await term.screen(escapes=True)
        red_line = next(line for line in coloured.splitlines() if "RED" in line)
        assert "\x1b[31m" not in red_line
        await term.enter("<i>mine</i> \\x1b[0m")
        await term.wait_for(f"{ANN}: <i>mine</i> \\x1b[0m")
        assert (await bob.message("<i>mine</i> \\x1b[0m"))["user"]["email"] == ANN


async def test_logout_clears_the_session(
    cli: CliFactory, chat: ChatServer, session_file: Path
) -> None:
    """A cached session connects on start; /logout disconnects and deletes the session file."""
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.enter("/quit")
        await term.wait_exit()
    assert await asyncio.to_thread(session_file.exists)
    saved = json.loads(await asyncio.to_thread(session_file.read_text))["session_token"]
    async with cli() as term:
        await term.wait_for(f"connected as {ANN}")
        await prompt(term)
        await term.enter("/logout")
        await term.wait_for("logged out; the saved session is deleted and revoked on the server")
        assert not await asyncio.to_thread(session_file.exists)
        with pytest.raises(AuthenticationError):
            await AsyncClient(chat.ws_url, connection_timeout=5 * UNIT).connect(saved)
        await term.enter("still here?")
        await term.wait_for("!! not connected: /login EMAIL")
        await term.wait_prompt_line("(offline) [general] > still here?")
    async with cli() as term:
        await term.wait_for("not logged in: /login EMAIL")


async def test_quit_and_exit_end_the_process(cli: CliFactory, chat: ChatServer) -> None:
    """/quit, /exit, Ctrl-D and Ctrl-C each end roomz-cli with status 0."""
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.enter("/quit")
        assert await term.wait_exit() == 0
    for keys in (["/exit", "Enter"], ["C-d"], ["half typed", "C-c"]):
        async with cli() as term:
            await term.wait_for(f"connected as {ANN}")  # the session saved by the first run
            await prompt(term)
            await term.press(*keys)
            assert await term.wait_exit() == 0
            assert "Traceback" not in await term.screen(history=True)


async def test_bad_commands_show_an_error_and_carry_on(
    cli: CliFactory, chat: ChatServer, peer: Peers
) -> None:
    """Unknown commands, bad arguments and offline sends print one line; the CLI goes on."""
    bob = await peer(BOB)
    async with cli() as term:
        await prompt(term)
        await term.enter("talking too early")
        await term.wait_for("!! not connected: /login EMAIL for a link, then /token LINK")
        await term.wait_prompt_line("(offline) [general] > talking too early")  # not lost
        await term.press("C-u")  # prompt_toolkit: delete to the start of the line
        await term.enter("/token")
        await term.wait_for("!! /token needs TOKEN: /token TOKEN")
        await term.enter("/token not-a-real-token")
        await term.wait_for("!! not logged in: the server refused the token")
        await log_in(term, chat, ANN)
        for line, error in [
            ("/frobnicate now", "!! unknown command /frobnicate; /help lists the commands"),
            ("/login nobody", "!! /login: 'nobody' is not an e-mail address"),
            ("/room nowhere", "!! you are not in [nowhere]; /join nowhere first"),
            ("/join bad/room", "!! 'bad/room' is not a room name"),
            ("/leave general", "!! cannot leave [general]"),
            ("/quit please", "!! /quit takes no argument, got 'please'"),
        ]:
            await term.enter(line)
            await term.wait_for(error)
        await term.enter("still working")
        assert (await bob.message("still working"))["user"]["email"] == ANN
        screen = await term.wait_for(f"{ANN}: still working")
        assert "Traceback" not in screen
        assert await term.exit_status() is None


async def test_rooms_join_switch_and_who(cli: CliFactory, chat: ChatServer, peer: Peers) -> None:
    """/join creates and enters a room, messages go there, /rooms and /who list, /leave returns."""
    bob = await peer(BOB)
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.enter("/join dev")
        await term.wait_for("you are in [dev]; your messages go there now")
        await term.wait_for(lambda s: s.rstrip().endswith("[dev] >"))
        await term.enter("in dev")
        await term.wait_for(f"[dev] {ANN}: in dev")
        await bob.client.join("dev")
        await term.wait_for(f"-- {BOB} joined [dev]")
        await bob.client.send("bob in dev", room="dev")
        await term.wait_for(f"[dev] {BOB}: bob in dev")
        await term.enter("/who")
        await term.wait_for(f"here in [dev] (2): {ANN} (you), {BOB}")
        await bob.client.send("meanwhile in general")
        await term.wait_for(f"[general] {BOB}: meanwhile in general")
        await term.enter("/rooms")
        await term.wait_for("2 rooms")
        await term.wait_for("--  * [general], 1 unread\n")
        await term.wait_for("-- >* [dev]")
        await term.enter("/room general")
        await term.wait_for("you post to [general] now")
        await term.enter("/rooms")
        await term.wait_for("-- >* [general]\n")
        await term.enter("/room dev")
        await term.enter("/leave")
        await term.wait_for("you left [dev]; posting to [general]")
        await term.enter("back home")
        assert (await bob.message("back home"))["room"] == "general"
        await term.enter("/help")
        await term.wait_for("/join ROOM")


async def test_reconnects_after_a_server_restart(
    cli: CliFactory, chat: ChatServer, peer: Peers
) -> None:
    """A restarted server shows as "reconnecting", then connected again; chat carries on."""
    async with cli() as term:
        await log_in(term, chat, ANN)
        await chat.restart()
        await term.wait_for("-- connection lost; reconnecting...")
        await term.wait_for(lambda s: s.count(f"connected as {ANN}") == 2, units=15)
        bob = await peer(BOB)
        await term.enter("after the restart")
        assert (await bob.message("after the restart"))["user"]["email"] == ANN


async def test_a_burst_of_messages_keeps_order_and_the_typed_line(
    cli: CliFactory, chat: ChatServer, peer: Peers
) -> None:
    """Fifteen messages arriving while typing all show, in order, under an intact prompt."""
    bob = await peer(BOB)
    async with cli() as term:
        await log_in(term, chat, ANN)
        await term.type("still typing")
        await term.wait_for(lambda screen: screen.rstrip().endswith("> still typing"))
        for n in range(15):  # within the server's per-connection burst allowance
            assert "error" not in await bob.client.send(f"burst {n:02d}")
        screen = await term.wait_for(f"{BOB}: burst 14")
        shown = [line.split(": ", 1)[1] for line in screen.splitlines() if ": burst " in line]
        assert shown == [f"burst {n:02d}" for n in range(15)]
        await term.wait_prompt_line("[general] > still typing")


async def test_more_reads_older_messages_back_to_the_start(
    cli: CliFactory, chat: ChatServer, peer: Peers
) -> None:
    """Connecting shows the newest 20; /more pages back through the rest and marks the start."""
    bob = await peer(BOB)
    for n in range(1, 31):
        assert "error" not in await bob.client.send(f"old {n:02d}")
    async with cli() as term:
        await log_in(term, chat, ANN)
        screen = await term.wait_for(f"{BOB}: old 30")
        assert f"{BOB}: old 10" not in screen and f"{BOB}: old 11" in screen
        await term.enter("/more 6")
        await term.wait_for("6 older messages of [general]")
        screen = await term.wait_for(f"{BOB}: old 05")
        assert f"{BOB}: old 04" not in screen and "start of [general]" not in screen
        await term.enter("/more")
        await term.wait_for("4 older messages of [general]")
        await term.wait_for(f"{BOB}: old 01")
        await term.wait_for("-- start of [general]")
        await term.enter("/more")
        await term.wait_for("that is the start of [general]: nothing older")


async def test_an_unreachable_server_is_one_line(cli: CliFactory, tmp_path: Path) -> None:
    """With nothing listening, /login and /token each print one line saying so."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with cli(server=nowhere) as term:
        await prompt(term)
        await term.enter(f"/login {ANN}")
        await term.wait_for("!! cannot reach the server: POST http://127.0.0.1:")
        await term.enter("/token abc")
        await term.wait_for("!! cannot reach the server: cannot open ws://127.0.0.1:")
        await term.enter("/who")
        screen = await term.wait_for("!! not connected: /login EMAIL")
        assert "Traceback" not in screen


async def test_session_file_option(cli: CliFactory, chat: ChatServer, tmp_path: Path) -> None:
    """--session-file keeps the session where it says, readable by the owner only."""
    custom = tmp_path / "elsewhere" / "me.session"
    async with cli("--session-file", str(custom)) as term:
        await log_in(term, chat, ANN)
        mode = (await asyncio.to_thread(custom.stat)).st_mode
        assert stat.S_IMODE(mode) == 0o600
        await term.enter("/quit")
        assert await term.wait_exit() == 0
    async with cli("--session-file", str(custom)) as term:
        await term.wait_for(f"connected as {ANN}")
    default = tmp_path / "config" / "roomz" / "session.json"
    assert not await asyncio.to_thread(default.exists)


async def test_a_session_ended_elsewhere_asks_to_log_in_again(
    cli: CliFactory, chat: ChatServer, session_file: Path
) -> None:
    """Logging out in another client ends the terminal's session too, with one clear line."""
    async with cli() as term:
        await log_in(term, chat, ANN)
        saved = json.loads(await asyncio.to_thread(session_file.read_text))["session_token"]
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{chat.http_url}/auth/logout", headers={"Authorization": f"Bearer {saved}"}
            )
        assert answer.status_code == 200
        await term.enter("anyone there?")  # the server ends the socket at its next request
        await term.wait_for("!! the server refused the token (HTTP 401); log in again", units=15)
        await term.wait_prompt_line("(offline) [general] > anyone there?")  # kept to resend
        assert not await asyncio.to_thread(session_file.exists)
