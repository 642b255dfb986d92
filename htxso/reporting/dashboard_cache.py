"""The dashboards' panels kept between requests (issue #24: p95 ≤ 50 ms warm).

Every dashboard reads the whole cube's state (a province's page has the map of all provinces),
so one stamp, `SCOPE` (`core.stamps`), stands for everything a panel shows: the cube's cells,
the releases, the indicator catalogue and the targets. Every write of those bumps it in its own
transaction: `cube.apply`/`cube.replace` (registry deltas and refreshes, report approvals and
reopenings, rebuilds), `statistics.rebuild_reports`, and `Release`/`Indicator`/`Target` saves
and deletes (signals, `connect`). The panel is cached under the stamp read *before* it is
computed, so a cached panel is never older than its key.

The key holds everything else the panel depends on: the area, the map's indicator, whether
the user sees the area and the map live (`sees_live`, the only thing of the user the panel
reads), the language, today (the running period and the cards' year), and the static files'
manifest (the rendered part names hashed static URLs: a deploy that changes them must not serve
pages pointing at files that are gone)."""

import hashlib
from typing import Any

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from htxso.core import stamps

from . import cube, dashboards
from .models import Indicator, Release, Target, sees_live

SCOPE = cube.STAMP
CACHE_SECONDS = 3600


def bump() -> None:
    """A write the dashboards show: call inside its transaction."""
    stamps.bump([SCOPE])


def static_build() -> str:
    """The static files' build: the manifest's hash in production (Django's manifest storage
    computes it from the manifest's content), empty where files are served unhashed."""
    return str(getattr(staticfiles_storage, "manifest_hash", "") or "")


def key(user: Any, area: str, map_indicator: str) -> str:
    parts = (
        area,
        map_indicator,
        sees_live(user, area),
        sees_live(user, "*"),
        get_language() or "vi",
        timezone.localdate().isoformat(),
        stamps.current([SCOPE]),
        static_build(),
    )
    return "stats:dash:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def keyed_panel(user: Any, area: str, map_indicator: str) -> tuple[str, dict]:
    """(the key, `dashboards.panel`), kept until the next write it shows. The page keeps its
    rendered figures under the same key (`{% cache %}` in `dashboard.html`): rendering the
    panel was most of a warm request."""
    k = key(user, area, map_indicator)
    found = cache.get(k)
    if found is None:
        found = dashboards.panel(user, area, map_indicator)
        cache.set(k, found, CACHE_SECONDS)
    return k, found


def panel(user: Any, area: str, map_indicator: str) -> dict:
    return keyed_panel(user, area, map_indicator)[1]


def _changed(**kwargs: Any) -> None:
    bump()


def connect() -> None:
    for model in (Release, Indicator, Target):
        uid = f"stats-dash-{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
