"""Reading a file into the registry: every row checked, every finding reported, all or nothing.

`run(job, commit, progress)` opens the job's file, checks each row with the registry's own
rules and, when asked to commit and nothing is wrong, writes — always inside one transaction
that is rolled back on any error, on a dry run, or when the process dies. Organisations:
`organisations`; people and memberships: `members` (with `setwise`, `staging`, `identities`);
reading the rows: `rows`.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from htxso.registry import aggregates
from htxso.registry.services import identity
from htxso.tabular.findings import ROW_LEVEL, Aborted
from htxso.tabular.sources import open_table

from . import organisations_bulk, synonyms
from .layouts import LAYOUTS, MEMBERS
from .members import import_members
from .models import ImportJob
from .organisations import import_organisations
from .rows import ImportFindings, Progress, RowReader


def _silent(phase: str, fraction: float) -> None:
    pass


# --- the run ------------------------------------------------------------------------------------


def run(
    job: ImportJob,
    commit: bool,
    progress: Progress | None = None,
    on_success: Callable[[ImportFindings], None] | None = None,
) -> ImportFindings:
    """Check (and when `commit`, write) the job's file. Nothing is written unless the whole
    file is clean and `commit` is set. `on_success` runs inside the transaction just before a
    successful commit (the job's status lands with its rows)."""
    report = ImportFindings()
    layout = LAYOUTS[job.kind]
    synonyms.refresh()  # an administrator may have edited the catalogue since the last run
    header_words = synonyms.headers(layout.name)

    def pick_header(rows: list[tuple[int, list[Any]]]) -> int:
        if job.header_row is not None:  # as confirmed (`mapping.py`)
            return next((i for i, (n, _c) in enumerate(rows) if n == job.header_row), 0)
        return layout.find_header([cells for _n, cells in rows], header_words)

    table = open_table(job.file.path, job.filename, pick_header=pick_header)
    report.encoding = table.encoding
    counter = [0]

    def tick() -> None:
        counter[0] += 1
        if progress is not None and counter[0] % 2000 == 0:
            progress("read", table.position())

    try:
        reader = RowReader(
            layout, table.headers, report, table.header_row, header_words, job.column_keys
        )
    except Aborted as exc:
        report.message = str(exc)
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
        return report
    with transaction.atomic(), aggregates.deferred() as touched_provinces:
        if job.kind == MEMBERS:
            import_members(job, table, reader, report, tick, commit, progress or _silent)
        elif organisations_bulk.available():
            organisations_bulk.import_organisations_setwise(
                job, table, reader, report, tick, commit, progress
            )
        else:
            import_organisations(job, table.rows, reader, report, tick)
        if report.rows == 0:
            report.add(1, ROW_LEVEL, "", _("Tệp không có dòng dữ liệu nào."))
        if progress is not None:
            progress("write" if commit else "check", 1.0)
        if not commit or report.has_errors:
            # Nothing lands, so there is nothing to re-aggregate; and a marked transaction
            # runs no more queries (the deferred refresh would raise on the way out).
            touched_provinces.clear()
            transaction.set_rollback(True)
        elif on_success is not None:
            on_success(report)
    if report.mismatched_people:  # on record even when the run rolled back
        identity.audit_mismatches(job.created_by, report.mismatched_people, job)
    return report
