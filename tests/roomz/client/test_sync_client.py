"""SyncClient from plain blocking code, against the stand-in server in a thread of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from roomz import AuthenticationError, ConnectionError, ConnectionState, SyncClient
from tests.conftest import UNIT
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import serve_in_thread

ANN = "ann@example.com"


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer()


@pytest.fixture
def url(fake: FakeServer) -> Iterator[str]:
    with serve_in_thread(fake.app) as port:
        yield f"ws://127.0.0.1:{port}/ws"


def wait_until(predicate: Any) -> None:
    deadline = time.monotonic() + 5 * UNIT
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_sync_client_end_to_end(url: str, fake: FakeServer) -> None:
    """login, connect, send, handlers in the loop thread, display name, disconnect."""
    client = SyncClient(url, "", connection_timeout=5 * UNIT)
    assert client.login(ANN) is True
    assert fake.login_requests == [ANN]
    (token,) = fake.magic_tokens
    seen: list[tuple[str, str]] = []
    client.on(
        "message", lambda data: seen.append((data["content"], threading.current_thread().name))
    )
    client.connect(token=token)
    assert client.connected and client.connection_state.value == "connected"
    result = client.send("Hello!")
    assert result["status"] == "ok" and result["message_id"] == fake.rooms["general"][0]["id"]
    assert client.set_display_name("Ann")["display_name"] == "Ann"
    assert client.user is not None and client.user["display_name"] == "Ann"
    wait_until(lambda: len(seen) == 1)
    assert seen == [("Hello!", "roomz-sync-client")]
    client.off("message")
    client.disconnect()
    client.disconnect()
    assert client.connection_state is ConnectionState.DISCONNECTED
    assert not any(t.name == "roomz-sync-client" for t in threading.enumerate())


def test_context_manager_and_reconnect_with_the_session(url: str, fake: FakeServer) -> None:
    """`with` connects and disconnects; a second connect() reuses the session in memory."""
    client = SyncClient(url, fake.issue_magic_token(ANN), connection_timeout=5 * UNIT)
    with client:
        assert client.send("first")["status"] == "ok"
    with client:
        assert client.send("second")["status"] == "ok"
    assert len(fake.sessions) == 1
    assert not any(t.name == "roomz-sync-client" for t in threading.enumerate())


def test_failures_raise_and_leave_no_thread(url: str) -> None:
    """A refused token raises AuthenticationError; send() when not connected raises."""
    client = SyncClient(url, "bad-token", connection_timeout=5 * UNIT)
    with pytest.raises(AuthenticationError):
        client.connect()
    assert not any(t.name == "roomz-sync-client" for t in threading.enumerate())
    with pytest.raises(ConnectionError, match="not connected"):
        client.send("hi")
    client.disconnect()


def test_blocking_calls_from_a_handler_are_refused(url: str, fake: FakeServer) -> None:
    """A handler calling the SyncClient would wait for its own thread: RuntimeError."""
    client = SyncClient(url, fake.issue_magic_token(ANN), connection_timeout=5 * UNIT)
    errors: list[BaseException] = []

    def handler(data: dict[str, Any]) -> None:
        try:
            client.send("from a handler")
        except RuntimeError as exc:
            errors.append(exc)

    client.on("authenticated", handler)
    with client:
        wait_until(lambda: len(errors) == 1)
    assert "event handler" in str(errors[0])
    with pytest.raises(ConnectionError):
        SyncClient("ws://127.0.0.1:9/ws", "t", connection_timeout=UNIT).connect()
