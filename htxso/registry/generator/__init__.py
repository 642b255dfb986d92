"""Deterministic generator of a realistic registry: `htxso generate --scale … --seed N`.

Same seed, same data. Organisations are spread over the 34 provinces in proportion to their
communes; people and memberships are streamed to the database in chunks (COPY on PostgreSQL),
so memory stays flat at national scale. Person ids are allocated in province blocks, which
lets a person join a second organisation of the same province without any lookup.
"""

import dataclasses
import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

from htxso.core.audit import record
from htxso.core.bulk import next_id, reset_sequences, write_rows
from htxso.core.values import format_number as vn  # 2.812, not 2,812

from .. import aggregates
from ..models import Membership, Organisation, Person, StatusChange
from .base import (
    COUNTS,
    MEMBERSHIP_COLUMNS,
    ORG_COLUMNS,
    SCALES,
    STATUS_COLUMNS,
    Org,
    RegistryNotEmpty,
    Result,
    Scale,
)
from .organisations import OrganisationRows
from .people import PeopleRows

__all__ = [
    "COUNTS",
    "SCALES",
    "Generator",
    "RegistryNotEmpty",
    "Result",
    "Scale",
    "clear_registry",
    "generate",
]


class Generator(OrganisationRows, PeopleRows):
    """One run: plan the organisations, write them, then stream people and memberships."""

    # -- the whole run -------------------------------------------------------------------
    def run(self) -> Result:
        started = time.monotonic()
        result = Result()
        orgs = self.plan()
        self.progress(
            f"Kế hoạch: {vn(len(orgs))} tổ chức, {vn(self.scale.memberships)} tư cách thành viên"
        )
        # Memberships first: they fix the active member counts written on each organisation.
        unions = self.union_links(orgs)
        with transaction.atomic():
            result.organisations = write_rows(
                Organisation._meta.db_table,
                ORG_COLUMNS,
                (self.organisation_row(o, o.showcase) for o in orgs),
            )
            result.status_changes = write_rows(
                StatusChange._meta.db_table,
                STATUS_COLUMNS,
                (row for o in orgs for row in self.status_rows(o)),
            )
        self.progress(f"  {vn(result.organisations)} tổ chức đã ghi")
        self.people_and_memberships(orgs, result)
        with transaction.atomic():
            first = next_id(Membership)
            result.memberships += write_rows(
                Membership._meta.db_table,
                MEMBERSHIP_COLUMNS,
                ((first + i, *row) for i, row in enumerate(unions)),
            )
            _write_member_counts(orgs)
            reset_sequences(Organisation, Person, Membership, StatusChange)
            aggregates.refresh()
            record(
                None,
                "generate",
                None,
                None,
                {
                    "organisations": result.organisations,
                    "people": result.people,
                    "memberships": result.memberships,
                    # What was asked for: a benchmark recognises its dataset by these, whoever
                    # generated it (`htxso generate` or bench/harness.py).
                    "scale": dataclasses.asdict(self.scale),
                    "seed": self.seed,
                    "province": self.province,
                    "seconds": round(time.monotonic() - started, 1),
                    # The rows it wrote: other apps' demo data may add organisations later.
                    "ids": [min(o.id for o in orgs), max(o.id for o in orgs)] if orgs else [],
                },
                about=("registry", f"Dữ liệu mẫu: {vn(result.organisations)} tổ chức"),
                about_id="*",
            )
        if connection.vendor == "postgresql":
            # Planner statistics for what was just written. ANALYZE also drops this session's
            # cached plans of these tables: a foreign-key check planned while the people table
            # was nearly empty (a sequential scan) would otherwise read every person for each
            # of the memberships when the deferred checks run (a test's teardown took > 5 min).
            tables = (Organisation, StatusChange, Person, Membership)
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {names}")
        for org in orgs:
            result.counts_by_kind[org.kind] = result.counts_by_kind.get(org.kind, 0) + 1
        result.seconds = time.monotonic() - started
        return result


def _write_member_counts(orgs: list[Org]) -> None:
    """The active member counts, fixed after memberships were drawn (one UPDATE per batch)."""
    pairs = [(o.members, o.id) for o in orgs]
    table = connection.ops.quote_name(Organisation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET members_count = %s WHERE id = %s", pairs)


def clear_registry() -> None:
    """Remove every organisation, person and membership (the generator's --replace).

    Users and the audit log stay. Plain DELETEs, not TRUNCATE: on PostgreSQL a TRUNCATE of
    these tables needs CASCADE (users point at organisations and people), which would empty
    the user table and, through it, the audit log.
    """
    from htxso.core.models import User

    with transaction.atomic():
        User.objects.exclude(organisation_id=None, person_id=None).update(
            organisation_id=None, person_id=None
        )
        if apps.is_installed("htxso.reporting"):  # reports point at organisations
            apps.get_model("reporting", "Report").objects.all()._raw_delete(Organisation.objects.db)
        if apps.is_installed("htxso.traceability"):  # diaries and events name organisations
            for name in ("Harvest", "Treatment", "Crop", "Plot", "Product", "EventEpc", "Event",
                         "Capture"):  # fmt: skip
                apps.get_model("traceability", name).objects.all()._raw_delete(
                    Organisation.objects.db
                )
        for model in (Membership, StatusChange, Person, Organisation):
            model.objects.all()._raw_delete(model.objects.db)
        aggregates.refresh()


def generate(
    scale: str | Scale,
    seed: int,
    province: str | None = None,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Generate a registry at `scale` (a name of `SCALES`, or a `Scale` with other counts)."""
    chosen = SCALES[scale] if isinstance(scale, str) else scale
    generator = Generator(chosen, seed, province, progress)
    if Organisation.objects.exists():
        if not replace:
            raise RegistryNotEmpty(
                "Cơ sở dữ liệu đã có tổ chức; dùng --replace để thay toàn bộ bằng dữ liệu mẫu."
            )
        clear_registry()
    return generator.run()
