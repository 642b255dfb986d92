"""System checks of HTX Số's own (run by `check --deploy`)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Sign-in throttling, unknown-username locks and the API's rate limits count in the cache:
    a per-process memory cache gives every worker its own counts (four workers, four times the
    limits), forgets them on restart and drops them when full."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is per process: login throttling and API rate limits are "
                "not shared between workers.",
                hint="Set REDIS_URL to a Redis server shared by every worker.",
                id="htxso.W001",
            )
        ]
    return []
