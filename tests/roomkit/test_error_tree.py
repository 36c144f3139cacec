"""One error tree for roomkit: every error it raises on purpose is a RoomKitError, and the
tree drawn in ``roomkit.errors`` names each of them."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from roomkit import (
    HookResult,
    HookTrigger,
    RoomContext,
    RoomEvent,
    RoomKit,
    StoreError,
    WebSocketChannel,
    errors,
)
from roomkit.store.drivers import Driver, UniqueViolation, open_driver
from tests.conftest import fresh_pg_schema
from tests.roomkit.helpers import text


def test_the_drawn_tree_names_every_error_class() -> None:
    """Each exception class defined in roomkit.errors appears in the module's tree."""
    classes = [
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == errors.__name__
    ]
    assert {"HookTimeoutError", "UniqueViolation"} <= set(classes)
    assert all(issubclass(getattr(errors, name), errors.RoomKitError) for name in classes)
    tree = errors.__doc__ or ""
    assert [name for name in classes if name not in tree] == []


async def test_a_duplicate_row_is_a_store_error_on_sqlite(tmp_path: Path) -> None:
    """An application's duplicate insert raises the public UniqueViolation, which
    ``except StoreError`` catches too; the table keeps the one row."""
    await _insert_twice(await open_driver(f"sqlite:///{tmp_path / 'app.db'}"))


async def test_a_duplicate_row_is_a_store_error_on_postgres(postgres_dsn: str) -> None:
    """The same on PostgreSQL."""
    async with fresh_pg_schema(postgres_dsn) as schema:
        await _insert_twice(await open_driver(postgres_dsn, schema=schema))


async def _insert_twice(driver: Driver) -> None:
    try:
        await driver.fetch("CREATE TABLE app_names (name TEXT PRIMARY KEY)")
        await driver.fetch("INSERT INTO app_names (name) VALUES (?)", ("ada",))
        with pytest.raises(StoreError) as raised:
            await driver.fetch("INSERT INTO app_names (name) VALUES (?)", ("ada",))
        assert type(raised.value) is UniqueViolation is errors.UniqueViolation
        assert isinstance(raised.value, errors.RoomKitError)
        assert await driver.fetch("SELECT count(*) FROM app_names") == [(1,)]
    finally:
        await driver.close()


async def test_a_fail_closed_hook_past_its_timeout_blocks_with_a_hook_timeout() -> None:
    """A hook timeout is a HookTimeoutError (a RoomKitError that is also a TimeoutError)
    naming the hook and its timeout."""
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="slow", timeout=0.1, fail_closed=True)
    async def slow(event: RoomEvent, ctx: RoomContext) -> HookResult:
        await asyncio.sleep(60)
        return HookResult.allow()

    result = await kit.process_inbound(text("a", "hi", channel_id="ws"), room_id="r")
    await kit.close()
    assert result.blocked and "'slow' exceeded its timeout of 0.1s" in (result.reason or "")
    assert issubclass(errors.HookTimeoutError, errors.RoomKitError)
    assert issubclass(errors.HookTimeoutError, TimeoutError)
