"""Timeline: high-water marks per room, and held messages merged with catch-up history."""

from __future__ import annotations

from typing import Any

from roomz.client.timeline import Timeline


def msg(index: int | None, room: str = "general") -> dict[str, Any]:
    return {"id": f"m{index}", "room": room, "index": index, "content": str(index)}


def indexes(messages: list[dict[str, Any]]) -> list[int | None]:
    return [m["index"] for m in messages]


def test_live_messages_pass_and_duplicates_are_dropped() -> None:
    """A message at or below the room's mark is a duplicate."""
    timeline = Timeline()
    timeline.seed("general", 2)
    assert timeline.accept(msg(2)) == []
    assert indexes(timeline.accept(msg(3))) == [3]
    assert timeline.accept(msg(3)) == []
    assert timeline.marks() == {"general": 3}


def test_seed_never_moves_a_known_mark() -> None:
    """seed() sets the mark of an unknown room only."""
    timeline = Timeline()
    timeline.accept(msg(5))
    timeline.seed("general", 1)
    assert timeline.marks() == {"general": 5}


def test_held_messages_merge_with_history_in_order_without_duplicates() -> None:
    """While a room catches up, live messages wait; release() merges, sorts, dedupes."""
    timeline = Timeline()
    timeline.seed("general", 2)
    timeline.hold(["general"])
    assert timeline.accept(msg(6)) == []
    assert timeline.accept(msg(5)) == []
    assert indexes(timeline.accept(msg(1, room="other"))) == [1]  # other rooms flow
    released = timeline.release("general", [msg(1), msg(3), msg(4), msg(5)])
    assert indexes(released) == [3, 4, 5, 6]
    assert indexes(timeline.accept(msg(7))) == [7]


def test_abandon_drops_held_messages_but_keeps_marks() -> None:
    """After abandon(), the next catch-up starts again from the same mark."""
    timeline = Timeline()
    timeline.seed("general", 2)
    timeline.hold(["general"])
    timeline.accept(msg(3))
    timeline.abandon()
    assert timeline.marks() == {"general": 2}
    assert indexes(timeline.accept(msg(3))) == [3]


def test_forget_and_messages_without_index() -> None:
    """A forgotten room starts over; a message without an index always passes."""
    timeline = Timeline()
    timeline.accept(msg(4))
    timeline.forget("general")
    assert indexes(timeline.accept(msg(1))) == [1]
    assert indexes(timeline.accept(msg(None))) == [None]
