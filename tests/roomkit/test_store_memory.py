"""InMemoryStore keeps the ConversationStore contract (the docstrings of store/base.py)."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import (
    ChannelAlreadyAttachedError,
    ChannelBinding,
    ChannelNotFoundError,
    ChannelType,
    EventNotFoundError,
    EventSource,
    Identity,
    IdentityNotFoundError,
    InMemoryStore,
    InvalidArgumentError,
    Observation,
    Participant,
    Room,
    RoomEvent,
    RoomExistsError,
    RoomNotFoundError,
    RoomStatus,
    Task,
    TaskNotFoundError,
    TaskStatus,
    TextContent,
)


def _event(room_id: str, body: str, **fields: object) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id=room_id, source=source, content=TextContent(body=body), **fields)


def _binding(room_id: str, channel_id: str, kind: ChannelType = ChannelType.SMS) -> ChannelBinding:
    return ChannelBinding(room_id=room_id, channel_id=channel_id, channel_type=kind)


@pytest.fixture
async def store() -> InMemoryStore:
    store = InMemoryStore()
    await store.create_room(Room(id="r", organization_id="org", metadata={"tier": "gold"}))
    return store


async def test_rooms_are_created_once_found_and_listed_in_order(store: InMemoryStore) -> None:
    """create_room refuses a taken id; find and list honour filters and pagination."""
    with pytest.raises(RoomExistsError):
        await store.create_room(Room(id="r"))
    await store.create_room(Room(id="s", status=RoomStatus.CLOSED))
    assert [r.id for r in await store.list_rooms()] == ["r", "s"]
    assert [r.id for r in await store.list_rooms(offset=1, limit=1)] == ["s"]
    assert [r.id for r in await store.find_rooms(organization_id="org")] == ["r"]
    assert [r.id for r in await store.find_rooms(status=RoomStatus.CLOSED)] == ["s"]
    assert [r.id for r in await store.find_rooms(metadata_filter={"tier": "gold"})] == ["r"]
    with pytest.raises(InvalidArgumentError):
        await store.list_rooms(offset=-1)
    with pytest.raises(RoomNotFoundError):
        await store.update_room(Room(id="ghost"))


async def test_returned_models_are_copies(store: InMemoryStore) -> None:
    """Changing a returned room or binding changes nothing until update_* is called."""
    room = await store.get_room("r")
    assert room is not None
    room.metadata["tier"] = "free"
    assert (await store.get_room("r")).metadata["tier"] == "gold"  # type: ignore[union-attr]
    await store.add_binding(_binding("r", "sms"))
    binding = await store.get_binding("r", "sms")
    assert binding is not None
    binding.metadata["x"] = 1
    assert (await store.get_binding("r", "sms")).metadata == {}  # type: ignore[union-attr]


async def test_events_get_gapless_indexes_and_pages(store: InMemoryStore) -> None:
    """Indexes run 1..N under concurrency; pages and visibility filters count in order."""
    await asyncio.gather(*(store.add_event(_event("r", f"m{i}")) for i in range(200)))
    assert await store.get_event_count("r") == 200
    page = await store.list_events("r", offset=10, limit=5)
    assert [e.index for e in page] == [11, 12, 13, 14, 15]
    await store.add_event(_event("r", "secret", visibility="intelligence"))
    hidden = await store.list_events("r", visibility_filter="intelligence")
    assert [e.content.body for e in hidden] == ["secret"]  # type: ignore[union-attr]
    assert await store.list_events("ghost") == []
    with pytest.raises(RoomNotFoundError):
        await store.add_event(_event("ghost", "x"))


async def test_idempotency_key_never_yields_two_events(store: InMemoryStore) -> None:
    """A repeated key returns the first event and stores nothing new."""
    first = await store.add_event(_event("r", "a", idempotency_key="k"))
    again = await store.add_event(_event("r", "b", idempotency_key="k"))
    assert again.id == first.id and await store.get_event_count("r") == 1
    assert await store.check_idempotency("r", "k") is True
    assert await store.check_idempotency("r", "other") is False
    found = await store.find_event_by_idempotency_key("r", "k")
    assert found is not None and found.id == first.id


async def test_bindings_and_room_lookup_by_channel(store: InMemoryStore) -> None:
    """Bindings attach once, update only when attached, and find the newest room."""
    await store.add_binding(_binding("r", "sms"))
    with pytest.raises(ChannelAlreadyAttachedError):
        await store.add_binding(_binding("r", "sms"))
    with pytest.raises(ChannelNotFoundError):
        await store.update_binding(_binding("r", "email"))
    await store.create_room(Room(id="newer"))
    await store.add_binding(_binding("newer", "sms"))
    assert await store.find_room_id_by_channel("sms") == "newer"
    assert await store.remove_binding("newer", "sms") is True
    assert await store.remove_binding("newer", "sms") is False
    assert await store.find_room_id_by_channel("sms") == "r"


async def test_participants_and_latest_room(store: InMemoryStore) -> None:
    """find_latest_room filters by the participant's channel type and the room status."""
    await store.add_binding(_binding("r", "sms"))
    await store.add_participant(Participant(id="p", room_id="r", channel_id="sms"))
    latest = await store.find_latest_room("p", channel_type=ChannelType.SMS)
    assert latest is not None and latest.id == "r"
    assert await store.find_latest_room("p", channel_type=ChannelType.EMAIL) is None
    assert await store.find_latest_room("p", status=RoomStatus.CLOSED) is None
    assert [p.id for p in await store.list_participants("r")] == ["p"]


async def test_identities_resolve_and_addresses_move(store: InMemoryStore) -> None:
    """An address links to one identity at a time; linking to an unknown id fails."""
    alice = await store.create_identity(Identity(id="a", channel_addresses={"sms": ["+1"]}))
    await store.create_identity(Identity(id="b"))
    assert (await store.resolve_identity("sms", "+1")).id == alice.id  # type: ignore[union-attr]
    await store.link_address("b", "sms", "+1")
    assert (await store.resolve_identity("sms", "+1")).id == "b"  # type: ignore[union-attr]
    with pytest.raises(IdentityNotFoundError):
        await store.link_address("ghost", "sms", "+2")


async def test_tasks_and_observations(store: InMemoryStore) -> None:
    """Tasks filter by status and update only when known; observations list in order."""
    task = await store.add_task(Task(room_id="r", title="call back"))
    assert await store.list_tasks("r", status=TaskStatus.COMPLETED) == []
    await store.update_task(task.model_copy(update={"status": TaskStatus.COMPLETED}))
    assert [t.title for t in await store.list_tasks("r", status=TaskStatus.COMPLETED)] == [
        "call back"
    ]
    with pytest.raises(TaskNotFoundError):
        await store.update_task(Task(room_id="r", title="ghost"))
    for text in ("one", "two"):
        await store.add_observation(Observation(room_id="r", channel_id="ai", content=text))
    assert [o.content for o in await store.list_observations("r")] == ["one", "two"]


async def test_read_watermark(store: InMemoryStore) -> None:
    """mark_read moves a watermark forward only; unread counts what follows it."""
    events = [await store.add_event(_event("r", f"m{i}")) for i in range(4)]
    await store.mark_read("r", "sms", events[2].id)
    await store.mark_read("r", "sms", events[0].id)
    assert await store.get_unread_count("r", "sms") == 1
    await store.mark_all_read("r", "sms")
    assert await store.get_unread_count("r", "sms") == 0
    with pytest.raises(EventNotFoundError):
        await store.mark_read("r", "sms", "nope")


async def test_delete_room_cascades(store: InMemoryStore) -> None:
    """Deleting a room removes its events, bindings, tasks and observations."""
    event = await store.add_event(_event("r", "x", idempotency_key="k"))
    await store.add_binding(_binding("r", "sms"))
    await store.add_task(Task(room_id="r", title="t"))
    assert await store.delete_room("r") is True
    assert await store.delete_room("r") is False
    assert await store.get_event(event.id) is None
    assert await store.find_room_id_by_channel("sms") is None
    assert await store.list_tasks("r") == []
