"""What arrives from the realtime backend, turned into frames for this process's sockets.

Every process watches the default room (and each room a local user is in) on the realtime
backend. Four kinds of event arrive there:

* roomkit's ephemeral events — typing and read receipts go to the room's other local
  members, presence to every other local user (frames built by :mod:`roomz.server.ephemeral`);
* messages stored by *other* processes (see :mod:`roomz.server.relay`) — to the room's
  local members, deduplicated by room index, after any that never arrived (read back from
  the store by :mod:`roomz.server.catchup`);
* announcements (``user_joined``, ``user_left``, ``display_name_changed``, logouts) from
  any process — when another process made the change, this process's view follows it
  first (membership, names, sessions), then the frame goes to the local sockets concerned;
* roster messages from other processes (who is connected where), for
  :mod:`roomz.server.roster`, which also follows presence events and names.
"""

from __future__ import annotations

import hashlib
from typing import Any

from roomkit import EphemeralEvent, EphemeralEventType
from roomz import protocol
from roomz.errors import Reason
from roomz.server.ephemeral import frame_for
from roomz.server.metrics import Metrics
from roomz.server.relay import MESSAGE, Relay
from roomz.server.roster import KINDS as ROSTER_KINDS
from roomz.server.roster import Roster
from roomz.server.sockets import LocalSockets

LOGOUT = "logout"


def session_digest(session: str) -> str:
    """How a session is named to other processes: the token never crosses Redis."""
    return hashlib.sha256(session.encode()).hexdigest()


class LiveEvents:
    """The realtime callback of one process (see the module docstring)."""

    def __init__(
        self, sockets: LocalSockets, relay: Relay, metrics: Metrics, roster: Roster
    ) -> None:
        self._sockets = sockets
        self._relay = relay
        self._metrics = metrics
        self._roster = roster

    async def handle(self, event: EphemeralEvent) -> None:
        """Deliver one event of a watched room to the local sockets it concerns."""
        if event.type is not EphemeralEventType.CUSTOM:
            self._push_ephemeral(event)
            return
        kind, own = event.data.get("kind"), self._relay.is_own(event)
        if kind in ROSTER_KINDS:
            if not own:
                await self._roster.receive(event)
        elif kind == LOGOUT:
            if not own:
                self.end_session(str(event.data.get("session")))
        elif kind == MESSAGE:
            if not own:
                room, index = event.room_id, int(event.data["index"])
                await self._relay.catchup.before(room, index)
                delivered = self._sockets.deliver(room, index, str(event.data["text"]))
                self._relay.catchup.passed(room, index)
                self._metrics.deliveries += delivered
        elif isinstance(frame := event.data.get("frame"), dict):
            if not own:
                await self._follow(str(kind), event.user_id, frame)
            self._push_announcement(str(kind), frame)

    def end_session(self, digest: str) -> None:
        """Close the local sockets of the session named ``digest``: it was revoked."""
        for socket in self._sockets.everyone():
            if session_digest(socket.session) == digest:
                socket.checked = float("-inf")  # should the close lag, its next request fails
                socket.end(Reason.SESSION_REVOKED)

    def _push_ephemeral(self, event: EphemeralEvent) -> None:
        frame = frame_for(event)
        if frame is None:
            return
        if frame["type"] == "presence":
            self._roster.presence(event.user_id, frame["status"])
            targets = self._sockets.everyone(skip=event.user_id)
        else:
            targets = self._sockets.in_room(event.room_id, skip=event.user_id)
        self._sockets.push(protocol.encode(frame), targets)

    def _push_announcement(self, kind: str, frame: dict[str, Any]) -> None:
        text = protocol.encode(frame)
        if kind == "display_name_changed":
            user = frame.get("user")
            if isinstance(user, dict):
                self._roster.rename(str(user.get("id")), frame.get("display_name"))
            self._sockets.push(text, self._sockets.everyone())
        else:
            room = str(frame.get("room", protocol.DEFAULT_ROOM))
            self._sockets.push(text, self._sockets.in_room(room))

    async def _follow(self, kind: str, user_id: str, frame: dict[str, Any]) -> None:
        """Keep this process's view in step with a change another process made."""
        room = str(frame.get("room", ""))
        if kind == "display_name_changed":
            for socket in self._sockets.of_user(user_id):
                socket.user["display_name"] = frame.get("display_name")
        elif kind == "user_joined" and self._sockets.count(user_id) and room:
            if room not in self._sockets.rooms_of(user_id):
                self._sockets.joined(user_id, room)
                await self._relay.watch(room)
        elif kind == "user_left" and room:
            self._sockets.left(user_id, room)
