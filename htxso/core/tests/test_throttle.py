"""The API's rate limiter (`core/throttle.py`): a sliding-window counter, one integer per
client and window, shared by every worker through the cache."""

import socket
import subprocess
import sys
import textwrap

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory

from htxso.core.api import AnonymousThrottle


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def throttle():
    cache.clear()
    limiter = AnonymousThrottle("3/min")
    limiter.timer = Clock(60 * 1000.0)  # the start of a window
    yield limiter
    cache.clear()


def _request(address: str = "203.0.113.5"):
    request = RequestFactory().get("/api/v1/provinces", REMOTE_ADDR=address)
    request.auth = AnonymousUser()  # type: ignore[attr-defined]
    return request


def test_the_limit_holds_within_a_window(throttle):
    assert [throttle.allow_request(_request()) for _ in range(4)] == [True, True, True, False]
    # The window is full: the next request fits once the next window has begun and this
    # one's weight has fallen to 2 of 3 (3 × (1 − e/60) + 1 ≤ 3 → e = 20 s): 60 + 20 s.
    assert throttle.wait() == pytest.approx(80.0)
    assert throttle.allow_request(_request("198.51.100.1"))  # another client, its own count


def test_the_window_slides_instead_of_resetting(throttle):
    for _ in range(3):
        assert throttle.allow_request(_request())
    throttle.timer.now += 60  # the next window: the last one still weighs fully
    assert not throttle.allow_request(_request())
    throttle.timer.now += 19  # 3 × (1 − 19/60) + 1 > 3
    assert not throttle.allow_request(_request())
    throttle.timer.now += 1.5  # 3 × (1 − 20.5/60) + 1 ≤ 3
    assert throttle.allow_request(_request())
    assert not throttle.allow_request(_request())  # and only that one: 2.0 + 2 > 3


def test_refused_requests_do_not_count(throttle):
    for _ in range(3):
        throttle.allow_request(_request())
    for _ in range(50):  # a client that keeps knocking while refused
        assert not throttle.allow_request(_request())
    throttle.timer.now += 60 + 21
    assert throttle.allow_request(_request())


def test_the_cost_does_not_grow_with_the_limit(throttle):
    """What is kept per client is two integers, not a list of request times."""
    limiter = AnonymousThrottle("100000/min")
    limiter.timer = throttle.timer
    for _ in range(500):
        assert limiter.allow_request(_request())
    window = int(throttle.timer.now // 60)
    key = limiter.get_cache_key(_request())
    assert cache.get(f"{key}:{window}") == 500


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


WORKER = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from htxso.core.api import AnonymousThrottle
    limiter = AnonymousThrottle("60/hour")
    allowed = 0
    for _ in range(50):
        request = RequestFactory().get("/api/v1/provinces", REMOTE_ADDR="192.0.2.77")
        request.auth = AnonymousUser()
        allowed += limiter.allow_request(request)
    print(allowed)
    """
)


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_worker_processes_share_one_limit(tmp_path, monkeypatch):
    """Two processes (as two web workers) on one Redis: 100 requests, 60 allowed in all."""
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    server.flushdb()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "htxso.settings",
        "DEBUG": "1",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "HTXSO_VAR_DIR": str(tmp_path),
    }
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    allowed = [int(worker.communicate(timeout=120)[0].strip()) for worker in workers]
    server.flushdb()
    assert sum(allowed) == 60, allowed
