"""The follow-up's pages: the dashboard (figures by status, agency and directive over the list
of tasks), a task with its reports (the focal point reports, the secretariat accepts or
returns), the scorecard per agency, downloads of attachments. Forms validate; services write;
a refusal says why in Vietnamese (422, what was typed kept); a stale version asks to reload."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core import facts
from htxso.core.lists import build
from htxso.core.scoping import Action, Kind, Reach, may, reach
from htxso.core.uploads import attachment
from htxso.core.versions import StaleEdit

from . import dashboards, services, status, tally
from .filters import TaskFilter
from .forms import ReportForm, ReviewForm
from .lists import TASKS, badge
from .models import Directive, ProgressReport, ReportState, Tally, Task

# The columns the dashboard's list shows (and its status reads): a page of rows, not the task.
LISTED = (
    "title",
    "recurrence",
    "effective_due_on",
    "warn_from",
    "completed_on",
    "last_reported_on",
    "percent_done",
    "directive__number",
    "assignee__name",
)


def follows(user: Any) -> bool:
    """Whether `user` follows tasks (more than the public's published directives)."""
    return any(r != Reach.PUBLISHED for r in reach(user, Action.VIEW, Kind.TASK))


def _guard(request: HttpRequest) -> None:
    if not follows(request.user):
        raise PermissionDenied(_("Trang này dành cho Ban Chỉ đạo và các cơ quan đầu mối."))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _guard(request)
    on = services.today()
    filters = TaskFilter(request.GET)
    tasks = filters.filter(Task.objects.visible_to(request.user), on)
    version = dashboards.stamp()
    rows = filters.tally(Tally.objects.visible_to(request.user))
    if rows is not None:  # the counts from the tally: no pass over the tasks, even after a write
        tallied = rows
        figures = dashboards.cached(
            "overall-tally", tasks, on, lambda: tally.overall(tallied, on), version
        )
    else:
        figures = dashboards.cached(
            "overall", tasks, on, lambda: dashboards.overall(tasks, on), version
        )
    listing = build(
        request,
        TASKS,
        tasks.select_related("assignee", "directive").only(*LISTED),
        count=lambda _q: (figures["total"], True),
    )
    context = {
        "filters": filters,
        "listing": listing,
        "figures": [(s, badge(s), figures[s.value]) for s in status.Status],
        "total": figures["total"],
        "directives": dashboards.cached(
            "directives", tasks, on, lambda: dashboards.by_directive(tasks, on), version
        ),
        "today": on,
        "may_create": may(request.user, Action.CREATE, Kind.TASK),
    }
    return render(request, "tasks/dashboard.html", context, status=listing.status)


@login_required
@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    _guard(request)
    on = services.today()
    tasks, tallied = Task.objects.visible_to(request.user), Tally.objects.visible_to(request.user)
    rows = dashboards.cached("agencies-tally", tasks, on, lambda: tally.by_agency(tallied, on))
    return render(request, "tasks/scorecard.html", {"rows": rows, "today": on})


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(
        Task.objects.visible_to(request.user).select_related("directive", "assignee", "lead"),
        pk=pk,
    )


def _indicators(task: Task) -> list[tuple[str, Any, Any, Any]]:
    """The task's indicators (code, catalogue entry or None, national and province figures),
    from reporting's catalogue through `core.facts`."""
    codes = [c for c in task.indicator_codes.split(",") if c]
    areas = ["VN", *([task.province_id] if task.province_id else [])]
    found = facts.indicators(codes, areas)
    rows = []
    for code in codes:
        entry = found.get(code)
        figures = entry.figures if entry else {}
        rows.append((code, entry, figures.get("VN"), figures.get(task.province_id or "")))
    return rows


def _task_page(
    request: HttpRequest, task: Task, form: ReportForm | None = None, code: int = 200
) -> HttpResponse:
    on = services.today()
    reports = list(task.reports.select_related("author", "reviewer").order_by("-submitted_at")[:50])
    context = {
        "t": task,
        "status": badge(status.of(task, on)),
        "reports": reports,
        "coordinating": list(task.coordinating.all()),
        "can_report": task.completed_on is None and may(request.user, Action.EDIT, task),
        "can_review": may(request.user, Action.REVIEW, Kind.TASK),
        "form": form or ReportForm(),
        "review_form": ReviewForm(),
        "waiting": ReportState.SUBMITTED,
        "indicators": _indicators(task),
    }
    return render(request, "tasks/task.html", context, status=code)


@login_required
@require_GET
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request, pk))


@login_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    item = _task(request, pk)
    if not may(request.user, Action.EDIT, item):
        raise PermissionDenied(_("Chỉ đầu mối của cơ quan được giao được báo cáo tiến độ."))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _task_page(request, item, form, 422)
    upload = form.cleaned_data.get("file")
    try:
        services.report_progress(
            request.user,
            item.pk,
            _version(request),
            form.cleaned_data["text"],
            int(form.cleaned_data["percent"]),
            upload,
            upload.name if upload else "",
        )
    except StaleEdit as exc:
        messages.warning(request, str(exc))
        return redirect("tasks:task", pk=item.pk)
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _task_page(request, item, form, 422)
    messages.success(request, _("Đã gửi báo cáo tiến độ; Văn phòng sẽ xem xét."))
    return redirect("tasks:task", pk=item.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = get_object_or_404(ProgressReport.objects.visible_to(request.user), pk=pk)
    if action not in ("accept", "return"):
        raise PermissionDenied(_("Thao tác không hợp lệ."))
    if not may(request.user, Action.REVIEW, found):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được duyệt báo cáo."))
    note = request.POST.get("note", "")
    try:
        services.review_report(request.user, found.pk, _version(request), action == "accept", note)
    except StaleEdit as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _task_page(request, _task(request, found.task_id), None, 422)
    else:
        messages.success(
            request,
            _("Đã chấp nhận báo cáo.") if action == "accept" else _("Đã trả lại báo cáo."),
        )
    return redirect("tasks:task", pk=found.task_id)


@login_required
@require_GET
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    found = get_object_or_404(ProgressReport.objects.visible_to(request.user), pk=pk)
    return attachment(request.user, found, found.file, found.filename)


@require_GET
def directive_file(request: HttpRequest, pk: int) -> FileResponse:
    found = get_object_or_404(Directive.objects.visible_to(request.user), pk=pk)
    return attachment(request.user, found, found.file, found.filename)


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """The published directives and their aggregate progress, for everyone."""
    on = services.today()
    rows = dashboards.cached("public", Task.objects.all(), on, lambda: dashboards.public(on))
    return render(request, "tasks/public.html", {"rows": rows})
