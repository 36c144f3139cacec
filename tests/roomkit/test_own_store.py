"""A store of the user's own, written against the store page: the methods it marks
abstract are all a backend must implement for the kit to run on it."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    ConversationStore,
    Identity,
    InMemoryStore,
    RoomKit,
    WebSocketChannel,
)
from tests.roomkit.helpers import text

# What the store page lists as "abstractmethod async" (link_address is listed without).
PAGE_ABSTRACT = {
    "create_room", "get_room", "update_room", "delete_room", "list_rooms", "find_rooms",
    "find_latest_room", "find_room_id_by_channel", "add_event", "get_event", "list_events",
    "check_idempotency", "get_event_count", "add_binding", "get_binding", "update_binding",
    "remove_binding", "list_bindings", "add_participant", "get_participant",
    "update_participant", "list_participants", "create_identity", "get_identity",
    "resolve_identity", "add_task", "get_task", "list_tasks", "update_task",
    "add_observation", "list_observations", "mark_read", "mark_all_read", "get_unread_count",
}  # fmt: skip


def _delegate(name: str) -> Any:
    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await getattr(self.inner, name)(*args, **kwargs)

    method.__name__ = name
    return method


def _own_store_class() -> type[ConversationStore]:
    """A backend implementing exactly the page's abstract methods, each by delegation."""
    namespace: dict[str, Any] = {name: _delegate(name) for name in PAGE_ABSTRACT}
    namespace["__init__"] = lambda self: setattr(self, "inner", InMemoryStore())
    return type("NotesStore", (ConversationStore,), namespace)


def test_the_abstract_methods_are_the_ones_the_page_lists() -> None:
    assert ConversationStore.__abstractmethods__ == PAGE_ABSTRACT


async def test_the_kit_runs_on_it_duplicates_included() -> None:
    store = _own_store_class()()
    kit = RoomKit(store=store)
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    for i in range(3):
        await kit.process_inbound(text("u", f"m{i}", channel_id="ws"), room_id="r")
    first = await kit.process_inbound(
        text("u", "once", channel_id="ws", idempotency_key="k"), room_id="r"
    )
    again = await kit.process_inbound(
        text("u", "once", channel_id="ws", idempotency_key="k"), room_id="r"
    )
    assert first.event is not None and again.duplicate
    assert again.event is not None and again.event.id == first.event.id
    assert [e.index for e in await kit.get_timeline("r")] == [1, 2, 3, 4]
    assert await store.find_event_by_idempotency_key("r", "missing") is None
    await kit.close()


async def test_link_address_says_the_store_does_not_do_it() -> None:
    store = _own_store_class()()
    await store.create_identity(Identity(id="a"))
    with pytest.raises(NotImplementedError, match="NotesStore does not implement link_address"):
        await store.link_address("a", "sms", "+15550001")
