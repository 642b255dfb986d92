"""API rate limits whose cost does not grow with the limit: a sliding-window counter, spent
from per-process leases.

Each client has one integer per window (`<key>:<window number>`), shared by every worker
through the cache, and the previous window's count weighted by how much of it still overlaps
the last `duration` seconds (the approximation Cloudflare and nginx-style limiters use):

    estimate = previous × (1 − elapsed / duration) + current

**Leases.** A worker does not ask Redis for every request. One atomic operation (a Lua script
run by EVALSHA) reserves k requests of the client's current window for this process: the
room left, `limit − estimate`, rounded down, and k = max(1, ⌊room / LEASE_SHARE⌋) — a quarter
of what remains, so a lease shrinks as the window fills and is 1 near the limit. The request
that reserved spends one; the process spends the other k − 1 locally, with no round trip,
while the window lasts. A lease dies with its window; what a process did not spend it gives
back to that (now previous) window's count in its next reservation, so the next window's
weight counts requests made, not reserved. Why the limit holds across processes: a
reservation is granted only if `previous × overlap + count + k ≤ limit` at that moment, with
`count` including every other process's leases; the overlap only falls as time passes and a
count only grows by reservations checked the same way, so requests served never exceed the
estimate's limit. What it costs the client: requests reserved by one process but not spent
are refused to another until that window is over (at most a quarter of the room per lease;
none once leases are down to 1): a client alternating between processes gets its whole limit
(`core/tests/test_throttle.py`, two gunicorn servers). `Retry-After` is computed from the
counts the refusing reservation saw (spare leases included, so it never promises too early).

A lease pays where the count is remote (Redis: one round trip saved per request); on a
per-process cache (tests, the demo) every reservation is of 1, which is the plain counter.
"""

import hashlib
import math
import os
import threading
import time
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle
from redis.exceptions import NoScriptError

LEASE_SHARE = 4  # a lease takes a quarter of the room left in the window

# KEYS: this window's counter, the previous window's. ARGV: limit, time to live (s), weight of
# the previous window, the lease share, requests to give back to the previous window (an
# unspent lease of this process). Returns {requests granted (0: refused), this window's count
# after the call, the previous window's count}.
RESERVE = """
local previous = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local back = tonumber(ARGV[5])
if back > 0 and previous > 0 then
  back = math.min(back, previous)
  previous = redis.call('DECRBY', KEYS[2], back)
end
local count = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local room = math.floor(tonumber(ARGV[1]) - previous * tonumber(ARGV[3]) - count + 1e-9)
if room < 1 then return {0, count, previous} end
local k = math.max(1, math.floor(room / tonumber(ARGV[4])))
count = redis.call('INCRBY', KEYS[1], k)
if count == k then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {k, count, previous}
"""
RESERVE_SHA = hashlib.sha1(RESERVE.encode()).hexdigest()  # Redis names scripts so


def lease_size(room: int, share: int = LEASE_SHARE) -> int:
    """Requests one reservation takes when `room` requests are left (0: refused)."""
    if room < 1:
        return 0
    return max(1, room // share)


class _Leases:
    """This process's unspent leases: cache key → [window number, limit, requests left]."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, list[int]] = {}
        os.register_at_fork(after_in_child=self.held.clear)  # a child inherits none

    def take(self, key: str, window: int, limit: int) -> bool:
        """Spend one leased request, if this process holds one for this window."""
        with self.lock:
            lease = self.held.get(key)
            if lease is None or lease[0] != window or lease[1] != limit or lease[2] < 1:
                return False
            lease[2] -= 1
            return True

    def unspent_before(self, key: str, window: int) -> int:
        """What this process leased in the window before `window` and did not spend,
        forgotten here (the reservation that asks gives it back)."""
        with self.lock:
            lease = self.held.pop(key, None)
        return lease[2] if lease is not None and lease[0] == window - 1 else 0

    def keep(self, key: str, window: int, limit: int, spare: int) -> None:
        with self.lock:
            if len(self.held) > 10_000:  # clients gone quiet: their leases are dead anyway
                for old in [k for k, v in self.held.items() if v[0] < window - 1]:
                    del self.held[old]
            if spare > 0:
                self.held[key] = [window, limit, spare]


class SlidingWindowCounter(SimpleRateThrottle):
    """Mixed in before a ninja throttle class (which gives `get_cache_key`, the rate and the
    cache): replaces its list of request times by two counters, spent from leases."""

    wait_seconds: float | None = None
    timer = staticmethod(time.time)  # a test sets its own clock
    leasing: bool | None = None  # None: on Redis only; a test may force it either way

    def __init__(self, rate: str | None = None) -> None:
        super().__init__(rate)
        self.leases = _Leases()

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None or self.num_requests is None or self.duration is None:
            return True
        limit, duration = self.num_requests, self.duration
        number, elapsed = divmod(self.timer(), duration)
        window = int(number)
        if self.leases.take(key, window, limit):
            return True
        backend: Any = caches[DEFAULT_CACHE_ALIAS]  # what `self.cache` stands for
        on_redis = isinstance(backend, RedisCache)
        share = LEASE_SHARE if (on_redis if self.leasing is None else self.leasing) else 10**18
        back = self.leases.unspent_before(key, window)
        keys = (f"{key}:{window}", f"{key}:{window - 1}")
        overlap = 1 - elapsed / duration
        reserve = _reserve_on_redis if on_redis else _reserve_locally
        ttl = duration * 2
        granted, count, previous = reserve(backend, *keys, limit, ttl, overlap, share, back)
        if granted:
            self.leases.keep(key, window, limit, granted - 1)
            return True
        self.wait_seconds = self._wait(limit, duration, elapsed, previous, count)
        return False

    @staticmethod
    def _wait(limit: int, duration: int, elapsed: float, previous: int, count: int) -> float:
        """Seconds until one more request fits, `count` requests counted in this window and
        `previous` in the last: within this window once the last one has slid out far enough,
        otherwise in the next window once this one's weight has fallen enough."""
        if count + 1 <= limit and previous > 0:
            # previous × (1 − (elapsed + t) / duration) + count + 1 ≤ limit
            t = duration * (1 - (limit - count - 1) / previous) - elapsed
            if t <= duration - elapsed:
                return max(0.0, t)
        # next window: count × (1 − e / duration) + 1 ≤ limit
        later = duration * (1 - (limit - 1) / count) if count > 0 else 0.0
        return duration - elapsed + max(0.0, later)

    def wait(self) -> float | None:
        return self.wait_seconds


def _room(limit: int, previous: int, overlap: float, count: int) -> int:
    return math.floor(limit - previous * overlap - count + 1e-9)


def _reserve_locally(
    cache: Any, current: str, previous_key: str, limit: int, ttl: int, overlap: float,
    share: int, back: int,
) -> tuple[int, int, int]:  # fmt: skip
    """The script's arithmetic on another cache (per-process memory, files), with its atomic
    `incr`: added first, checked after, given back when over (another process may have
    counted in between)."""
    previous = int(cache.get(previous_key, 0))
    if back > 0 and previous > 0:
        try:
            previous = cache.decr(previous_key, min(back, previous))
        except ValueError:  # expired meanwhile
            previous = 0
    cache.add(current, 0, ttl)
    count = int(cache.get(current, 0))
    size = lease_size(_room(limit, previous, overlap, count), share)
    for k in (size, 1) if size > 1 else (1,):  # a lease, or 1 if another process took the room
        try:
            count = cache.incr(current, k)
        except ValueError:  # it expired between the two calls
            cache.set(current, k, ttl)
            count = k
        if previous * overlap + count <= limit + 1e-9:
            return k, count, previous
        try:
            count = cache.decr(current, k)
        except ValueError:
            count = 0
    return 0, count, previous


_clients: dict[int, Any] = {}


def _client(backend: RedisCache) -> Any:
    """A Redis client on the cache's write pool, made once per pool. Django's `get_client`
    builds a new `redis.Redis` on every call (its ~170 response callbacks included): 0.5–2 ms
    a request on this machine, more than the script's round trip. A client is thread-safe
    and its pool forgets connections inherited across a fork."""
    pool = backend._cache._get_connection_pool(True)  # type: ignore[attr-defined]
    found = _clients.get(id(pool))
    if found is None or found.connection_pool is not pool:
        found = _clients[id(pool)] = backend._cache._client(connection_pool=pool)  # type: ignore[attr-defined]
    return found


def _reserve_on_redis(
    backend: RedisCache, current: str, previous: str, limit: int, ttl: int, overlap: float,
    share: int, back: int,
) -> tuple[int, int, int]:  # fmt: skip
    """One EVALSHA (EVAL once, when this Redis has not seen the script yet)."""
    keys = [backend.make_and_validate_key(k) for k in (current, previous)]
    client = _client(backend)
    args = [limit, ttl, repr(overlap), share, back]
    try:
        granted, count, before = client.evalsha(RESERVE_SHA, 2, *keys, *args)
    except NoScriptError:
        granted, count, before = client.eval(RESERVE, 2, *keys, *args)
    return int(granted), int(count), int(before)
