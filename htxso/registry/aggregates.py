"""Pre-aggregated registry figures (RegistryAggregate): refreshed per province, read by pages.

A change to one organisation re-aggregates only its province (a few thousand rows, indexed),
never the national tables.
"""

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.dispatch import Signal

from .members import keeps_members
from .models import Organisation, RegistryAggregate

_deferred = threading.local()

# Sent inside the refreshing transaction with `provinces` (a list of codes, or None for all):
# other apps (reporting's cube) update what they derive from the registry in the same commit.
refreshed = Signal()


@contextlib.contextmanager
def deferred() -> Iterator[set[str]]:
    """Collect the provinces that writes inside the block touch and refresh them once at the
    end (an import of thousands of rows re-aggregates each province once, not per row)."""
    if getattr(_deferred, "provinces", None) is not None:  # nested: the outer block refreshes
        yield _deferred.provinces
        return
    _deferred.provinces = set()
    try:
        yield _deferred.provinces
        provinces = _deferred.provinces
    finally:
        _deferred.provinces = None
    if provinces:
        refresh(provinces)


def refresh(provinces: Iterable[str] | None = None) -> None:
    pending = getattr(_deferred, "provinces", None)
    if pending is not None and provinces is not None:
        pending.update(provinces)
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
