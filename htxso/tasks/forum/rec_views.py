"""The recommendations' pages: the list grouped by topic (the UI kit's list under the counts),
raising one, one recommendation with its answer and its task's progress (for whoever raised
it), and the secretariat's and the agency's steps: route, answer, turn into a task."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from htxso.core.lists import build
from htxso.core.scoping import Action, Kind, may
from htxso.core.versions import StaleEdit

from .. import services as tasks
from .. import status
from ..lists import badge
from ..models import ReportState
from ..views import follows
from . import services
from .filters import RecommendationFilter
from .forms import AnswerForm, RecommendationForm, RouteForm, ToTaskForm
from .lists import RECOMMENDATIONS, state_badge
from .models import ANSWER, Edition, Recommendation, RecState, Topic
from .views import organises, refused, version_of


@require_GET
def recommendations(request: HttpRequest) -> HttpResponse:
    filters = RecommendationFilter(request.GET)
    seen = filters.filter(Recommendation.objects.visible_to(request.user), request.user)
    counts = {r["topic"]: r["n"] for r in seen.order_by().values("topic").annotate(n=Count("id"))}
    listing = build(request, RECOMMENDATIONS, seen.select_related("agency"))
    context = {
        "filters": filters,
        "listing": listing,
        "topics": [(t, counts.get(t.value, 0)) for t in Topic],
        "may_raise": may(request.user, Action.CREATE, Kind.FORUM),
    }
    return render(request, "tasks/forum/recommendations.html", context, status=listing.status)


def _open_edition() -> Edition | None:
    """The edition taking recommendations: the latest one."""
    return Edition.objects.order_by("-year").first()


@login_required
@require_http_methods(["GET", "POST"])
def raise_recommendation(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.CREATE, Kind.FORUM):
        raise PermissionDenied(_("Bạn không được gửi kiến nghị."))
    edition = _open_edition()
    form = RecommendationForm(request.POST or None)
    if edition is None:
        form.add_error(None, _("Chưa có diễn đàn nào nhận kiến nghị."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.raise_recommendation(
                request.user,
                edition.pk,
                data["topic"],
                data["title"],
                data["difficulty"],
                data["proposal"],
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(
                request, _("Đã gửi kiến nghị; Văn phòng sẽ chuyển cơ quan có thẩm quyền trả lời.")
            )
            return redirect("tasks:forum-recommendation", pk=made.pk)
    code = 422 if request.method == "POST" else 200
    title = (
        _("Gửi kiến nghị tới Diễn đàn năm %(y)s") % {"y": edition.year}
        if edition
        else _("Gửi kiến nghị")
    )
    return render(request, "tasks/forum/form.html", {"form": form, "title": title}, status=code)


def _found(request: HttpRequest, pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related(
            "edition", "agency", "task", "task__assignee"
        ),
        pk=pk,
    )


def _progress(found: Recommendation) -> dict[str, Any] | None:
    """The task's progress as the raiser sees it: status, percent, deadline and the accepted
    reports' dates and percents (not their text, nor the secretariat's internal notes)."""
    task = found.task
    if task is None:
        return None
    accepted = task.reports.filter(state=ReportState.ACCEPTED).order_by("-submitted_on")
    return {
        "task": task,
        "status": badge(status.of(task, tasks.today())),
        "reports": list(accepted.values("submitted_on", "percent")[:20]),
    }


def _page(
    request: HttpRequest,
    found: Recommendation,
    forms: dict[str, Form] | None = None,
    code: int = 200,
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    secretariat = organises(user)
    context = {
        "r": found,
        "state": state_badge(found),
        "progress": _progress(found),
        "may_route": secretariat and found.state != RecState.ANSWERED,
        "may_answer": found.state == RecState.ROUTED
        and may(user, Action.REVIEW, found, scope=ANSWER),
        "may_task": secretariat and found.task_id is None and found.agency_id is not None,
        "route_form": forms.get("route") or RouteForm(initial={"agency": found.agency_id}),
        "answer_form": forms.get("answer") or AnswerForm(),
        "task_form": forms.get("task") or ToTaskForm(),
        "organises": secretariat,
        "follows": follows(user),  # officers open the task itself; the raiser sees its summary
        "may_raise": may(user, Action.CREATE, Kind.FORUM),
    }
    return render(request, "tasks/forum/recommendation.html", context, status=code)


@require_GET
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _found(request, pk))


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """route | answer | task: the form of the step, then its service."""
    found = _found(request, pk)
    forms = {"route": RouteForm, "answer": AnswerForm, "task": ToTaskForm}
    if action not in forms:
        raise PermissionDenied(_("Thao tác không hợp lệ."))
    if action == "answer":
        if not may(request.user, Action.REVIEW, found, scope=ANSWER):
            raise PermissionDenied(_("Chỉ cơ quan được phân công mới trả lời kiến nghị này."))
    elif not organises(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được tổ chức diễn đàn."))
    form = forms[action](request.POST)
    if form.is_valid():
        data, version = form.cleaned_data, version_of(request)
        try:
            if action == "route":
                services.route(request.user, found.pk, version, int(data["agency"]))
                done = _("Đã chuyển kiến nghị tới cơ quan có thẩm quyền.")
            elif action == "answer":
                services.answer(request.user, found.pk, version, data["answer"], data["public"])
                done = _("Đã gửi trả lời kiến nghị.")
            else:
                services.to_task(request.user, found.pk, version, data["due_on"], data["title"])
                done = _("Đã giao kiến nghị thành nhiệm vụ theo dõi.")
        except StaleEdit as exc:
            messages.warning(request, str(exc))
            return redirect("tasks:forum-recommendation", pk=found.pk)
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(request, done)
            return redirect("tasks:forum-recommendation", pk=found.pk)
    return _page(request, found, {action: form}, 422)
