"""The meeting pack: what is overdue and what falls due in the next weeks, by agency, as PDF
(fpdf2, the vendored DejaVu font: `core.pdf`) or XLSX (openpyxl, write-only) — the same rows
as the dashboard's filters, bounded (`PACK_ROWS`), audited as an export."""

import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from htxso.core.audit import record
from htxso.core.pdf import FAMILY, document
from htxso.core.scoping import Action, Kind, may

from . import services, status
from .filters import TaskFilter
from .models import Task

PACK_ROWS = 2000
HORIZON_DAYS = 30


def pack_rows(tasks: QuerySet[Task], on: dt.date) -> list[Task]:
    """Open tasks overdue or due within `HORIZON_DAYS`, nearest deadline first."""
    horizon = on + dt.timedelta(days=HORIZON_DAYS)
    due = tasks.filter(Q(completed_on__isnull=True) & Q(effective_due_on__lte=horizon))
    return list(
        due.select_related("assignee", "directive").order_by("effective_due_on", "id")[:PACK_ROWS]
    )


def _cells(task: Task, on: dt.date) -> list[Any]:
    return [
        task.directive.number,
        task.title,
        task.assignee.name,
        task.effective_due_on.strftime("%d/%m/%Y"),
        str(status.Status(status.of(task, on)).label),
        "" if task.percent_done is None else task.percent_done,
    ]


def _headers() -> list[str]:
    return [_("Văn bản"), _("Nhiệm vụ"), _("Cơ quan được giao"), _("Hạn"), _("Tình trạng"), "%"]


def xlsx(rows: list[Task], on: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tài liệu họp"))
    sheet.append([_("Nhiệm vụ đến hạn và quá hạn, ngày %(d)s") % {"d": on.strftime("%d/%m/%Y")}])
    sheet.append(_headers())
    for task in rows:
        sheet.append(_cells(task, on))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(rows: list[Task], on: dt.date) -> bytes:
    doc = document("L")
    doc.set_title(_("Tài liệu họp Ban Chỉ đạo"))
    doc.add_page()
    doc.set_font(FAMILY, "B", 14)
    doc.cell(0, 8, _("Tài liệu họp Ban Chỉ đạo"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FAMILY, "", 10)
    doc.cell(
        0,
        6,
        _("Nhiệm vụ quá hạn và đến hạn trong %(n)s ngày tới, tính đến ngày %(d)s")
        % {"n": HORIZON_DAYS, "d": on.strftime("%d/%m/%Y")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(2)
    widths = (30, 110, 60, 22, 40, 12)
    with doc.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
        head = table.row()
        for text in _headers():
            head.cell(text)
        for task in rows:
            row = table.row()
            for value in _cells(task, on):
                row.cell(str(value))
    if not rows:
        doc.cell(0, 8, _("Không có nhiệm vụ nào đến hạn hoặc quá hạn."))
    return bytes(doc.output())


@login_required
@require_GET
def pack(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    if not may(request.user, Action.EXPORT, Kind.TASK):
        raise PermissionDenied(_("Bạn không được tải tài liệu họp."))
    on = services.today()
    tasks = TaskFilter(request.GET).filter(Task.objects.scoped(request.user, Action.EXPORT), on)
    rows = pack_rows(tasks, on)
    after = {"format": fmt, "rows": len(rows), "filters": request.GET.dict()}
    record(request.user, "export", None, None, after, about=("tasks.task", _("Tài liệu họp")))
    name = f"tai-lieu-hop-{on.isoformat()}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(pdf(rows, on), content_type="application/pdf")
    else:
        response = HttpResponse(
            xlsx(rows, on),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
