"""Downloads: the import templates and the streamed exports (CSV, XLSX).

Exports answer with a `StreamingHttpResponse`: the rows are read from the database while the
file goes out, so neither the server nor the browser waits for the whole list in memory.
Permission and filters are checked before the response starts (403 / 400), never midway.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from htxso.tabular.workbooks import XLSX_CONTENT_TYPE, stream_xlsx, template_workbook

from . import exports
from .layouts import LAYOUTS, MEMBERS, ORGANISATIONS

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
TEMPLATE_NAMES = {ORGANISATIONS: "mau-nhap-to-chuc", MEMBERS: "mau-nhap-thanh-vien"}


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


def _bad_filters(exc: ValidationError) -> HttpResponse:
    text = _("Bộ lọc không hợp lệ: %s") % " ".join(exc.messages)
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


def _export(
    request: HttpRequest,
    fmt: str,
    rows_of: Callable[[Any, Any, str], tuple[list[str], Iterator[tuple[Any, ...]]]],
    stem: str,
    widths: Sequence[int] | None,
) -> HttpResponse | StreamingHttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("Định dạng tệp không được hỗ trợ."))
    try:
        headers, rows = rows_of(request.user, request.GET, fmt)  # PermissionDenied → 403
    except ValidationError as exc:
        return _bad_filters(exc)
    content = (
        exports.csv_stream(headers, rows)
        if fmt == "csv"
        else stream_xlsx(headers, rows, widths=widths)
    )
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[fmt])
    _attachment(response, f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}")
    response["Cache-Control"] = "no-store"
    return response


def _widths(layout_name: str, extra: Sequence[int]) -> list[int]:
    return [column.width for column in LAYOUTS[layout_name].columns] + list(extra)


@require_GET
def export_organisations(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The organisation list with the list page's filters (GET parameters); public, like it."""
    return _export(
        request, fmt, exports.organisation_rows, "to-chuc", _widths(ORGANISATIONS, (10,))
    )


@require_GET
@login_required
def export_members(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """Memberships in the user's personal-data scope (masked unless the role may see them);
    403 for roles without one."""
    return _export(request, fmt, exports.member_rows, "thanh-vien", _widths(MEMBERS, (12,)))


@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    """The XLSX import template of a kind of data ("organisations", "members")."""
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise Http404(_("Không có mẫu nhập cho loại dữ liệu này."))
    response = HttpResponse(template_workbook(layout), content_type=XLSX_CONTENT_TYPE)
    _attachment(response, f"{TEMPLATE_NAMES[kind]}.xlsx")
    return response
