"""The roster's bookkeeping, fed the messages other processes would publish: counts add up
across processes, late messages never undo newer ones, replies replace a process's list."""

from __future__ import annotations

from typing import Any

from roomkit import EphemeralEvent, EphemeralEventType
from roomz import protocol
from roomz.server.roster import ENTRY, GONE, REPLY, Roster

ANN = protocol.user_info("ann@example.com")
BOB = protocol.user_info("bob@example.com", "Bob")


def said(origin: str, kind: str, **data: Any) -> EphemeralEvent:
    """A roster message as it arrives from process ``origin``."""
    return EphemeralEvent(
        room_id=protocol.DEFAULT_ROOM, type=EphemeralEventType.CUSTOM, user_id="",
        data={"kind": kind, "origin": origin, **data},
    )  # fmt: skip


def listed(roster: Roster) -> list[tuple[str, str, int]]:
    return [(u["user"]["email"], u["status"], u["connections"]) for u in roster.online()]


async def test_counts_add_up_across_processes_and_leave_at_zero() -> None:
    """Sockets of one user on two processes are summed; at zero everywhere they are gone."""
    roster = Roster("here", None)
    await roster.changed(ANN, 1)
    await roster.receive(said("there", ENTRY, user=ANN, connections=2, seq=1))
    await roster.receive(said("there", ENTRY, user=BOB, connections=1, seq=2))
    assert listed(roster) == [("ann@example.com", "online", 3), ("bob@example.com", "online", 1)]
    await roster.changed(ANN, 0)
    await roster.receive(said("there", ENTRY, user=ANN, connections=0, seq=3))
    assert listed(roster) == [("bob@example.com", "online", 1)]


async def test_a_late_message_does_not_undo_a_newer_one() -> None:
    """An entry that arrives after a newer one from the same process is ignored."""
    roster = Roster("here", None)
    await roster.receive(said("there", ENTRY, user=ANN, connections=2, seq=5))
    await roster.receive(said("there", ENTRY, user=ANN, connections=1, seq=4))
    assert listed(roster) == [("ann@example.com", "online", 2)]


async def test_a_reply_replaces_the_processes_list_and_gone_empties_it() -> None:
    """A roster reply is the whole list of its process; roster_gone drops its users."""
    roster = Roster("here", None)
    await roster.receive(said("there", ENTRY, user=ANN, connections=1, seq=1))
    entries = [{"user": BOB, "connections": 2, "status": "away"}]
    await roster.receive(said("there", REPLY, entries=entries, seq=2))
    assert listed(roster) == [("bob@example.com", "away", 2)]
    assert roster.online()[0]["user"]["display_name"] == "Bob"
    roster.presence(BOB["id"], "online")
    roster.rename(BOB["id"], None)
    assert roster.online()[0]["user"]["display_name"] is None
    assert listed(roster) == [("bob@example.com", "online", 2)]
    await roster.receive(said("there", GONE, seq=2))
    assert listed(roster) == []


async def test_online_filters_by_members() -> None:
    """online(members) lists only the given users who are connected."""
    roster = Roster("here", None)
    await roster.changed(ANN, 1)
    await roster.changed(BOB, 1)
    assert [u["user"]["id"] for u in roster.online([BOB["id"], "user:cy@example.com"])] == [
        BOB["id"]
    ]


class Cluster:
    """Rosters of processes ``a`` and ``b`` whose messages wait until delivered, and the
    departures each announced through ``on_gone``."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, EphemeralEvent]] = []  # (receiver, message)
        self.announced: list[tuple[str, str]] = []  # (process, user email)
        self.rosters = {name: self._roster(name) for name in ("a", "b")}

    def _roster(self, name: str) -> Roster:
        other = "b" if name == "a" else "a"

        async def publish(kind: str, **data: Any) -> None:
            self.queued.append((other, said(name, kind, **data)))

        async def on_gone(user: dict[str, Any]) -> None:
            self.announced.append((name, str(user["email"])))

        return Roster(name, publish, on_gone=on_gone)

    async def deliver(self) -> None:
        while self.queued:
            receiver, message = self.queued.pop(0)
            await self.rosters[receiver].receive(message)


async def test_a_user_on_two_processes_leaves_once_when_both_close_at_once() -> None:
    """Both processes close Ann's last socket before hearing of the other's: each thinks
    she is still on the other, and exactly one of them announces her departure."""
    cluster = Cluster()
    a, b = cluster.rosters["a"], cluster.rosters["b"]
    await a.changed(ANN, 1)
    await b.changed(ANN, 1)
    await cluster.deliver()
    assert await a.changed(ANN, 0) is False
    assert await b.changed(ANN, 0) is False
    await cluster.deliver()
    assert cluster.announced == [("a", "ann@example.com")]


async def test_the_process_that_closes_the_last_socket_announces_alone() -> None:
    """Ann leaves process a (deferred), then b: b announces, a does not again."""
    cluster = Cluster()
    a, b = cluster.rosters["a"], cluster.rosters["b"]
    await a.changed(ANN, 1)
    await b.changed(ANN, 1)
    await cluster.deliver()
    assert await a.changed(ANN, 0) is False
    await cluster.deliver()
    assert await b.changed(ANN, 0) is True
    await cluster.deliver()
    assert cluster.announced == []


async def test_a_deferred_departure_is_announced_when_the_other_process_goes() -> None:
    """Ann leaves process a while still on b; b stops: a announces her departure."""
    cluster = Cluster()
    a, b = cluster.rosters["a"], cluster.rosters["b"]
    await a.changed(ANN, 1)
    await b.changed(ANN, 1)
    await cluster.deliver()
    assert await a.changed(ANN, 0) is False
    cluster.queued.clear()
    await a.receive(said("b", GONE, seq=99))
    assert cluster.announced == [("a", "ann@example.com")]
