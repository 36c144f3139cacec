"""The Lua scripts behind RedisLockManager, and the names of a room's keys.

Each script runs atomically in Redis, which is what makes check-then-act safe across
processes. Every key of a room shares the hash tag ``{<room>}``, so the scripts also run on
a Redis Cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

# KEYS: lock, fence, queue, waiters. ARGV: token, expiry ms, waiter ttl ms.
# Returns the fencing token (> 0) when the lock is taken; otherwise queues the token and
# returns minus the milliseconds the caller may sleep if no release is announced.
ACQUIRE = """
local lock, fence, queue, waiters = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token = ARGV[1]
local holder = redis.call('GET', lock)
if holder == token then
  -- A retry of an attempt whose reply was lost: it did take the lock.
  return tonumber(redis.call('GET', fence))
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
-- A waiter that stopped refreshing its place (it crashed) loses it when it reaches the head.
local head = redis.call('LINDEX', queue, 0)
while head do
  local until_ms = tonumber(redis.call('ZSCORE', waiters, head))
  if until_ms and until_ms > now then break end
  redis.call('LPOP', queue)
  redis.call('ZREM', waiters, head)
  head = redis.call('LINDEX', queue, 0)
end
if not holder and (not head or head == token) then
  redis.call('SET', lock, token, 'PX', ARGV[2])
  if head then
    redis.call('LPOP', queue)
    redis.call('ZREM', waiters, token)
  end
  return redis.call('INCR', fence)
end
if redis.call('ZADD', waiters, now + tonumber(ARGV[3]), token) == 1 then
  redis.call('RPUSH', queue, token)
end
-- The queue vanishes once every waiter has stopped refreshing it.
redis.call('PEXPIRE', queue, ARGV[3])
redis.call('PEXPIRE', waiters, ARGV[3])
local wait = redis.call('PTTL', lock)
if wait < 0 then
  -- The lock is free but another waiter is first: sleep until its place would lapse.
  wait = tonumber(redis.call('ZSCORE', waiters, head)) - now
end
return -math.max(wait, 1)
"""

# KEYS: lock, queue. ARGV: token, release channel. Returns 1 if the token held the lock.
RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PUBLISH', ARGV[2], '') end
return 1
"""

# KEYS: lock, queue, waiters. ARGV: token, release channel. A waiter giving up: free the
# lock if a cancelled attempt took it, leave the queue, wake the next waiter if it may go.
LEAVE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], '')
end
return 1
"""

# KEYS: lock. ARGV: token, expiry ms. Returns 1 if the token still held the lock.
EXTEND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


@dataclass(frozen=True, slots=True)
class RoomKeys:
    """The Redis names of one room's lock: ``{prefix}{<room>}`` plus a suffix per role."""

    prefix: str
    room_id: str

    @property
    def lock(self) -> str:
        return f"{self.prefix}{{{self.room_id}}}"

    @property
    def channel(self) -> str:
        return self.lock + ":released"

    @property
    def for_acquire(self) -> list[str]:
        base = self.lock
        return [base, base + ":fence", base + ":queue", base + ":waiters"]

    @property
    def for_release(self) -> list[str]:
        return [self.lock, self.lock + ":queue"]

    @property
    def for_leave(self) -> list[str]:
        base = self.lock
        return [base, base + ":queue", base + ":waiters"]

    @property
    def for_extend(self) -> list[str]:
        return [self.lock]

    @staticmethod
    def room_of(prefix: str, channel: str) -> str:
        """The room whose release channel is ``channel``."""
        return channel.removeprefix(prefix + "{").removesuffix("}:released")
