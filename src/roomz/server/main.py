"""``roomz serve [--host H] [--port P]``: run the chat server in this process.

Configuration comes from ``ROOMZ_*`` variables (see :mod:`roomz.server.settings`); the two
flags override ``ROOMZ_HOST`` and ``ROOMZ_PORT``. An unusable setting is one line on stderr
and exit code 2. Logs are JSON lines on stderr; stdout carries the start banner and, with
the console mail sender, the login links, each framed so it stands out. Requests are not
logged unless ``ROOMZ_ACCESS_LOG=1`` (then on stderr, tokens redacted), so nothing scrolls
a link away.

The socket refuses frames over the protocol's limit (:attr:`Settings.max_frame_bytes`,
64 KiB by default) before reading them whole, and forwarding headers are not believed
from anyone: roomz reads ``X-Forwarded-For`` itself, from ``ROOMZ_TRUSTED_PROXIES`` only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from roomz.server.auth.policy import LoginPolicy
from roomz.server.settings import Settings, SettingsError

EXIT_SETTINGS = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roomz", description="The roomz chat server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the chat server")
    serve.add_argument("--host", help="address to listen on (default: ROOMZ_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: ROOMZ_PORT, 8000)")
    return parser


def settings_for(host: str | None, port: int | None) -> Settings:
    """The environment's settings with the command line's overrides.

    Raises:
        SettingsError: a variable or a flag holds an unusable value.
    """
    environ = dict(os.environ)
    if port is not None:
        if not 0 <= port <= 65535:
            raise SettingsError(f"--port: {port} is not a port number (0-65535)")
        environ["ROOMZ_PORT"] = str(port)
    if host is not None:
        environ["ROOMZ_HOST"] = host
    # The flags stand in for the variables, so a public URL nobody set follows them too.
    return Settings.from_env(environ)


def banner(settings: Settings) -> str:
    """What an operator sees on start: where roomz listens and how to log in."""
    lines = [
        f"roomz is listening on http://{settings.host}:{settings.port}",
        f"Open {settings.public_url}/ and enter your email address to log in.",
    ]
    if settings.smtp_host is None:
        lines.append("Login links are printed here (no ROOMZ_SMTP_HOST is set).")
    else:
        lines.append(f"Login links are mailed through {settings.smtp_host}:{settings.smtp_port}.")
    if LoginPolicy(settings).admits_nobody:
        lines.append(
            "Nobody may log in yet: set ROOMZ_ALLOWED_EMAILS, ROOMZ_ALLOWED_DOMAINS "
            "or ROOMZ_OPEN_SIGNUP=1."
        )
    return "\n".join(lines)


def serve(settings: Settings) -> None:
    """Run uvicorn with the roomz app until SIGINT or SIGTERM."""
    import uvicorn

    from roomz.server import logs
    from roomz.server.app import create_app

    logs.configure(requests=settings.access_log)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        # Compression would cost a zlib pass per socket per frame: fan-out encodes once.
        ws_per_message_deflate=False,
        ws_max_size=settings.max_frame_bytes,
        proxy_headers=False,
        access_log=settings.access_log,
        log_config=None,
        lifespan="on",
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        timeout_graceful_shutdown=5,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    print(banner(settings), flush=True)
    server.run()
    if not server.started:
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``roomz`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = settings_for(args.host, args.port)
    except SettingsError as exc:
        print(f"roomz: {exc}", file=sys.stderr)
        return EXIT_SETTINGS
    serve(settings)
    return 0
