"""Documented store behaviour, the same in every store: addresses, tasks, events, rooms.

Each test runs against InMemoryStore, SQLiteStore and PostgresStore (the ``store``
fixture): the same input must give the same result everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roomkit import (
    Access,
    ChannelBinding,
    ChannelType,
    ConversationStore,
    DeliveryMode,
    EventNotFoundError,
    EventStatus,
    Identity,
    InvalidArgumentError,
    Observation,
    Participant,
    RateLimit,
    RetryPolicy,
    Room,
    RoomTimers,
    Task,
    TaskStatus,
    TextContent,
)
from tests.roomkit.contracts.stores import event


async def test_link_address_shows_in_channel_addresses(store: ConversationStore) -> None:
    """After link_address, get_identity lists the address; moving it removes it from the
    previous identity; linking twice lists it once."""
    await store.create_identity(Identity(id="a", channel_addresses={"sms": ["+1"]}))
    await store.create_identity(Identity(id="b"))
    await store.link_address("a", "email", "a@example.com")
    await store.link_address("a", "email", "a@example.com")
    alice = await store.get_identity("a")
    assert alice is not None
    assert alice.channel_addresses == {"sms": ["+1"], "email": ["a@example.com"]}
    await store.link_address("b", ChannelType.SMS, "+1")
    alice, bob = await store.get_identity("a"), await store.get_identity("b")
    assert alice is not None and bob is not None
    assert alice.channel_addresses == {"email": ["a@example.com"]}
    assert bob.channel_addresses == {"sms": ["+1"]}
    found = await store.resolve_identity("sms", "+1")
    assert found is not None and found.channel_addresses == {"sms": ["+1"]}


async def test_a_status_assigned_as_a_string_is_stored_as_the_enum(
    store: ConversationStore,
) -> None:
    """task.status = "completed" then update_task: stored and returned as TaskStatus."""
    task = await store.add_task(Task(id="t1", room_id="r", title="call back"))
    task.status = "completed"  # type: ignore[assignment]  # what users write
    returned = await store.update_task(task)
    assert returned.status is TaskStatus.COMPLETED
    stored = await store.get_task("t1")
    assert stored is not None and stored.status is TaskStatus.COMPLETED
    assert [t.id for t in await store.list_tasks("r", status="completed")] == ["t1"]  # type: ignore[arg-type]


async def test_a_status_that_is_not_one_is_refused_and_changes_nothing(
    store: ConversationStore,
) -> None:
    """An unknown status raises InvalidArgumentError naming the valid ones; nothing changes."""
    await store.add_task(Task(id="t1", room_id="r", title="call back"))
    bad = Task(id="t1", room_id="r", title="renamed")
    bad.status = "done-ish"  # type: ignore[assignment]
    with pytest.raises(InvalidArgumentError, match="'completed'"):
        await store.update_task(bad)
    with pytest.raises(InvalidArgumentError):
        await store.add_task(bad.model_copy(update={"id": "t2"}))
    stored = await store.get_task("t1")
    assert stored is not None and (stored.title, stored.status) == ("call back", "pending")
    assert await store.get_task("t2") is None


async def test_update_event_replaces_content_and_keeps_its_place(
    store: ConversationStore,
) -> None:
    """update_event rewrites an event in place: same index, room and key; new content."""
    await store.add_event(event("r", "first"))
    second = await store.add_event(event("r", "draft", idempotency_key="k"))
    changed = second.model_copy(
        update={
            "content": TextContent(body="final"),
            "status": EventStatus.DELIVERED,
            "index": 99,
            "idempotency_key": "other",
            "delivery_results": {"sms": {"success": True}},
        }
    )
    returned = await store.update_event(changed)
    assert (returned.index, returned.idempotency_key) == (2, "k")
    page = await store.list_events("r")
    assert [e.content.body for e in page] == ["first", "final"]  # type: ignore[union-attr]
    assert page[1] == returned == await store.get_event(second.id)
    assert page[1].status is EventStatus.DELIVERED
    assert await store.check_idempotency("r", "k") and not await store.check_idempotency(
        "r", "other"
    )
    with pytest.raises(EventNotFoundError):
        await store.update_event(event("r", "never stored"))


async def test_add_event_auto_index_puts_the_event_in_the_named_room(
    store: ConversationStore,
) -> None:
    """add_event_auto_index stores into room_id with the next index."""
    await store.create_room(Room(id="r2"))
    await store.add_event(event("r2", "one"))
    stored = await store.add_event_auto_index("r2", event("elsewhere", "two"))
    assert (stored.room_id, stored.index) == ("r2", 2)
    assert [e.index for e in await store.list_events("r2")] == [1, 2]


async def test_find_rooms_pages_the_matching_rooms(store: ConversationStore) -> None:
    """limit and offset (keyword-only) count matching rooms in creation order."""
    for n in range(5):
        await store.create_room(Room(id=f"g{n}", metadata={"kind": "group"}))
    found = await store.find_rooms(metadata_filter={"kind": "group"}, limit=2, offset=1)
    assert [r.id for r in found] == ["g1", "g2"]
    assert len(await store.find_rooms(metadata_filter={"kind": "group"})) == 5
    with pytest.raises(InvalidArgumentError):
        await store.find_rooms(limit=-1)
    with pytest.raises(TypeError):
        await store.find_rooms(None, None, None, 2)  # type: ignore[misc]


async def test_documented_fields_round_trip(store: ConversationStore) -> None:
    """Every documented field of a stored model comes back as it was stored."""
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    timers = RoomTimers(
        inactive_after_seconds=60, closed_after_seconds=600, last_activity_at=moment
    )
    room = Room(id="full", timers=timers, event_count=3, latest_index=3)
    assert await store.create_room(room) == room == await store.get_room("full")
    binding = ChannelBinding(
        room_id="full", channel_id="sms", channel_type=ChannelType.SMS, access=Access.READ_ONLY,
        last_read_index=2, rate_limit=RateLimit(max_per_second=1.5),
        retry_policy=RetryPolicy(max_retries=5), metadata={"phone_number": "+1"},
    )  # fmt: skip
    binding = binding.model_copy(
        update={
            "capabilities": binding.capabilities.model_copy(
                update={"delivery_mode": DeliveryMode.DIRECT}
            )
        }
    )
    await store.add_binding(binding)
    assert await store.get_binding("full", "sms") == binding
    person = Participant(
        id="p", room_id="full", channel_id="sms", candidates=["i1", "i2"],
        connected_via=["sms", "ws"], resolved_at=moment, resolved_by="manual",
    )  # fmt: skip
    await store.add_participant(person)
    assert await store.get_participant("full", "p") == person
    identity = Identity(id="i1", external_ids={"crm": "42"}, channel_addresses={"sms": ["+1"]})
    await store.create_identity(identity)
    assert await store.get_identity("i1") == identity
    task = Task(id="t", room_id="full", title="x")
    assert task.description is None and await store.add_task(task) == await store.get_task("t")
    note = Observation(id="o", room_id="full", channel_id="ai", content="calm")
    await store.add_observation(note)
    assert await store.list_observations("full") == [note] and note.category is None
    stored = await store.add_event(
        event("full", "hi", response_visibility="transport", channel_data={"thread_id": "t9"})
    )
    assert await store.get_event(stored.id) == stored
    assert stored.channel_data.model_dump() == {"thread_id": "t9"}
