"""How long the steps of long jobs take, in the log (LOG_LEVEL=INFO): operators see where an
import spends its time, and benchmarks read the same lines."""

import contextlib
import logging
import time
from collections.abc import Iterator

log = logging.getLogger("htxso.timing")


@contextlib.contextmanager
def timed(step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        log.info("%s: %.2f s", step, time.perf_counter() - started)
