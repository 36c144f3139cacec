"""The ``roomz-cli`` entry point: arguments, the server URL and the session file.

``roomz-cli [--server URL] [--session-file PATH]``. The server defaults to
``$ROOMZ_SERVER``, else ``ws://localhost:8000/ws``; an ``http(s)://host:port`` address (what
a browser shows) is turned into its ``ws(s)://host:port/ws`` WebSocket URL. The session is
saved (mode 0600) in ``$XDG_CONFIG_HOME/roomz/session.json``, by default
``~/.config/roomz/session.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from roomkit.extras import require
from roomz.client.addresses import websocket_url

DEFAULT_SERVER = "ws://localhost:8000/ws"


def default_session_file(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CONFIG_HOME/roomz/session.json``, or ``~/.config/roomz/session.json``."""
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "roomz" / "session.json"


def parse_args(
    argv: Sequence[str] | None, environ: Mapping[str, str] = os.environ
) -> argparse.Namespace:
    """The options, with ``server`` already a WebSocket URL; exits 2 on a bad one."""
    parser = argparse.ArgumentParser(
        prog="roomz-cli", description="Chat on a roomz server from the terminal."
    )
    parser.add_argument(
        "--server",
        default=environ.get("ROOMZ_SERVER") or DEFAULT_SERVER,
        metavar="URL",
        help="server URL, ws(s)://host:port/ws or http(s)://host:port "
        f"(default: $ROOMZ_SERVER or {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--session-file",
        type=Path,
        default=default_session_file(environ),
        metavar="PATH",
        help="where the login session is kept (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        args.server = websocket_url(args.server)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run roomz-cli until the person quits; the process exit status."""
    args = parse_args(argv)
    try:
        require("prompt_toolkit", "cli")
    except ImportError as exc:
        print(f"roomz-cli: {exc}", file=sys.stderr)
        return 1
    from roomz.cli.app import ChatApp  # imports prompt_toolkit

    try:
        return asyncio.run(ChatApp(args.server, args.session_file.expanduser()).run())
    except KeyboardInterrupt:
        return 130
