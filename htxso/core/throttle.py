"""API rate limits whose cost does not grow with the limit: a sliding-window counter.

django-ninja's stock throttles keep, per client, the list of its request times in the cache
and read and rewrite that whole list on every request: at 1,200 a minute a busy client's list
is 1,200 floats pickled twice per request. Here each client has one integer per window
(`<key>:<window number>`), raised by the cache's atomic increment (Redis `INCR`, shared by
every worker), and the previous window's count weighted by how much of it still overlaps the
last `duration` seconds (the approximation Cloudflare and nginx-style limiters use):

    estimate = previous × (1 − elapsed / duration) + current

A request is allowed while the estimate stays within the limit. A refused request gives its
count back, so a client that keeps knocking while refused is let in again on time. On Redis
the whole decision is one atomic operation, a Lua script run by EVALSHA (INCR, EXPIRE on a
new window, GET of the previous one, DECR when refused): one round trip whatever the limit,
and no other worker's request can slip between the count and the check. Without Redis (tests,
the demo) the same arithmetic runs on the local cache's atomic `incr`.
"""

import contextlib
import hashlib
import time
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle
from redis.exceptions import NoScriptError

# KEYS: this window's counter, the previous window's. ARGV: limit, time to live (s), weight
# of the previous window (its overlap with the last `duration` seconds). Returns
# {allowed 1/0, this window's count after the call, the previous window's count}.
DECIDE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local previous = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if previous * tonumber(ARGV[3]) + count <= tonumber(ARGV[1]) then
  return {1, count, previous}
end
redis.call('DECR', KEYS[1])
return {0, count - 1, previous}
"""


class SlidingWindowCounter(SimpleRateThrottle):
    """Mixed in before a ninja throttle class (which gives `get_cache_key`, the rate and the
    cache): replaces its list of request times by two counters."""

    wait_seconds: float | None = None
    timer = staticmethod(time.time)  # a test sets its own clock

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None or self.num_requests is None or self.duration is None:
            return True
        limit, duration = self.num_requests, self.duration
        window, elapsed = divmod(self.timer(), duration)
        current = f"{key}:{int(window)}"
        previous_key = f"{key}:{int(window) - 1}"
        overlap = 1 - elapsed / duration
        backend: Any = caches[DEFAULT_CACHE_ALIAS]  # what `self.cache` stands for
        if isinstance(backend, RedisCache):
            allowed, count, previous = _decide_on_redis(
                backend, current, previous_key, limit, duration * 2, overlap
            )
        else:
            allowed, count, previous = self._decide_locally(
                current, previous_key, limit, duration * 2, overlap
            )
        if allowed:
            return True
        self.wait_seconds = self._wait(limit, duration, elapsed, previous, count)
        return False

    def _decide_locally(
        self, current: str, previous_key: str, limit: int, ttl: int, overlap: float
    ) -> tuple[bool, int, int]:
        """The script's arithmetic on another cache (per process memory, files): its atomic
        `incr`, then the check; a refused request gives its count back."""
        cache: Any = self.cache
        cache.add(current, 0, ttl)
        try:
            count = cache.incr(current)
        except ValueError:  # it expired between the two calls
            cache.set(current, 1, ttl)
            count = 1
        previous = int(cache.get(previous_key, 0))
        if previous * overlap + count <= limit:
            return True, count, previous
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(current)
        return False, count - 1, previous

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


DECIDE_SHA = hashlib.sha1(DECIDE.encode()).hexdigest()  # Redis names scripts so


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


def _decide_on_redis(
    backend: RedisCache, current: str, previous: str, limit: int, ttl: int, overlap: float
) -> tuple[bool, int, int]:
    """One EVALSHA (EVAL once, when this Redis has not seen the script yet)."""
    keys = [backend.make_and_validate_key(k) for k in (current, previous)]
    client = _client(backend)
    args = [limit, ttl, repr(overlap)]
    try:
        allowed, count, before = client.evalsha(DECIDE_SHA, 2, *keys, *args)
    except NoScriptError:
        allowed, count, before = client.eval(DECIDE, 2, *keys, *args)
    return bool(allowed), int(count), int(before)
