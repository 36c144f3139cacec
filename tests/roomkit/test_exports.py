"""The front door: every public name importable from ``roomkit``, and nothing optional loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import roomkit

SEED_NAMES = {
    # seed 000
    "RoomKit", "RoomNotFoundError", "ChannelNotFoundError", "ChannelNotRegisteredError",
    "RoomKitError",
    # seed 001
    "Participant", "Identity", "IdentityResult", "IdentityHookResult", "IdentityResolver",
    "MockIdentityResolver", "HookTrigger", "ChannelType", "ChannelDirection",
    # seed 002
    "ConversationStore", "InMemoryStore",
    # seed 003
    "SMSChannel", "RCSChannel", "EmailChannel", "WebSocketChannel", "WhatsAppChannel",
    "MessengerChannel", "TeamsChannel", "HTTPChannel", "TelegramChannel",
    "WhatsAppPersonalChannel", "TransportChannel", "StreamChunk", "StreamEnd",
    "StreamMessage", "StreamSendFn", "StreamStart",
}  # fmt: skip


def test_all_is_sorted_and_resolvable() -> None:
    """__all__ is sorted, has no duplicates, and every name in it resolves."""
    assert roomkit.__all__ == sorted(set(roomkit.__all__))
    for name in roomkit.__all__:
        assert getattr(roomkit, name) is not None, name


def test_seed_names_are_exported() -> None:
    """Every class the documentation pages name is importable from the package root."""
    assert set(roomkit.__all__) >= SEED_NAMES


def test_every_documented_root_name_is_in_all() -> None:
    """A documented name the root exports is listed in __all__ (tests/roomkit/surface data).

    The surface test checks that every name of the core area is exported at all; this keeps
    ``from roomkit import *`` and the docs in step with it.
    """
    data = json.loads((Path(__file__).parent / "surface" / "documented.json").read_text())
    documented = {entry["name"] for entry in data["names"].values()}
    exported = {name for name in documented if hasattr(roomkit, name)}
    assert exported - set(roomkit.__all__) == set()


def test_import_loads_no_optional_dependency() -> None:
    """`import roomkit` in a fresh interpreter loads no database, Redis or HTTP client."""
    code = (
        "import sys, roomkit\n"
        "optional = ('asyncpg', 'redis', 'aiosqlite', 'httpx', 'numpy')\n"
        "bad = [m for m in optional if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_roomkit_never_imports_roomz() -> None:
    """The framework does not depend on the application built on it."""
    code = "import sys, roomkit, roomkit.kit\nprint('roomz' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
