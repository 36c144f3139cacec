"""HandlerRegistry and EventPump: sync and async handlers, order, failures, off()."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from roomz.client.handlers import EventPump, HandlerRegistry


async def test_sync_and_async_handlers_run_in_order() -> None:
    """Both kinds of handler run, in registration order, each with its own copy."""
    registry = HandlerRegistry()
    seen: list[str] = []

    def first(data: dict[str, Any]) -> None:
        data["content"] = "changed"
        seen.append("sync")

    async def second(data: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        seen.append(f"async:{data['content']}")

    registry.on("message", first)
    registry.on("message", second)
    await registry.dispatch("message", {"content": "hi"})
    assert seen == ["sync", "async:hi"]


async def test_a_raising_handler_is_logged_and_the_next_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An exception in a handler is logged; later handlers are called."""
    registry = HandlerRegistry()
    seen: list[dict[str, Any]] = []

    def broken(data: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    registry.on("error", broken)
    registry.on("error", seen.append)
    with caplog.at_level(logging.ERROR, logger="roomz.client.handlers"):
        await registry.dispatch("error", {"code": 500})
    assert seen == [{"code": 500}]
    assert "boom" in caplog.text


async def test_off_removes_one_handler_or_all() -> None:
    """off(event, handler) removes that one; off(event) removes every handler."""
    registry = HandlerRegistry()
    seen: list[str] = []

    def a(data: dict[str, Any]) -> None:
        seen.append("a")

    def b(data: dict[str, Any]) -> None:
        seen.append("b")

    registry.on("typing", a)
    registry.on("typing", b)
    registry.off("typing", a)
    registry.off("typing", a)  # not registered any more: nothing happens
    await registry.dispatch("typing", {})
    registry.off("typing")
    await registry.dispatch("typing", {})
    assert seen == ["b"]


def test_unknown_events_and_non_callables_are_refused() -> None:
    """on() names the valid events when given a typo."""
    registry = HandlerRegistry()
    with pytest.raises(ValueError, match="'messages'.*'message'"):
        registry.on("messages", print)
    with pytest.raises(TypeError):
        registry.on("message", "not callable")  # type: ignore[arg-type]


async def test_pump_delivers_queued_events_before_stopping() -> None:
    """stop() lets every queued event reach its handlers first."""
    registry = HandlerRegistry()
    seen: list[int] = []
    registry.on("message", lambda data: seen.append(data["n"]))
    pump = EventPump(registry)
    pump.start()
    for n in range(3):
        pump.emit("message", {"n": n})
    await pump.stop()
    await pump.stop()
    assert seen == [0, 1, 2]
