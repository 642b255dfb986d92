"""Pre-aggregated registry figures (RegistryAggregate), kept true by deltas in the writer's
transaction, read by pages.

A write to a few organisations (a page, an approval, the API) changes the figures by what
those organisations contributed before and after it: a `keeping` write `touch`es them when it
begins (under their row locks), which notes their contribution; when the write (or the
outermost block of writes) ends, the differences are added — a handful of indexed upserts,
whatever the province's size. What else derives from the registry (reporting's cube)
registers a `Derived` and is kept the same way.
Bulk writes (imports, the generator, classifications by the round) still `refresh` whole
provinces, once per block; a block may do both (the deltas first, then the recount).
"""

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ParamSpec, Protocol, TypeVar

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.dispatch import Signal
from django.utils import timezone

from .members import keeps_members
from .models import Organisation, RegistryAggregate

_deferred = threading.local()
P = ParamSpec("P")
R = TypeVar("R")

# Sent inside the refreshing transaction with `provinces` (a list of codes, or None for all):
# other apps (reporting's cube) update what they derive from the registry in the same commit.
refreshed = Signal()


class Derived(Protocol):
    """Figures summed over organisations, kept by deltas: `before` answers each organisation's
    contribution now (an absent id contributes nothing), `after` adds, for the same ids, what
    they contribute now minus what `before` answered."""

    def before(self, organisations: list[int]) -> dict[int, Any]: ...

    def after(self, organisations: list[int], before: Mapping[int, Any]) -> None: ...


class _Pending:
    """What a block of writes touched: provinces to recount, organisations' earlier figures."""

    def __init__(self) -> None:
        self.provinces: set[str] = set()
        self.before: list[dict[int, Any]] = [{} for _ in _derived]

    def touch(self, organisations: Iterable[int], new: bool) -> None:
        ids = [pk for pk in organisations if pk not in self.before[0]]
        if not ids:
            return
        for derived, seen in zip(_derived, self.before, strict=True):
            seen.update(dict.fromkeys(ids) if new else derived.before(ids))
            for pk in ids:
                seen.setdefault(pk, None)

    def flush(self) -> None:
        ids = sorted(self.before[0])
        if ids:
            for derived, seen in zip(_derived, self.before, strict=True):
                derived.after(ids, seen)
        if self.provinces:
            _refresh(self.provinces)


@contextlib.contextmanager
def deferred() -> Iterator[set[str]]:
    """Collect the provinces and organisations that writes inside the block touch and bring
    the figures up to date once at its end (an import of thousands of rows re-aggregates each
    province once, an approval adds its organisation's deltas once)."""
    pending: _Pending | None = getattr(_deferred, "pending", None)
    if pending is not None:  # nested: the outer block refreshes
        yield pending.provinces
        return
    pending = _deferred.pending = _Pending()
    try:
        yield pending.provinces
    finally:
        _deferred.pending = None
    if connection.in_atomic_block and connection.needs_rollback:
        return  # the block's writes are to be rolled back (a dry run): nothing to follow
    with transaction.atomic(savepoint=False):  # a failure here fails the whole write anyway
        pending.flush()


def keeping(write: Callable[P, R]) -> Callable[P, R]:
    """Decorate a registry write that `touch`es the organisations it changes: the figures
    follow by deltas when it returns (or when the outermost block of writes ends)."""

    @functools.wraps(write)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        with deferred():
            return write(*args, **kwargs)

    return kept


def touch(organisations: Iterable[int], new: bool = False) -> None:
    """Inside a `keeping` write, before it changes these organisations (their rows locked;
    `new`: just created, they contributed nothing before)."""
    pending: _Pending | None = getattr(_deferred, "pending", None)
    if pending is None:
        raise RuntimeError("aggregates.touch outside a `keeping` write")
    pending.touch(organisations, new)


def refresh(provinces: Iterable[str] | None = None) -> None:
    pending = getattr(_deferred, "pending", None)
    if pending is not None and provinces is not None:
        pending.provinces.update(provinces)
        return
    _refresh(provinces)


@transaction.atomic
def _refresh(provinces: Iterable[str] | None = None) -> None:
    orgs = Organisation.objects.all()
    aggregates = RegistryAggregate.objects.all()
    if provinces is not None:
        codes = sorted(set(provinces))
        orgs = orgs.filter(province_id__in=codes)
        aggregates = aggregates.filter(province_id__in=codes)
    rows = (
        orgs.order_by()
        .values("province_id", "kind", "status", "is_agricultural")
        .annotate(n=Count("id"), m=Sum("members_count"))
    )
    fresh = [
        RegistryAggregate(
            province_id=r["province_id"],
            kind=r["kind"],
            status=r["status"],
            is_agricultural=r["is_agricultural"],
            organisations=r["n"],
            members=r["m"] or 0,
        )
        for r in rows
    ]
    aggregates.delete()
    RegistryAggregate.objects.bulk_create(fresh, batch_size=1000)
    refreshed.send(sender=RegistryAggregate, provinces=codes if provinces is not None else None)


_Key = tuple[str, str, str, bool]

_UPSERT = (
    "INSERT INTO registry_registryaggregate (province_id, kind, status, is_agricultural, "
    "organisations, members, refreshed_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (province_id, kind, status, is_agricultural) DO UPDATE SET "
    "organisations = registry_registryaggregate.organisations + excluded.organisations, "
    "members = registry_registryaggregate.members + excluded.members, "
    "refreshed_at = excluded.refreshed_at"
)


_FALL = (
    "UPDATE registry_registryaggregate SET organisations = organisations + %s, "
    "members = members + %s, refreshed_at = %s "
    "WHERE province_id = %s AND kind = %s AND status = %s AND is_agricultural = %s"
)


class _Aggregates:
    """RegistryAggregate itself as a `Derived`: an organisation adds one and its members to
    its province × kind × status × agricultural row."""

    def before(self, organisations: list[int]) -> dict[int, tuple[_Key, int]]:
        rows = Organisation.objects.filter(pk__in=organisations).values_list(
            "pk", "province_id", "kind", "status", "is_agricultural", "members_count"
        )
        return {pk: ((p, k, s, a), m) for pk, p, k, s, a, m in rows}

    def after(self, organisations: list[int], before: Mapping[int, Any]) -> None:
        deltas: dict[_Key, list[int]] = {}
        for sign, side in ((-1, before), (1, self.before(organisations))):
            for pk in organisations:
                if side.get(pk) is not None:
                    key, members = side[pk]
                    d = deltas.setdefault(key, [0, 0])
                    d[0] += sign
                    d[1] += sign * members
        rows = [(*k, n, m, timezone.now()) for k, (n, m) in sorted(deltas.items()) if n or m]
        if not rows:
            return
        with connection.cursor() as cursor:  # in key order: concurrent writers do not deadlock
            for row in rows:
                if row[4] >= 0 and row[5] >= 0:
                    cursor.execute(_UPSERT, row)
                else:  # the row exists (it counted what leaves it); an upsert's new row could not
                    cursor.execute(_FALL, [row[4], row[5], row[6], *row[:4]])
        if any(r[4] < 0 for r in rows):  # only a fall can leave a row at zero
            RegistryAggregate.objects.filter(
                province_id__in={r[0] for r in rows if r[4] < 0}, organisations=0
            ).delete()


_derived: list[Derived] = [_Aggregates()]


def derive(derived: Derived) -> None:
    """Keep `derived` by deltas too (an app's `ready()`; once)."""
    if all(type(d) is not type(derived) for d in _derived):
        _derived.append(derived)


def summarise(rows: Iterable[RegistryAggregate]) -> dict:
    """Headline figures from aggregate rows: by kind, by status group, members, agriculture."""
    from .choices import CLOSED_STATUSES, DORMANT_STATUSES, OrganisationKind, Status

    kinds: dict[str, dict[str, Any]] = {
        kind: {
            "label": label,
            "total": 0,
            "active": 0,
            "dormant": 0,
            "closed": 0,
            "members": 0,
            "agricultural": 0,
        }
        for kind, label in OrganisationKind.choices
    }
    for row in rows:
        k = kinds[row.kind]
        k["total"] += row.organisations
        if keeps_members(row.status):  # current members only (registry/members.py)
            k["members"] += row.members
        if row.status == Status.ACTIVE:
            k["active"] += row.organisations
        elif row.status in DORMANT_STATUSES:
            k["dormant"] += row.organisations
        elif row.status in CLOSED_STATUSES:
            k["closed"] += row.organisations
        if row.is_agricultural:
            k["agricultural"] += row.organisations
    for k in kinds.values():
        existing = k["total"] - k["closed"]
        k["agricultural_share"] = (
            round(100 * k["agricultural"] / k["total"], 1) if k["total"] else None
        )
        k["existing"] = existing
    total = sum(k["total"] for k in kinds.values())
    return {
        "kinds": kinds,
        "total": total,
        "active": sum(k["active"] for k in kinds.values()),
        "dormant": sum(k["dormant"] for k in kinds.values()),
        "closed": sum(k["closed"] for k in kinds.values()),
        "members": sum(k["members"] for k in kinds.values()),
    }


def by_province() -> list[dict]:
    """One summary per province, in province-code order (34 rows, read from aggregates)."""
    from htxso.core.models import Province

    grouped: dict[str, list[RegistryAggregate]] = {}
    for row in RegistryAggregate.objects.all():
        grouped.setdefault(row.province_id, []).append(row)
    return [{"province": p, **summarise(grouped.get(p.code, []))} for p in Province.objects.all()]
