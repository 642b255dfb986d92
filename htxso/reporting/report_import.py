"""Reports by import: one form, one period, one row per organisation — all or nothing.

The issue: a cooperative's yearly report "is filled in by its manager or comes by import". A
file (XLSX, or CSV in UTF-8 / Windows-1258 / TCVN3 / VNI, read by `htxso.tabular.sources`) holds one
row per organisation: its tax code (or HTX Số id) and one column per field of the form version
in force for the period. `run()` takes every row through the report's one write path:

    services.open_report (or the organisation's existing draft / returned report)
    → services.save_values → services.submit

so the rules of the page apply unchanged (types, Vietnamese number style, bounds, required
fields, the form's rules, who may fill in what). Each row runs in a savepoint, so every row's
problems are collected; the whole run is one transaction, rolled back on a dry run or when any
row has an error. A report already submitted or approved is never overwritten (an error on its
row): re-importing a committed file therefore reports every row as already submitted.

A blank cell means "no change": the value already in the draft, or the figure prefilled from the
registry (members), is kept. The columns are built from the form version (`layout_for`), so the
template (`template()`) and the importer cannot disagree.
"""

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.values import format_number
from htxso.tabular.sources import FileError, open_table

from .models import ReportForm
from .report_files import local_path, max_bytes, max_rows, refuse_file, too_large
from .report_rows import Result, RowRun
from .report_template import layout_for, period_and_version, template, template_filename

CHUNK = 500  # rows read before their organisations are looked up, in one query

__all__ = [
    "Result",
    "layout_for",
    "max_bytes",
    "max_rows",
    "period_and_version",
    "refuse_file",
    "run",
    "template",
    "template_filename",
    "too_large",
]

# --- the result ----------------------------------------------------------------------------------


# --- the run -------------------------------------------------------------------------------------


def run(
    actor: Any,
    form: ReportForm,
    period_code: str,
    path_or_file: str | Path | IO[bytes] | Any,
    commit: bool,
    filename: str = "",
    progress: Callable[[str, float], None] | None = None,
    on_success: Callable[[Result], None] | None = None,
) -> Result:
    """Check (and when `commit`, write) a file of reports of `form` for `period_code`.

    `actor` is the user importing (None = the system). Nothing is written unless `commit` is set
    and no row has an error: the run is one transaction, rolled back otherwise. Problems with the
    whole file (type, size, period, missing columns) are in `result.refused`. `progress(phase,
    fraction)` hears how far the file has been read; `on_success(result)` runs inside the
    transaction just before a commit lands (a job's status lands with its reports)."""
    result = Result(form_code=form.code, period=str(period_code))
    try:
        period, version = period_and_version(form, period_code)
    except ValidationError as exc:
        result.refuse(exc.messages[0])
        return result
    result.period = period.code
    with local_path(path_or_file, filename) as (path, name, size):
        result.filename = name
        refusal = refuse_file(name, size)
        if refusal:
            result.refuse(refusal)
            return result
        try:
            table = open_table(path, name)
        except FileError as exc:
            result.refuse(exc)
            return result
        result.encoding = table.encoding
        state = RowRun(actor, form, period, version, result)
        rows = table.rows
        try:
            if not state.read_headers(table.headers):
                return result
            with transaction.atomic():
                chunk: list[Any] = []  # rows read, their organisations fetched together
                try:
                    for number, cells in rows:
                        if result.rows >= max_rows():
                            state.rows(chunk)
                            chunk = []
                            result.refuse(
                                _("Tệp có quá %(max)s dòng: hãy chia thành nhiều tệp.")
                                % {"max": format_number(max_rows())},
                                row=number,
                            )
                            break
                        result.rows += 1
                        chunk.append(state.cells(number, cells))
                        if len(chunk) >= CHUNK:
                            state.rows(chunk)
                            chunk = []
                        if progress is not None and result.rows % 200 == 0:
                            progress("read", table.position())
                except FileError as exc:
                    state.rows(chunk)
                    chunk = []
                    result.refuse(exc)
                state.rows(chunk)
                state.finish()
                if result.rows == 0 and not result.refused:
                    result.refuse(_("Tệp không có dòng dữ liệu nào."), row=2)
                if commit and not result.has_errors:
                    record(
                        actor,
                        "import",
                        form,
                        None,
                        {
                            "period": period.code,
                            "file": name[:200],
                            "rows": result.rows,
                            **result.counts,
                        },
                    )
                    result.committed = True
                    if on_success is not None:
                        on_success(result)
                else:
                    transaction.set_rollback(True)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
    return result
