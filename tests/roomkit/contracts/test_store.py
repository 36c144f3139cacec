"""Every store keeps the ConversationStore contract (the docstrings of store/base.py).

One suite, run against InMemoryStore, SQLiteStore (a file in the test's tmp dir) and
PostgresStore (a fresh schema of the local server): any behaviour one has, all have.
"""

from __future__ import annotations

import asyncio

import pytest

from roomkit import (
    ChannelAlreadyAttachedError,
    ChannelNotFoundError,
    ChannelType,
    ConversationStore,
    EventNotFoundError,
    EventSource,
    Identity,
    IdentityNotFoundError,
    InvalidArgumentError,
    Observation,
    Participant,
    RichContent,
    Room,
    RoomEvent,
    RoomExistsError,
    RoomNotFoundError,
    RoomStatus,
    StoreError,
    Task,
    TaskNotFoundError,
    TaskStatus,
)
from tests.roomkit.contracts.stores import binding as _binding
from tests.roomkit.contracts.stores import event as _event


async def test_rooms_are_created_once_found_and_listed_in_order(store: ConversationStore) -> None:
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


async def test_returned_models_are_copies(store: ConversationStore) -> None:
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


async def test_events_share_nothing_with_callers(store: ConversationStore) -> None:
    """Changing an event after storing it, or one read back, changes nothing stored."""
    sent = _event("r", "hello", metadata={"tags": ["a"]})
    stored = await store.add_event(sent)
    sent.metadata["tags"].append("sent")
    stored.source.participant_id = "someone"
    page = await store.list_events("r")
    page[0].metadata["tags"].append("page")
    page[0].content.body = "changed"  # type: ignore[union-attr]
    page[0].channel_data.thread_id = "t1"  # type: ignore[attr-defined]  # extras allowed
    fetched = await store.get_event(stored.id)
    assert fetched is not None and fetched.metadata == {"tags": ["a"]}
    assert fetched.source.participant_id is None
    assert fetched.content.body == "hello"  # type: ignore[union-attr]
    assert fetched.channel_data.model_dump() == {}
    assert [e.channel_data.model_dump() for e in await store.list_events("r")] == [{}]


async def test_events_get_gapless_indexes_and_pages(store: ConversationStore) -> None:
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


async def test_idempotency_key_never_yields_two_events(store: ConversationStore) -> None:
    """A repeated key returns the first event and stores nothing new."""
    first = await store.add_event(_event("r", "a", idempotency_key="k"))
    again = await store.add_event(_event("r", "b", idempotency_key="k"))
    assert again.id == first.id and await store.get_event_count("r") == 1
    assert await store.check_idempotency("r", "k") is True
    assert await store.check_idempotency("r", "other") is False
    found = await store.find_event_by_idempotency_key("r", "k")
    assert found is not None and found.id == first.id


async def test_bindings_and_room_lookup_by_channel(store: ConversationStore) -> None:
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


async def test_room_lookup_by_channel_goes_by_when_rooms_were_created(
    store: ConversationStore,
) -> None:
    """The newest room holding the channel wins, whatever order the channel was attached in."""
    await store.create_room(Room(id="newest"))
    await store.add_binding(_binding("newest", "email"))
    await store.add_binding(_binding("r", "email"))  # the older room, attached last
    assert await store.find_room_id_by_channel("email") == "newest"
    closed = await store.get_room("newest")
    assert closed is not None
    await store.update_room(closed.model_copy(update={"status": RoomStatus.CLOSED}))
    assert await store.find_room_id_by_channel("email", status=RoomStatus.ACTIVE) == "r"


async def test_participants_and_latest_room(store: ConversationStore) -> None:
    """find_latest_room filters by the participant's channel type and the room status."""
    await store.add_binding(_binding("r", "sms"))
    await store.add_participant(Participant(id="p", room_id="r", channel_id="sms"))
    latest = await store.find_latest_room("p", channel_type=ChannelType.SMS)
    assert latest is not None and latest.id == "r"
    assert await store.find_latest_room("p", channel_type=ChannelType.EMAIL) is None
    assert await store.find_latest_room("p", status=RoomStatus.CLOSED) is None
    assert [p.id for p in await store.list_participants("r")] == ["p"]


async def test_identities_resolve_and_addresses_move(store: ConversationStore) -> None:
    """An address links to one identity at a time; linking to an unknown id fails."""
    alice = await store.create_identity(Identity(id="a", channel_addresses={"sms": ["+1"]}))
    await store.create_identity(Identity(id="b"))
    assert (await store.resolve_identity("sms", "+1")).id == alice.id  # type: ignore[union-attr]
    await store.link_address("b", "sms", "+1")
    assert (await store.resolve_identity("sms", "+1")).id == "b"  # type: ignore[union-attr]
    with pytest.raises(IdentityNotFoundError):
        await store.link_address("ghost", "sms", "+2")


async def test_tasks_and_observations(store: ConversationStore) -> None:
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


async def test_read_watermark(store: ConversationStore) -> None:
    """mark_read moves a watermark forward only; unread counts what follows it."""
    events = [await store.add_event(_event("r", f"m{i}")) for i in range(4)]
    await store.mark_read("r", "sms", events[2].id)
    await store.mark_read("r", "sms", events[0].id)
    assert await store.get_unread_count("r", "sms") == 1
    await store.mark_all_read("r", "sms")
    assert await store.get_unread_count("r", "sms") == 0
    with pytest.raises(EventNotFoundError):
        await store.mark_read("r", "sms", "nope")


async def test_delete_room_cascades(store: ConversationStore) -> None:
    """Deleting a room removes its events, bindings, tasks and observations."""
    event = await store.add_event(_event("r", "x", idempotency_key="k"))
    await store.add_binding(_binding("r", "sms"))
    await store.add_task(Task(room_id="r", title="t"))
    assert await store.delete_room("r") is True
    assert await store.delete_room("r") is False
    assert await store.get_event(event.id) is None
    assert await store.find_room_id_by_channel("sms") is None
    assert await store.list_tasks("r") == []


async def test_events_round_trip_exactly_with_unicode_and_large_payloads(
    store: ConversationStore,
) -> None:
    """What comes back equals what went in: every field, any text, large documents."""
    body = "héllo — 你好 — 🎉 — \u0000 nul — " + "x" * 200_000
    source = EventSource(
        channel_id="sms",
        channel_type=ChannelType.SMS,
        participant_id="p",
        raw_payload={"nested": {"list": [1, 2.5, None, "ü"]}, "flag": True},
    )
    sent = RoomEvent(
        room_id="r",
        source=source,
        content=RichContent(body=body, format="markdown"),
        chain_depth=2,
        parent_event_id="parent",
        correlation_id="corr",
        idempotency_key="ключ",
        metadata={"emoji": "🙂", "n": 10**15},
    )
    stored = await store.add_event(sent)
    assert stored.index == 1
    assert stored.model_dump(exclude={"index"}) == sent.model_dump(exclude={"index"})
    for fetched in (
        await store.get_event(sent.id),
        (await store.list_events("r"))[0],
        await store.find_event_by_idempotency_key("r", "ключ"),
    ):
        assert fetched == stored


async def test_paging_arguments_are_checked_and_edges_are_empty(store: ConversationStore) -> None:
    """Negative offsets or limits raise; pages past the end or of size 0 are empty."""
    for i in range(3):
        await store.add_event(_event("r", f"m{i}"))
    for call in (
        store.list_events("r", offset=-1),
        store.list_events("r", limit=-5),
        store.list_rooms(limit=-1),
    ):
        with pytest.raises(InvalidArgumentError):
            await call
    assert await store.list_events("r", offset=3) == []
    assert await store.list_events("r", limit=0) == []
    assert [e.index for e in await store.list_events("r", offset=1, limit=10)] == [2, 3]


async def test_visibility_filter_pages_count_only_matching_events(
    store: ConversationStore,
) -> None:
    """With a visibility filter, offset and limit count the matching events only."""
    for i in range(10):
        visibility = "intelligence" if i % 2 else "all"
        await store.add_event(_event("r", f"m{i}", visibility=visibility))
    page = await store.list_events("r", offset=1, limit=2, visibility_filter="intelligence")
    assert [e.index for e in page] == [4, 6]
    assert await store.list_events("r", visibility_filter="none") == []


async def test_pages_of_events_visible_to_all_skip_the_others(store: ConversationStore) -> None:
    """With visibility_filter="all", offset and limit count past the hidden events."""
    for i in range(10):
        await store.add_event(_event("r", f"m{i}", visibility="all" if i % 3 else "none"))
    page = await store.list_events("r", offset=2, limit=3, visibility_filter="all")
    assert [e.index for e in page] == [5, 6, 8]
    hidden = await store.list_events("r", visibility_filter="none")
    assert [e.index for e in hidden] == [1, 4, 7, 10]
    assert await store.list_events("r", offset=6, visibility_filter="all") == []


async def test_find_rooms_combines_filters_and_compares_nested_metadata(
    store: ConversationStore,
) -> None:
    """Every filter must match; metadata values are compared whole, nested ones too."""
    await store.create_room(
        Room(id="s", organization_id="org", metadata={"tier": "gold", "tags": ["a", "b"]})
    )
    await store.create_room(Room(id="t", organization_id="other", metadata={"tier": "gold"}))
    found = await store.find_rooms(organization_id="org", metadata_filter={"tier": "gold"})
    assert [r.id for r in found] == ["r", "s"]
    assert [r.id for r in await store.find_rooms(metadata_filter={"tags": ["a", "b"]})] == ["s"]
    assert await store.find_rooms(metadata_filter={"tags": ["a"]}) == []
    assert await store.find_rooms(metadata_filter={"missing": None}) == []
    assert await store.find_rooms(organization_id="org", status=RoomStatus.CLOSED) == []


async def test_rooms_update_and_unknown_ids(store: ConversationStore) -> None:
    """update_room replaces the room; unknown ids give None, 0, [] or the documented error."""
    room = await store.get_room("r")
    assert room is not None
    room.status = RoomStatus.CLOSED
    room.metadata["tier"] = "silver"
    await store.update_room(room)
    assert await store.get_room("r") == room
    assert await store.get_room("ghost") is None
    assert await store.get_event_count("ghost") == 0
    assert await store.get_unread_count("ghost", "sms") == 0
    assert await store.list_bindings("ghost") == []
    assert await store.list_participants("ghost") == []
    with pytest.raises(RoomNotFoundError):
        await store.add_binding(_binding("ghost", "sms"))
    with pytest.raises(RoomNotFoundError):
        await store.add_participant(Participant(id="p", room_id="ghost", channel_id="sms"))
    with pytest.raises(RoomNotFoundError):
        await store.mark_all_read("ghost", "sms")


async def test_participants_replace_and_update(store: ConversationStore) -> None:
    """Adding a participant again replaces it in place; updating an unknown one fails."""
    await store.add_participant(Participant(id="p", room_id="r", channel_id="sms"))
    await store.add_participant(Participant(id="q", room_id="r", channel_id="ws"))
    await store.add_participant(
        Participant(id="p", room_id="r", channel_id="sms", display_name="Pat")
    )
    listed = await store.list_participants("r")
    assert [(p.id, p.display_name) for p in listed] == [("p", "Pat"), ("q", None)]
    pat = await store.get_participant("r", "p")
    assert pat is not None
    await store.update_participant(pat.model_copy(update={"display_name": "Patricia"}))
    assert (await store.get_participant("r", "p")).display_name == "Patricia"  # type: ignore[union-attr]
    with pytest.raises(StoreError):
        await store.update_participant(Participant(id="ghost", room_id="r", channel_id="sms"))


async def test_identities_are_created_once(store: ConversationStore) -> None:
    """A second identity with the same id is refused; the first is unchanged."""
    await store.create_identity(Identity(id="a", display_name="Ann"))
    with pytest.raises(StoreError):
        await store.create_identity(Identity(id="a", display_name="Other"))
    assert (await store.get_identity("a")).display_name == "Ann"  # type: ignore[union-attr]
    assert await store.get_identity("ghost") is None
    assert await store.resolve_identity("sms", "+9") is None
    await store.link_address("a", ChannelType.SMS, "+9")
    assert (await store.resolve_identity(ChannelType.SMS, "+9")).id == "a"  # type: ignore[union-attr]


async def test_tasks_list_in_creation_order(store: ConversationStore) -> None:
    """Tasks come back in the order they were added, for their room only."""
    for title in ("first", "second", "third"):
        await store.add_task(Task(room_id="r", title=title))
    await store.add_task(Task(room_id="elsewhere", title="other"))
    assert [t.title for t in await store.list_tasks("r")] == ["first", "second", "third"]
    task = (await store.list_tasks("r"))[1]
    assert await store.get_task(task.id) == task
    assert await store.get_task("ghost") is None


async def test_delete_room_forgets_keys_marks_and_participants(store: ConversationStore) -> None:
    """A room re-created after deletion starts empty: index 1, keys and marks unused."""
    first = await store.add_event(_event("r", "x", idempotency_key="k"))
    await store.add_participant(Participant(id="p", room_id="r", channel_id="sms"))
    await store.mark_all_read("r", "sms")
    await store.add_observation(Observation(room_id="r", channel_id="ai", content="seen"))
    await store.delete_room("r")
    await store.create_room(Room(id="r"))
    again = await store.add_event(_event("r", "y", idempotency_key="k"))
    assert again.id != first.id and again.index == 1
    assert await store.list_participants("r") == []
    assert await store.list_observations("r") == []
    assert await store.get_unread_count("r", "sms") == 1
    assert [r.id for r in await store.list_rooms()] == ["r"]


async def test_unread_counts_follow_new_events_and_unbinding(store: ConversationStore) -> None:
    """Events after the watermark are unread; detaching a channel forgets its mark."""
    await store.add_binding(_binding("r", "sms"))
    first = await store.add_event(_event("r", "a"))
    await store.mark_read("r", "sms", first.id)
    await store.add_event(_event("r", "b"))
    assert await store.get_unread_count("r", "sms") == 1
    await store.remove_binding("r", "sms")
    assert await store.get_unread_count("r", "sms") == 2
    with pytest.raises(RoomNotFoundError):
        await store.mark_read("ghost", "sms", first.id)
