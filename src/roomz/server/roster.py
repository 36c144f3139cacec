"""Who is online, across every process of a deployment: the answer to the ``who`` request.

Each process counts its own sockets per user, and learns the other processes' counts from
small messages on the relay (``custom`` events on the default room, which every process
watches). They are sent whatever :data:`~roomz.server.chat.ANNOUNCE_LIMIT` says — one per
socket opened or closed, not one per receiver — and only when there are other processes:

* ``roster_entry`` ``{"user", "connections", "seq", "gone"}`` — the sender now has
  ``connections`` sockets of ``user`` (0: none left); ``gone``: that was the user's last
  socket in any process as far as the sender knew, and it announced their departure;
* ``roster_request`` ``{"of"}`` — a process that starts asks the others (or, with ``of``,
  one of them) for their rosters, so it also knows who connected before it started;
* ``roster_reply`` ``{"entries": [{"user", "connections", "status"}], "seq"}`` — a
  process's whole roster;
* ``roster_alive`` ``{"seq"}`` — every ``heartbeat`` seconds;
* ``roster_gone`` — a process that stops cleanly (its users leave the roster at once).

Counts are absolute and each message carries the sender's sequence number, so a message
that overtakes another (publishes from one process may use different Redis connections)
never undoes a newer one. A process hearing ``roster_alive`` with a sequence number it has
not caught up with (it missed messages: it started late, or lost Redis for a while) asks
that process for its roster again, so the views heal within one heartbeat.

A process that dies without ``roster_gone`` (killed, host lost): its users stay listed
until it has been silent for :data:`SILENT_HEARTBEATS` heartbeats (15 s by default), then
they are dropped with it.

Departures, the policy: a user leaves (``user_left``, presence ``offline``) when their last
socket in ANY process closes, announced once. The process that closes it announces it when
its roster shows no other socket anywhere (``changed`` returns True). Otherwise it *defers*:
should the user's other sockets then go without the process that closes them announcing
(it closed them at the same time and also thought this process still had one, or it died),
the departure is announced here, through ``on_gone`` — in a tie (both deferred), by the
process whose origin sorts first.

Status is the last ``presence`` a user announced (``online`` or ``away``), learned from the
presence events every process receives; a user who arrives with no socket open anywhere is
``online``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from roomkit import EphemeralEvent

logger = logging.getLogger(__name__)

ENTRY, REQUEST, REPLY, ALIVE, GONE = (
    "roster_entry", "roster_request", "roster_reply", "roster_alive", "roster_gone",
)  # fmt: skip
KINDS = frozenset((ENTRY, REQUEST, REPLY, ALIVE, GONE))
HEARTBEAT = 5.0
"""Seconds between two ``roster_alive`` of a process."""
SILENT_HEARTBEATS = 3
"""Heartbeats a process may miss before its users leave the roster."""

Publish = Callable[..., Awaitable[None]]
"""``publish(kind, **data)``: a ``custom`` event to every process (the relay's)."""
OnGone = Callable[[dict[str, Any]], Awaitable[None]]
"""``on_gone(user)``: announce that a user whose departure this process deferred is gone."""


@dataclass
class _Process:
    """What one process of the deployment has told us."""

    counts: dict[str, int] = field(default_factory=dict)  # user id → sockets there
    seqs: dict[str, int] = field(default_factory=dict)  # user id → seq of its last change
    latest: int = 0  # the highest seq applied
    heard: float = field(default_factory=time.monotonic)


class Roster:
    """Sockets per user and process, users' objects and statuses (see the module docstring).

    Args:
        origin: this process's id (the relay's).
        publish: sends a roster message to every process; ``None`` in a single process.
        heartbeat: seconds between two ``roster_alive``.
        on_gone: announces a deferred departure (see the module docstring).
    """

    def __init__(
        self,
        origin: str,
        publish: Publish | None,
        *,
        heartbeat: float = HEARTBEAT,
        on_gone: OnGone | None = None,
    ):
        self.origin = origin
        self.heartbeat = heartbeat
        self._publish = publish
        self._on_gone = on_gone
        self._deferred: set[str] = set()  # users whose departure another process may owe
        self._processes: dict[str, _Process] = {origin: _Process()}
        self._totals: dict[str, int] = {}  # user id → sockets in every process
        self._users: dict[str, dict[str, Any]] = {}
        self._status: dict[str, str] = {}  # only users who announced something
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._beat: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Ask the other processes for their rosters and start the heartbeat."""
        if self._publish is None:
            return
        await self._publish(REQUEST, of=None)
        self._beat = asyncio.create_task(self._heartbeat(), name="roomz-roster-heartbeat")

    async def close(self) -> None:
        """Stop the heartbeat and tell the others this process's users are gone. Idempotent."""
        beat, self._beat = self._beat, None
        if beat is None:
            return
        beat.cancel()
        await asyncio.wait([beat])
        with contextlib.suppress(Exception):  # Redis may be gone at shutdown
            await self._send(GONE)

    # -- this process ----------------------------------------------------------------------

    async def changed(self, user: dict[str, Any], connections: int) -> bool:
        """This process now has ``connections`` sockets of ``user``; the others are told.
        True when that closed the user's last socket in any process (announce it)."""
        seq = self._next()
        user_id = str(user.get("id"))
        self._apply(self.origin, dict(user), connections, seq)
        gone = connections == 0 and user_id not in self._totals
        if connections == 0 and not gone:
            self._deferred.add(user_id)
        else:
            self._deferred.discard(user_id)
        if self._publish is not None:
            await self._send(ENTRY, user=user, connections=connections, gone=gone)
        return gone

    def presence(self, user_id: str, status: str) -> None:
        """``user_id`` announced ``online`` or ``away`` (through any process). Ignored for a
        user with no socket open: their next arrival starts ``online``."""
        if status in ("online", "away") and user_id in self._totals:
            self._status[user_id] = status

    def rename(self, user_id: str, display_name: str | None) -> None:
        """The user's display name changed (through any process)."""
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = {**user, "display_name": display_name}

    def online(self, members: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """``[{"user", "status", "connections"}]`` of the users with a socket open, among
        ``members`` (user ids) when given, sorted by email."""
        ids = self._totals if members is None else [m for m in members if m in self._totals]
        listed = [
            {
                "user": dict(self._users[user_id]),
                "status": self._status.get(user_id, "online"),
                "connections": self._totals[user_id],
            }
            for user_id in ids
        ]
        return sorted(listed, key=lambda entry: str(entry["user"]["email"]))

    # -- the other processes ---------------------------------------------------------------

    async def receive(self, event: EphemeralEvent) -> None:
        """A roster message another process published."""
        origin, kind, data = str(event.data.get("origin")), event.data.get("kind"), event.data
        seq = data.get("seq")
        seq = seq if isinstance(seq, int) else 0
        if kind == GONE:
            await self._settle(self._drop(origin))
            return
        process = self._processes.get(origin)
        if process is None:
            process = self._processes[origin] = _Process()
        process.heard = time.monotonic()
        if kind == ENTRY and isinstance(data.get("user"), dict):
            user = data["user"]
            self._apply(origin, user, int(data.get("connections", 0)), seq)
            user_id = str(user.get("id"))
            if user_id in self._deferred and user_id not in self._totals:
                # Gone everywhere now: announced by the sender, or owed by one of us two.
                self._deferred.discard(user_id)
                if not data.get("gone") and self.origin < origin:
                    await self._gone(user)
        elif kind == REPLY:
            self._replace(origin, data.get("entries") or [], seq)
        elif kind == REQUEST and data.get("of") in (None, self.origin):
            await self._send(REPLY, entries=self._entries())
        elif kind == ALIVE and process.latest < seq:
            await self._send(REQUEST, of=origin)  # we missed something it said

    # -- internals -------------------------------------------------------------------------

    def _next(self) -> int:
        self._last_seq = next(self._seq)
        return self._last_seq

    async def _send(self, kind: str, **data: Any) -> None:
        assert self._publish is not None  # only called in a deployment of several processes
        seq = self._last_seq if kind in (ALIVE, GONE) else self._next()
        await self._publish(kind, seq=seq, **data)

    def _entries(self) -> list[dict[str, Any]]:
        own = self._processes[self.origin].counts
        return [
            {"user": self._users[user_id], "connections": count,
             "status": self._status.get(user_id, "online")}
            for user_id, count in own.items()
        ]  # fmt: skip

    def _apply(self, origin: str, user: dict[str, Any], connections: int, seq: int) -> None:
        process = self._processes[origin]
        user_id = str(user.get("id"))
        if seq <= process.seqs.get(user_id, 0):
            return  # overtaken by a newer change
        process.seqs[user_id] = seq
        process.latest = max(process.latest, seq)
        self._users[user_id] = user
        self._set(process, user_id, max(0, connections))

    def _replace(self, origin: str, entries: list[Any], seq: int) -> None:
        process = self._processes[origin]
        listed: set[str] = set()
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("user"), dict):
                user_id = str(entry["user"].get("id"))
                listed.add(user_id)
                if entry.get("status") in ("online", "away") and user_id not in self._totals:
                    self._status[user_id] = entry["status"]
                self._apply(origin, entry["user"], int(entry.get("connections", 0)), seq)
        for user_id in [u for u in process.counts if u not in listed]:
            if process.seqs.get(user_id, 0) < seq:
                process.seqs[user_id] = seq
                self._set(process, user_id, 0)
        process.latest = max(process.latest, seq)

    def _set(self, process: _Process, user_id: str, connections: int) -> None:
        before = process.counts.get(user_id, 0)
        if connections:
            process.counts[user_id] = connections
        else:
            process.counts.pop(user_id, None)
        total = self._totals.get(user_id, 0) + connections - before
        if total > 0:
            self._totals[user_id] = total
            return
        # Gone everywhere: the next arrival starts online.
        self._totals.pop(user_id, None)
        self._users.pop(user_id, None)
        self._status.pop(user_id, None)

    def _drop(self, origin: str) -> list[dict[str, Any]]:
        """Forget a process; the users whose deferred departure that completed."""
        process = None if origin == self.origin else self._processes.pop(origin, None)
        if process is None:
            return []
        owed = []
        for user_id in list(process.counts):
            user = self._users.get(user_id)
            self._set(process, user_id, 0)
            if user is not None and user_id in self._deferred and user_id not in self._totals:
                self._deferred.discard(user_id)
                owed.append(user)
        return owed

    async def _settle(self, owed: list[dict[str, Any]]) -> None:
        for user in owed:
            await self._gone(user)

    async def _gone(self, user: dict[str, Any]) -> None:
        if self._on_gone is not None:
            await self._on_gone(user)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            silent = time.monotonic() - SILENT_HEARTBEATS * self.heartbeat
            for origin, process in list(self._processes.items()):
                if origin != self.origin and process.heard < silent:
                    logger.warning("process %s went silent; its users leave the roster", origin)
                    with contextlib.suppress(Exception):  # Redis down: the users stay gone
                        await self._settle(self._drop(origin))
            try:
                await self._send(ALIVE)
            except Exception as exc:  # Redis down: the next beat tries again
                logger.warning("roster heartbeat failed: %r", exc)
