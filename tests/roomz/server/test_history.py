"""History in pages of bounded size: forwards from an index, backwards from one, and the
newest page a join embeds; each page says whether more follows and where the room starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit import RoomKit, SQLiteStore
from roomz import protocol
from roomz.errors import ProtocolError
from roomz.server.chat import Chat
from roomz.server.history import HistoryPages
from tests.roomz.server.test_chat import ALICE, connect, send


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    kit = RoomKit(store=SQLiteStore(tmp_path / "roomz.db"))
    chat = Chat(kit)
    await chat.open()
    alice, _ = await connect(chat, ALICE)
    for i in range(1, 31):
        await chat.post(alice, send(f"m{i} " + "x" * 200))
    yield chat
    await chat.close()
    await kit.close()
    await kit.store.close()


def indexes(page: dict[str, object]) -> list[int]:
    messages = page["messages"]
    assert isinstance(messages, list)
    return [m["index"] for m in messages]


async def test_forward_pages_cover_the_room_once_in_order(chat: Chat) -> None:
    seen, since, pages = [], 0, 0
    while True:
        page = await chat.history.after("general", since, 7)
        pages += 1
        seen += indexes(page)
        assert page["first_index"] == 1 and page["last_index"] == 30
        if not page["has_more"]:
            break
        since = seen[-1]
    assert seen == list(range(1, 31)) and pages == 5


async def test_backward_pages_reach_the_start(chat: Chat) -> None:
    seen: list[int] = []
    before = protocol.MAX_INDEX
    while True:
        page = await chat.history.before("general", before, 0, 8)
        seen = indexes(page) + seen
        if not page["has_more"]:
            break
        before = seen[0]
    assert seen == list(range(1, 31)) and seen[0] == page["first_index"]
    between = await chat.history.before("general", 20, 15, 100)
    assert indexes(between) == [16, 17, 18, 19] and not between["has_more"]


async def test_a_page_stops_at_its_byte_budget_but_always_moves_on(chat: Chat) -> None:
    small = HistoryPages(chat.history._store, max_bytes=1000)
    page = await small.after("general", 0, 500)
    assert 1 < len(indexes(page)) < 30 and page["has_more"]
    tiny = HistoryPages(chat.history._store, max_bytes=1)
    assert indexes(await tiny.after("general", 10, 500)) == [11]
    assert indexes(await tiny.before("general", 10, 0, 500)) == [9]


async def test_an_empty_room_says_so(chat: Chat) -> None:
    await chat.rooms.create_room("empty")
    page = await chat.history.newest("empty", 50)
    assert page == {
        "room": "empty", "messages": [], "has_more": False, "first_index": 0, "last_index": 0
    }  # fmt: skip


def test_history_frames_take_paging_fields_and_old_ones_still_parse() -> None:
    old = protocol.decode_client_frame('{"type":"history","request_id":"a","room":"r","since":3}')
    assert old == protocol.History("a", "r", 3)
    text = '{"type":"history","request_id":"b","room":"r","before":40,"limit":20}'
    assert protocol.decode_client_frame(text) == protocol.History("b", "r", 0, 20, 40)
    for bad in ('"before":0', '"limit":501', '"limit":0', f'"since":{2**63}'):
        with pytest.raises(ProtocolError):
            protocol.decode_client_frame(
                '{"type":"history","request_id":"c","room":"r","since":1,' + bad + "}"
            )
    with pytest.raises(ProtocolError):  # paging forwards still needs `since`
        protocol.decode_client_frame('{"type":"history","request_id":"d","room":"r"}')
