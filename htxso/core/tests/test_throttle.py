"""The API's rate limiter (`core/throttle.py`): a sliding-window counter, one integer per
client and window, shared by every worker through the cache and spent from per-process
leases. The arithmetic is checked on both paths (the local cache; Redis, where one Lua script
reserves), with leasing on for both and a clock the test sets; "processes" there are limiters
of their own (each holds its own leases); the sharing with real processes: two Python
processes, and two gunicorn servers answering over HTTP."""

import http.client
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from htxso.core.api import AnonymousThrottle
from htxso.core.throttle import lease_size


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


REDIS_TEST_URL = "redis://127.0.0.1:6379/6"
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL,
    }
}


@pytest.fixture(params=["local", "redis"])
def throttle(request):
    """The limiter on the local cache, then on Redis (the Lua script), the same assertions."""
    settings_override = override_settings(CACHES=REDIS_CACHE)
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("needs Redis on 127.0.0.1:6379")
        settings_override.enable()
    cache.clear()
    limiter = AnonymousThrottle("3/min")
    limiter.timer = Clock(60 * 1000.0)  # the start of a window
    limiter.leasing = True  # on the local cache too: the same arithmetic on both paths
    yield limiter
    cache.clear()
    if request.param == "redis":
        settings_override.disable()


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


def _process(throttle, rate: str):
    """Another limiter on the same cache and clock: a worker process with its own leases."""
    limiter = AnonymousThrottle(rate)
    limiter.timer = throttle.timer
    limiter.leasing = True
    return limiter


def _count(limiter, windows_back: int = 0) -> int:
    window = int(limiter.timer.now // limiter.duration) - windows_back
    return int(cache.get(f"{limiter.get_cache_key(_request())}:{window}", 0))


def test_the_cost_does_not_grow_with_the_limit(throttle):
    """What is kept per client is two integers, and a busy client's requests are spent from
    one lease: 500 requests at 100,000 a minute are one reservation of a quarter."""
    limiter = _process(throttle, "100000/min")
    for _ in range(500):
        assert limiter.allow_request(_request())
    assert _count(limiter) == 25_000 == lease_size(100_000)


def test_leases_shrink_as_the_window_fills():
    assert [lease_size(room) for room in (100, 75, 57, 8, 7, 4, 1, 0, -3)] == [
        25, 18, 14, 2, 1, 1, 1, 0, 0
    ]  # fmt: skip


def test_one_process_gets_exactly_the_limit(throttle):
    limiter = _process(throttle, "100/min")
    assert sum(limiter.allow_request(_request()) for _ in range(130)) == 100
    assert _count(limiter) == 100  # every lease spent: nothing reserved is left over
    # Full window: the next fits when 100 × (1 − e/60) + 1 ≤ 100 in the next one (e = 0.6 s).
    assert limiter.wait() == pytest.approx(60.6)


def test_processes_taking_turns_get_exactly_the_limit(throttle):
    """A client alternating between two processes: the first 100 pass, then both refuse."""
    a, b = _process(throttle, "100/min"), _process(throttle, "100/min")
    answers = [(a if n % 2 else b).allow_request(_request()) for n in range(130)]
    assert answers == [True] * 100 + [False] * 30


def test_an_unspent_lease_is_reserved_until_its_window_ends(throttle):
    """The cost of leasing: what one process reserved is refused to another in that window
    (never more than a quarter of the room), and the limit is never exceeded."""
    a, b = _process(throttle, "100/min"), _process(throttle, "100/min")
    assert a.allow_request(_request())  # reserves 25, spends 1
    assert sum(b.allow_request(_request()) for _ in range(100)) == 75
    assert sum(a.allow_request(_request()) for _ in range(100)) == 24  # its lease, no more
    assert _count(a) == 100


def test_unspent_leases_are_given_back_to_their_window(throttle):
    """The next window weighs the requests made, not the ones reserved."""
    a = _process(throttle, "100/min")
    for _ in range(10):
        assert a.allow_request(_request())  # one lease of 25, 15 unspent
    assert _count(a) == 25
    throttle.timer.now += 60  # the lease died with its window
    assert a.allow_request(_request())
    assert _count(a, windows_back=1) == 10  # given back in the reservation that followed
    # 10 × 1 (overlap at the window's start) + count ≤ 100: this reservation took 90 / 4.
    assert _count(a) == 22


def test_the_sliding_estimate_and_retry_after_with_leases(throttle):
    a, b = _process(throttle, "100/min"), _process(throttle, "100/min")
    assert sum(a.allow_request(_request()) for _ in range(100)) == 100
    throttle.timer.now += 60 + 30  # half the last window still weighs: room for 50
    answers = [(a if n % 2 else b).allow_request(_request()) for n in range(60)]
    assert answers == [True] * 50 + [False] * 10
    # 100 × (1 − (30 + t)/60) + 50 + 1 ≤ 100 → t = 0.6 s, within this window
    assert b.wait() == pytest.approx(0.6)
    throttle.timer.now += 0.6
    assert b.allow_request(_request())
    assert not a.allow_request(_request())


WORKER = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory, override_settings
    from htxso.core.api import AnonymousThrottle
    limiter = AnonymousThrottle("60/hour")
    allowed = 0
    for _ in range(50):
        request = RequestFactory().get("/api/v1/provinces", REMOTE_ADDR="192.0.2.77")
        request.auth = AnonymousUser()
        allowed += limiter.allow_request(request)
    unspent = sum(lease[2] for lease in limiter.leases.held.values())
    print(allowed, unspent)
    """
)


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_worker_processes_share_one_limit(tmp_path, monkeypatch):
    """Two processes (as two web workers) on one Redis, 100 requests at 60 an hour: at most 60
    allowed in all, and every one of the 60 reserved is either served or still held, unspent,
    in a process's lease (the one cost of leasing: a request one process reserved and did not
    spend is refused to the other until the window ends)."""
    import redis

    server = redis.Redis.from_url(REDIS_TEST_URL)
    server.flushdb()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "htxso.settings",
        "DEBUG": "1",
        "REDIS_URL": REDIS_TEST_URL,
        "HTXSO_VAR_DIR": str(tmp_path),
    }
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    answers = [worker.communicate(timeout=120)[0].split() for worker in workers]
    server.flushdb()
    allowed, unspent = (sum(int(answer[n]) for answer in answers) for n in (0, 1))
    assert allowed <= 60 and allowed + unspent == 60, answers
    # Each makes 50 requests: one that served all 50 took its last lease with room ≤ 10 + k.
    assert unspent <= 2, answers


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_gunicorn_servers_hold_one_limit_over_http(tmp_path):
    """Two production servers (gunicorn, DEBUG off) on one Redis, the anonymous limit set to
    30 a minute: of 50 requests sent in turn to each process, 30 pass and 20 are refused with
    429, Retry-After and the Vietnamese message. Two servers on two ports rather than two
    workers on one socket: the kernel may hand every connection to the same worker, and then
    the test would prove nothing about sharing the count. `/digital-link` touches no database."""
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/7")
    server.flushdb()
    while time.time() % 60 > 55:  # all 50 in one window: the count is then exact
        time.sleep(0.5)
    ports = [_free_port(), _free_port()]
    root = Path(__file__).resolve().parents[3]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "htxso.settings",
        "DEBUG": "0",
        "SECRET_KEY": "throttle-test-secret-key-not-for-production",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "HTXSO_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "REDIS_URL": "redis://127.0.0.1:6379/7",
        "API_RATE_ANONYMOUS": "30/min",
    }
    log = tmp_path / "access.log"
    procs = [
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")), "htxso.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
                "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s",
            ],
            env=env,
            cwd=root,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for proc, port in zip(procs, ports, strict=True):
            _wait_for(proc, port)
        path = "/api/v1/digital-link?uri=https%3A%2F%2Fid.gs1.org%2F01%2F09506000134352"
        answers = [_get(ports[n % 2], path) for n in range(50)]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        server.flushdb()
    statuses = [status for status, _headers, _body in answers]
    assert statuses.count(200) == 30 and statuses.count(429) == 20, statuses
    assert statuses[:30] == [200] * 30  # refused only once the limit is reached
    refused = [(headers, body) for status, headers, body in answers if status == 429]
    for headers, body in refused:
        assert 0 < int(headers["Retry-After"]) <= 120
        assert "Quá nhiều yêu cầu" in body.decode()
    served_by = {line.split()[0] for line in log.read_text().splitlines() if line.endswith(" 200")}
    assert len(served_by) == 2, "both server processes answered"
