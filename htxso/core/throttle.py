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
one round trip a request (a pipeline of INCR, EXPIRE and GET), whatever the limit.
"""

import contextlib
import time
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


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
        count, previous = self._count(current, previous_key, duration * 2)
        overlap = 1 - elapsed / duration
        if previous * overlap + count <= limit:
            return True
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            self.cache.decr(current)  # a refused request does not count
        self.wait_seconds = self._wait(limit, duration, elapsed, previous, count - 1)
        return False

    def _count(self, current: str, previous: str, ttl: int) -> tuple[int, int]:
        """Raise this window's counter; (its new value, the previous window's count). On
        Redis one round trip (a pipeline: INCR, EXPIRE, GET); on another cache, its API."""
        backend: Any = caches[DEFAULT_CACHE_ALIAS]  # what `self.cache` stands for
        if isinstance(backend, RedisCache):
            keys = [backend.make_and_validate_key(k) for k in (current, previous)]
            redis: Any = backend._cache  # type: ignore[attr-defined]  # its pool, serializer
            with redis.get_client(keys[0], write=True).pipeline(transaction=False) as pipe:
                count, _, before = pipe.incr(keys[0]).expire(keys[0], ttl).get(keys[1]).execute()
            return int(count), int(redis._serializer.loads(before)) if before else 0
        cache: Any = self.cache
        cache.add(current, 0, ttl)  # SET NX EX on a cache that has it
        try:
            count = cache.incr(current)
        except ValueError:  # it expired between the two calls
            cache.set(current, 1, ttl)
            count = 1
        return count, cache.get(previous, 0)

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
