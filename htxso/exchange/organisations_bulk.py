"""Organisations from a file, set-wise (PostgreSQL): the same rows, findings and writes as the
row-by-row lane (`organisations`), without a query per row.

Rows are read and checked in Python in batches (`BATCH`) streamed from the file: each cell by
the layout's parsers, each address placed (`rows.checked_rows`). The organisations a batch
names — by tax code, by HTX Số id, by kind and name — are fetched in three queries, and
`BatchMatcher` answers the matcher's questions from them. A row about an organisation already
on HTX Số is written by the page services as in the row lane (an update is rare in a national
list, and the services hold its many rules); a new organisation is checked by
`services.prepare_organisation` and written with the batch by `services.create_organisations`.
Findings are reported in the row lane's order (a batch's parsing findings are held and
replayed row by row), so the two lanes' reports are the same (tested)."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from htxso.core import addresses
from htxso.core.mst import normalise_tax_code
from htxso.registry import services
from htxso.registry.choices import Status
from htxso.registry.models import Organisation
from htxso.tabular.findings import ROW_LEVEL
from htxso.tabular.sources import Table

from . import organisations_sql
from .models import ImportJob
from .organisations import (
    OrganisationMatcher,
    Refused,
    _members_fit,
    _organisation_fields,
    _write_organisation,
)
from .rows import ImportFindings, RowReader, checked_rows

# Organisations on PostgreSQL go through this lane; tests turn it off to hold the lanes equal.
SETWISE = True
BATCH = 2000

Row = tuple[int, dict[str, Any], addresses.Place | None, dict[str, Any]]


def available() -> bool:
    return SETWISE and connection.vendor == "postgresql"


class BatchMatcher(OrganisationMatcher):
    """`OrganisationMatcher` answered from one batch's organisations. Once a row of the batch
    has updated an organisation, the rest of the batch asks the database again (a rename
    could make a name taken)."""

    def prefetch(self, batch: list[Row]) -> None:
        taxes, ids, names = set(), set(), set()
        for _number, values, place, _raw in batch:
            if values.get("tax_code"):
                with suppress(ValidationError):  # the matcher reports it
                    taxes.add(normalise_tax_code(values["tax_code"]))
            if values.get("organisation_id") is not None:
                ids.add(values["organisation_id"])
            if place is not None and values.get("name"):
                names.add(Organisation.keys_for(values["name"], "", "")[1])
        self.stale = False
        self.taxes = {o.tax_code: o for o in Organisation.objects.filter(tax_code__in=taxes)}
        self.ids = Organisation.objects.in_bulk(ids)
        self.names: dict[tuple[str, str, str], list[tuple[int, str, str]]] = defaultdict(list)
        found = (
            Organisation.objects.filter(name_key__in=names)
            .order_by("pk")
            .values_list("pk", "name", "status", "province_id", "kind", "name_key")
        )
        for pk, name, status, province, kind, key in found.iterator(chunk_size=5000):
            self.names[(province, kind, key)].append((pk, name, status))

    def by_tax(self, tax_code: str) -> Organisation | None:
        return super().by_tax(tax_code) if self.stale else self.taxes.get(tax_code)

    def by_pk(self, org_id: Any) -> Organisation | None:
        return super().by_pk(org_id) if self.stale else self.ids.get(org_id)

    def same_names(self, province_id: str, kind: str, name: str) -> list[tuple[int, str, str]]:
        if self.stale:
            return super().same_names(province_id, kind, name)
        key = Organisation.keys_for(name, "", "")[1]
        return self.names.get((province_id, kind, key), [])


def _batches(
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: ImportFindings,
    tick: Callable[[], None],
) -> Iterator[tuple[list[Row], ImportFindings]]:
    """The checked rows by batch, each with the findings its reading held back."""
    source = iter(rows)
    while True:
        held = ImportFindings(cap=1 << 62)
        reader.report = held
        try:
            batch = []
            for number, values, place in checked_rows(islice(source, BATCH), reader, held, tick):
                batch.append((number, values, place, dict(reader.raw)))
        finally:
            reader.report = report
        report.rows += held.rows
        if not held.rows:
            _replay(report, held, 0, None)  # the SQL lane's conversions after the last row
            return
        yield batch, held


def _replay(report: ImportFindings, held: ImportFindings, start: int, until: int | None) -> int:
    """Report the held findings from `start` of rows before `until` (all: None); the next."""
    findings = held.findings
    while start < len(findings) and (until is None or findings[start].row <= until):
        f = findings[start]
        report.add(f.row, f.column, f.value, f.message, f.severity)
        start += 1
    return start


def import_organisations_setwise(
    job: ImportJob,
    table: Table,
    reader: RowReader,
    report: ImportFindings,
    tick: Callable[[], None],
    commit: bool = True,
    progress: Callable[[str, float], None] | None = None,
) -> None:
    """`organisations.import_organisations`, by batches — the rows SQL takes (`organisations_sql`)
    first, set-wise; a dry run (`commit` False) checks every new organisation but writes none
    (the row lane writes and rolls back)."""
    actor = job.created_by
    counts = {"created": 0, "updated": 0, "unchanged": 0, "status_changes": 0}
    checker = services.Checker(actor)
    lane = None
    if organisations_sql.available(table, reader, job.strategy):
        lane = organisations_sql.Lane(reader, checker)
        if not lane.run(table, progress or (lambda phase, fraction: None)):
            lane.drop()
            lane = None
    rows: Iterable[tuple[int, list[Any]]] = table.rows
    if lane is not None:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()  # read by COPY instead
        rows = lane.others(report)
    _import_rows(job, rows, reader, report, tick, commit, checker, counts, lane)
    if lane is not None:  # on an error the transaction's rollback takes its tables
        lane.drop()
    report.summary["organisations"] = counts


def _import_rows(
    job: ImportJob,
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: ImportFindings,
    tick: Callable[[], None],
    commit: bool,
    checker: services.Checker,
    counts: dict[str, int],
    lane: organisations_sql.Lane | None,
) -> None:
    actor = job.created_by
    matcher = BatchMatcher(reader, report, job.strategy)
    stage = services.OrganisationStage() if commit else None
    for batch, held in _batches(rows, reader, report, tick):
        matcher.prefetch(batch)
        replayed = 0
        new: list[services.NewOrganisation] = []
        for number, values, place, raw in batch:
            replayed = _replay(report, held, replayed, number)
            reader.raw = raw
            try:
                existing = matcher.match(number, values, place)
            except Refused:
                continue
            if not _members_fit(reader, number, values, existing):
                continue
            try:
                if existing is not None:
                    matcher.stale = True
                    with transaction.atomic():
                        outcome = _write_organisation(actor, existing, values, place)
                else:
                    prepared = _prepare(checker, values, place)
                    new.append(prepared)
                    outcome = ["created"] + (["status_changes"] if prepared.status else [])
            except ValidationError as exc:
                reader.report_errors(number, exc)
                continue
            except PermissionDenied as exc:
                report.add(number, ROW_LEVEL, "", exc)
                continue
            for name in outcome:
                counts[name] += 1
        _replay(report, held, replayed, None)
        if commit and not report.has_errors:  # else nothing lands: no need to write it
            services.create_organisations(actor, new, stage)
    if lane is not None:
        clean, moved, _others = lane.counts()
        report.rows += clean
        counts["created"] += clean
        counts["status_changes"] += moved
        if stage is not None and clean and not report.has_errors:
            stage.adopt(actor, lane.new_organisations(), job)
    if stage is not None and not report.has_errors:
        stage.flush()


def _prepare(
    checker: services.Checker, values: dict[str, Any], place: addresses.Place | None
) -> services.NewOrganisation:
    """`_write_organisation` for a new organisation, checked but not yet written."""
    fields = _organisation_fields(values, place, None)
    status, since = values.get("status"), values.get("status_since")
    missing = [k for k in ("kind", "name", "sector", "established_on") if k not in fields]
    if place is None:
        missing.append("province")
    if missing:
        raise ValidationError({k: _("Thiếu giá trị bắt buộc.") for k in missing})
    changes_status = bool(status) and status != Status.ACTIVE
    if changes_status and since is not None:
        return services.prepare_organisation(checker, fields, status, since)
    prepared = services.prepare_organisation(checker, fields, None, None)
    if changes_status:  # never invented (e.g. as the founding date): the file must say
        raise ValidationError({"status_since": _("Thiếu ngày của tình trạng mới.")})
    if status is None and since is not None:
        raise ValidationError({"status": _("Ghi ngày tình trạng nhưng thiếu tình trạng.")})
    return prepared
