"""The protocol's limits, defaults and the characters identifiers may not hold."""

from __future__ import annotations

import re

MAX_CONTENT_LENGTH = 4000  # characters; the default, a server may configure another
MAX_FRAME_BYTES = 64 * 1024  # client→server frame, UTF-8 bytes: 4,000 escaped characters fit
MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024  # server→client, what a client accepts
HISTORY_PAGE_LIMIT = 500  # messages a `history` reply carries at most (and its default `limit`)
HISTORY_PAGE_BYTES = 1024 * 1024  # a history page's messages stop growing past this many bytes
MAX_INDEX = 2**63 - 1  # message indexes are 64-bit signed integers in the stores
MAX_ID_LENGTH = 128  # request_id and client_id
MAX_DISPLAY_NAME_LENGTH = 64
DEFAULT_ROOM = "general"  # every user is a member; `send` without `room` goes there
PRESENCE_STATUSES = ("online", "away")  # what a client may announce
PRESENCE_OFFLINE = "offline"  # what the server announces when a user's last socket closes
ROOM_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # 1-64 chars, no leading _ . -
EVENT_FRAME_TYPES = (
    "user_joined",
    "user_left",
    "display_name_changed",
    "typing",
    "presence",
    "read_receipt",
)
SERVER_FRAME_TYPES = frozenset(
    ("authenticated", "message", "result", "error", "pong", *EVENT_FRAME_TYPES)
)
# What no identifier may hold: control characters (NUL, newlines ...), the line and paragraph
# separators, and lone surrogates (not Unicode text: no store or socket can carry them).
NOT_IN_IDS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Display names also refuse the bidirectional overrides and isolates, which let a name
# reverse the text shown after it (U+202A-U+202E, U+2066-U+2069).
NOT_IN_NAMES = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
SURROGATE = re.compile(r"[\ud800-\udfff]")
