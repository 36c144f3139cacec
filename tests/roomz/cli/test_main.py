"""roomz-cli's arguments: the server URL and where the session is kept."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from roomz.cli.main import DEFAULT_SERVER, default_session_file, main, parse_args, websocket_url


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws"),
        ("http://127.0.0.1:8000/", "ws://127.0.0.1:8000/ws"),
        ("https://chat.example.com", "wss://chat.example.com/ws"),
        ("https://chat.example.com/roomz/", "wss://chat.example.com/roomz/ws"),
        ("http://h:1/ws", "ws://h:1/ws"),
        ("ws://localhost:8000/ws", "ws://localhost:8000/ws"),
        ("wss://h/custom/path", "wss://h/custom/path"),
    ],
)
def test_http_addresses_become_websocket_urls(address: str, url: str) -> None:
    """A browser address is turned into the server's /ws WebSocket URL."""
    assert websocket_url(address) == url


@pytest.mark.parametrize("address", ["localhost:8000", "ftp://h/ws", "http://", ""])
def test_other_addresses_are_refused(address: str) -> None:
    """Anything but an http(s) or ws(s) URL with a host is an error."""
    with pytest.raises(ValueError, match="is not a ws://, wss://, http:// or https:// URL"):
        websocket_url(address)


def test_defaults_come_from_the_environment(tmp_path: Path) -> None:
    """ROOMZ_SERVER and XDG_CONFIG_HOME set the defaults; flags override them."""
    env = {"ROOMZ_SERVER": "http://10.0.0.1:9000", "XDG_CONFIG_HOME": str(tmp_path)}
    args = parse_args([], env)
    assert args.server == "ws://10.0.0.1:9000/ws"
    assert args.session_file == tmp_path / "roomz" / "session.json"
    args = parse_args(["--server", "wss://h/ws", "--session-file", "s.json"], env)
    assert (args.server, args.session_file) == ("wss://h/ws", Path("s.json"))
    assert parse_args([], {}).server == DEFAULT_SERVER


def test_session_file_defaults_to_the_home_config() -> None:
    """Without XDG_CONFIG_HOME the session lives in ~/.config/roomz."""
    assert default_session_file({}) == Path.home() / ".config" / "roomz" / "session.json"


def test_a_bad_server_flag_exits_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --server prints one error line and exits 2, like any bad argument."""
    with pytest.raises(SystemExit) as caught:
        parse_args(["--server", "nonsense"], {})
    assert caught.value.code == 2
    assert "'nonsense' is not a ws://" in capsys.readouterr().err


def test_missing_prompt_toolkit_names_the_extra() -> None:
    """Without prompt_toolkit, roomz-cli says which extra to install and exits 1."""
    code = (
        "import sys; sys.modules['prompt_toolkit'] = None\n"
        "from roomz.cli.main import main\n"
        "raise SystemExit(main(['--server', 'ws://127.0.0.1:9/ws']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "pip install 'roomkit[cli]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_console_script_and_module_run_the_same_main() -> None:
    """``roomz-cli`` is installed as roomz.cli.main:main; ``python -m roomz.cli`` runs it too."""
    (script,) = entry_points(group="console_scripts", name="roomz-cli")
    assert script.load() is main
    done = subprocess.run(
        [sys.executable, "-m", "roomz.cli", "--help"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert "usage: roomz-cli [-h] [--server URL] [--session-file PATH]" in done.stdout
