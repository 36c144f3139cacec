"""The state beside the messages: current room, unseen counts, who is here, typing."""

from __future__ import annotations

from typing import Any

from roomz.cli.view import TYPING_REPEAT, View
from roomz.protocol import user_info

ANN = user_info("ann@example.com", "Ann")
BOB = user_info("bob@example.com")


def connected(rooms: tuple[str, ...] = ("general",)) -> View:
    view = View()
    view.authenticated({"user": ANN, "rooms": [{"room": r, "last_index": 0} for r in rooms]})
    return view


def event(user: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"user": user, "timestamp": "2024-01-01T12:00:00Z", **fields}


def test_connecting_lists_the_users_rooms_and_the_user() -> None:
    """After authenticating, the user's rooms are known and the user is here."""
    view = connected(("general", "dev"))
    assert view.rooms == {"general", "dev"}
    assert view.room == "general"
    assert view.here() == ["Ann (ann@example.com) (you)"]


def test_messages_elsewhere_count_as_unseen_until_switching() -> None:
    """Messages in another room are counted; switching to it clears its count."""
    view = connected(("general", "dev"))
    view.message(event(BOB, room="dev", index=4, content="x"))
    view.message(event(BOB, room="dev", index=5, content="y"))
    view.message(event(BOB, room="general", index=9, content="z"))
    view.message(event(BOB, room="dev", index=1, content="old"), live=False)
    assert view.unseen == {"dev": 2}
    assert view.last_index == {"dev": 5, "general": 9}
    view.switch("dev")
    assert view.unseen == {}


def test_joins_and_leaves_update_who_is_here() -> None:
    """user_joined adds someone to a room; leaving it or closing the last socket removes them."""
    view = connected(("general", "dev"))
    view.user_joined(event(BOB, room="general", total_connections=1))
    view.user_joined(event(BOB, room="dev", total_connections=1))
    assert view.here("general") == ["Ann (ann@example.com) (you)", "bob@example.com"]
    view.user_left(event(BOB, room="dev", remaining_connections=1))
    assert view.here("dev") == ["Ann (ann@example.com) (you)"]
    assert "bob@example.com" in view.here("general")
    view.user_left(event(BOB, room="general", remaining_connections=0))
    assert view.here("general") == ["Ann (ann@example.com) (you)"]


def test_closing_one_of_two_connections_keeps_a_user_here() -> None:
    """A user_left with fewer remaining connections is a closed tab, not a leave."""
    view = connected()
    view.user_joined(event(BOB, room="general", total_connections=2))
    view.user_left(event(BOB, room="general", remaining_connections=1))
    assert "bob@example.com" in view.here()


def test_presence_and_renames_show_in_who() -> None:
    """Away users are marked; a rename changes the label; authors of messages are here."""
    view = connected()
    view.message(event(BOB, room="general", index=1, content="hi"))
    view.presence(event(BOB, status="away"))
    assert view.here()[1] == "bob@example.com (away)"
    renamed = {"id": BOB["id"], "email": BOB["email"]}
    view.renamed({"user": renamed, "display_name": "Bob"})
    view.presence(event({**BOB, "display_name": "Bob"}, status="online"))
    assert view.here()[1] == "Bob (bob@example.com)"


def test_typing_is_news_once_per_burst() -> None:
    """A typing start is announced once, again after a pause or a message, never for us."""
    view = connected()
    start = event(BOB, room="general", state=True)
    assert view.typing(start, now=100.0)
    assert not view.typing(start, now=101.0)
    assert view.typing(start, now=101.0 + TYPING_REPEAT)
    view.message(event(BOB, room="general", index=2, content="done"))
    assert view.typing(start, now=112.0)
    assert not view.typing(event(BOB, room="general", state=False), now=113.0)
    assert view.typing(start, now=114.0)
    assert not view.typing(event(ANN, room="general", state=True), now=115.0)


def test_leaving_the_current_room_goes_back_to_general() -> None:
    """After /leave of the room posted to, messages go to the default room."""
    view = connected()
    view.joined("dev")
    assert view.room == "dev" and "dev" in view.rooms
    view.left("dev")
    assert view.room == "general" and "dev" not in view.rooms


def test_presence_news_is_going_away_and_coming_back() -> None:
    """Away and back are news; online on connecting and offline are said by joins and leaves."""
    view = connected()
    assert not view.presence(event(BOB, status="online"))
    assert view.presence(event(BOB, status="away"))
    assert view.presence(event(BOB, status="online"))
    assert not view.presence(event(BOB, status="offline"))
    assert view.here() == ["Ann (ann@example.com) (you)"]
    assert not view.presence({"status": "away"})


def test_a_reconnection_starts_the_roster_again() -> None:
    """Who was here before a drop is unknown after it: only the user is listed."""
    view = connected()
    view.user_joined(event(BOB, room="general", total_connections=1))
    view.authenticated({"user": ANN, "rooms": [{"room": "general", "last_index": 3}]})
    assert view.here() == ["Ann (ann@example.com) (you)"]
