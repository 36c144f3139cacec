"""Async helpers for the hot path."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


class Continue:
    """Awaitable that drives an already-started coroutine to its end, in the awaiting task.

    Equivalent to ``await coro`` for a coroutine whose first step has run: every future it
    yields is passed up to the task, every value or exception the task sends back is passed
    down. Nothing changes task, so ``current_task()``, context variables and cancellation
    behave exactly as with a plain ``await``.
    """

    __slots__ = ("_coro", "_first")

    def __init__(self, coro: Coroutine[Any, Any, Any], first: Any) -> None:
        self._coro = coro
        self._first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, value = self._coro, self._first
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - every exception goes to the coroutine
                try:
                    value = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = coro.send(sent)
                except StopIteration as stop:
                    return stop.value


async def run_with_timeout(coro: Coroutine[Any, Any, T], seconds: float) -> T:
    """``await coro`` bounded by ``seconds``, arming no timer if it never suspends.

    Most hooks return without waiting on anything; for them a timer would cost more than
    the hook. The timeout cannot interrupt code that does not yield, with or without this.

    Raises:
        TimeoutError: the coroutine was still running after ``timeout`` seconds.
    """
    try:
        first = coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    async with asyncio.timeout(seconds):
        return await Continue(coro, first)  # type: ignore[no-any-return]
