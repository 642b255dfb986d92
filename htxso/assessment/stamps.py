"""The dashboards' cache key: `Stamp` values, one per province and `*` (rule sets), changed
by `bump` inside every write the dashboards read. A dashboard reads its stamps first (one
query over at most 35 rows), then its figures: a write committed after the stamps were read
can only make the cached figures newer than their key, never older, so a page shows every
write committed before it was asked for."""

from collections.abc import Iterable

from htxso.core import stamps

from .models import Stamp

RULES = "*"


def bump(scopes: Iterable[str | None]) -> None:
    """Give the stamps of `scopes` (province codes, or `RULES`) a new random value, in the
    write's transaction (`core.stamps.bump`, on this app's own table)."""
    stamps.bump(scopes, table=Stamp)


def current(province: str | None) -> str:
    """The stamps a dashboard of `province` (None: the nation) depends on, as one string."""
    return stamps.current((province, RULES) if province else None, table=Stamp)
