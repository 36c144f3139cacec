"""The roomz front door: exactly the seed's names; the error tree as documented."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import roomz
from roomz import AuthenticationError, ClientError, ConnectionError

SRC = Path(__file__).resolve().parents[3] / "src"
SEED_NAMES = {
    "AsyncClient",
    "SyncClient",
    "ClientError",
    "ConnectionError",
    "AuthenticationError",
    "ConnectionState",
}


def test_all_lists_exactly_the_seed_names() -> None:
    """__all__ is sorted and equals the names the seed page imports from roomz."""
    assert set(roomz.__all__) == SEED_NAMES
    assert roomz.__all__ == sorted(roomz.__all__)
    for name in SEED_NAMES:
        assert getattr(roomz, name) is not None


def test_error_tree() -> None:
    """ConnectionError and AuthenticationError are ClientErrors; ConnectionError is also
    the builtin ConnectionError, so either name catches it."""
    assert issubclass(ConnectionError, ClientError)
    assert issubclass(ConnectionError, builtins.ConnectionError)
    assert issubclass(AuthenticationError, ClientError)
    assert not issubclass(AuthenticationError, builtins.ConnectionError)
    error = ConnectionError("down", code=503, reason="connection_lost")
    assert str(error) == "down" and error.code == 503
    assert repr(error) == "ConnectionError('down', code=503, reason='connection_lost')"


def test_importing_the_protocol_loads_no_client_dependency() -> None:
    """The server imports roomz.protocol; that must not pull in websockets or httpx."""
    code = "import sys, roomz.protocol; print('websockets' in sys.modules, 'httpx' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(SRC)}  # this checkout, whatever pip installed
    command = [sys.executable, "-c", code]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "False"]
