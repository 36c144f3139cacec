"""SessionCache: mode 0600, atomic replace, one server per file."""

from __future__ import annotations

import stat
from pathlib import Path

from roomz.client.session_cache import SessionCache

URL = "ws://127.0.0.1:1/ws"


def test_save_writes_mode_0600_and_load_reads_it_back(tmp_path: Path) -> None:
    """The file is owner-only and holds the token for this server."""
    cache = SessionCache(tmp_path / "dir" / "session.json", URL)
    assert cache.load() is None
    cache.save("s1")
    cache.save("s2")
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.load() == "s2"
    assert [p.name for p in cache.path.parent.iterdir()] == ["session.json"]


def test_another_server_or_garbage_loads_nothing(tmp_path: Path) -> None:
    """A session for another URL, or an unreadable file, is ignored."""
    path = tmp_path / "session.json"
    SessionCache(path, "ws://elsewhere/ws").save("s1")
    assert SessionCache(path, URL).load() is None
    path.write_text("{not json")
    assert SessionCache(path, URL).load() is None


def test_clear_removes_the_file_and_is_idempotent(tmp_path: Path) -> None:
    """clear() deletes; clearing again is fine."""
    cache = SessionCache(tmp_path / "session.json", URL)
    cache.save("s1")
    cache.clear()
    cache.clear()
    assert not cache.path.exists()
