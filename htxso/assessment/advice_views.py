"""DX pages: the questionnaire (on a tablet at the cooperative), the result (the level per
pillar as a radar, the overall level), the advice plan (edited by the adviser, agreed by the
manager), follow-up visits, and two assessments side by side."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from htxso.core.roles import Role
from htxso.core.scoping import Action, may, role_of
from htxso.core.values import parse_date
from htxso.core.versions import StaleEdit
from htxso.registry.models import Organisation

from . import advice, maturity, services
from .models import ActionStatus, DxAssessment, RuleSetKind
from .views import error_dict, version_of


def _date(value: str) -> dt.date | None:
    try:
        return parse_date(value) if value.strip() else None
    except (ValueError, ValidationError):
        raise ValidationError(_("Ngày không hợp lệ (dd/mm/yyyy).")) from None


@require_http_methods(["GET", "POST"])
@login_required
def dx_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not advice.may_advise(request.user, pk, Action.VIEW):
        raise Http404
    if not advice.may_advise(request.user, pk):
        raise PermissionDenied(_("Bạn không được đánh giá chuyển đổi số cho tổ chức này."))
    rule_set = services.rule_set_for(RuleSetKind.DX, dt.date.today().year)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        codes = [q["code"] for p in rule_set.definition["pillars"] for q in p["questions"]]
        answers = {code: request.POST.get(code, "") for code in codes}
        try:
            assessment = advice.assess(request.user, pk, answers)
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(
                request, _("Đã lưu đánh giá và lập kế hoạch tư vấn từ các khoảng trống.")
            )
            return redirect("assessment:dx", assessment.pk)
    d = rule_set.definition
    context = {
        "org": org,
        "rule_set": rule_set,
        "levels": range(d["question_max"] + 1),
        "pillars": [
            {
                "name": p["name"],
                "questions": [
                    {**q, "value": request.POST.get(q["code"], ""), "errors": errors.get(q["code"])}
                    for q in p["questions"]
                ],
            }
            for p in d["pillars"]
        ],
        "errors": errors,
    }
    return render(request, "assessment/dx_new.html", context, status=422 if errors else 200)


def _visible(request: HttpRequest, pk: int) -> DxAssessment:
    return get_object_or_404(
        DxAssessment.objects.visible_to(request.user).select_related("organisation", "rule_set"),
        pk=pk,
    )


def chart_data(a: DxAssessment) -> dict[str, Any]:
    d = a.rule_set.definition
    return {
        "pillars": [p["name"] for p in d["pillars"]],
        "max": len(d["levels"]) - 1,
        "series": [
            {
                "name": a.assessed_on.strftime("%d/%m/%Y"),
                "levels": [a.pillar_levels.get(p["code"], 0) for p in d["pillars"]],
            }
        ],
    }


@require_GET
@login_required
def dx(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request, pk)
    d = a.rule_set.definition
    names = {p["code"]: p["name"] for p in d["pillars"]}
    earlier = (
        DxAssessment.objects.visible_to(request.user)
        .filter(organisation_id=a.organisation_id)
        .exclude(pk=a.pk)
        .order_by("-assessed_on")
        .values_list("pk", "assessed_on")[:20]
    )
    context = {
        "a": a,
        "overall": maturity.level_name(d, a.overall_level),
        "pillars": [
            {
                "name": p["name"],
                "level": a.pillar_levels.get(p["code"], 0),
                "label": maturity.level_name(d, a.pillar_levels.get(p["code"], 0)),
            }
            for p in d["pillars"]
        ],
        "actions": [
            {"row": r, "pillar": names.get(r.pillar, r.pillar)}
            for r in a.actions.order_by("status", "due_on", "id")
        ],
        "pillar_choices": list(names.items()),
        "visits": a.visits.order_by("-visited_on"),
        "statuses": ActionStatus.choices,
        "may_edit": may(request.user, Action.EDIT, a),
        "may_agree": may(request.user, Action.EDIT, a)
        and role_of(request.user) in (Role.COOPERATIVE_MANAGER, Role.SYSTEM_ADMIN),
        "earlier": earlier,
        "chart": chart_data(a),
    }
    return render(request, "assessment/dx.html", context)


def _back(request: HttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    try:
        write()
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(m for v in error_dict(exc).values() for m in v))
    else:
        messages.success(request, done)
    return redirect("assessment:dx", pk)


@require_POST
@login_required
def dx_action(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    """Edit one action of the plan (text, priority, due date, status)."""
    a, post = _visible(request, pk), request.POST
    if not a.actions.filter(pk=action_id).exists():
        raise Http404

    def write() -> None:
        advice.update_action(
            request.user,
            action_id,
            version_of(request),
            text=post.get("text", ""),
            priority=post.get("priority", ""),
            due_on=_date(post.get("due_on", "")),
            status=post.get("status", ""),
        )

    return _back(request, a.pk, write, _("Đã cập nhật kế hoạch."))


@require_POST
@login_required
def dx_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    a, post = _visible(request, pk), request.POST

    def write() -> None:
        advice.add_action(
            request.user,
            a.pk,
            post.get("pillar", ""),
            post.get("text", ""),
            post.get("priority", ""),
            post.get("effort", ""),
        )

    return _back(request, a.pk, write, _("Đã thêm hành động vào kế hoạch."))


@require_POST
@login_required
def dx_agree(request: HttpRequest, pk: int) -> HttpResponse:
    a = _visible(request, pk)
    return _back(
        request,
        a.pk,
        lambda: advice.agree_plan(request.user, a.pk, version_of(request)),
        _("Đã thống nhất kế hoạch tư vấn."),
    )


@require_POST
@login_required
def dx_visit(request: HttpRequest, pk: int) -> HttpResponse:
    a, post = _visible(request, pk), request.POST

    def write() -> None:
        visited = _date(post.get("visited_on", ""))
        if visited is None:
            raise ValidationError({"visited_on": _("Hãy nhập ngày thăm.")})
        done = [int(v) for v in post.getlist("done") if v.isdigit()]
        advice.record_visit(
            request.user,
            a.pk,
            visited,
            post.get("notes", ""),
            _date(post.get("next_visit_on", "")),
            done,
        )

    return _back(request, a.pk, write, _("Đã ghi lần thăm."))


@require_GET
@login_required
def dx_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Two assessments of one organisation side by side (the earlier first)."""
    a, b = _visible(request, pk), _visible(request, other)
    if a.organisation_id != b.organisation_id:
        raise Http404
    first, second = sorted((a, b), key=lambda x: (x.assessed_on, x.pk))
    d = second.rule_set.definition
    rows = []
    for p in d["pillars"]:
        before = first.pillar_levels.get(p["code"])
        after = second.pillar_levels.get(p["code"], 0)
        rows.append(
            {
                "name": p["name"],
                "before": before,
                "after": after,
                "change": None if before is None else after - before,
            }
        )
    chart = chart_data(second)
    chart["series"].insert(
        0,
        {
            "name": first.assessed_on.strftime("%d/%m/%Y"),
            "levels": [first.pillar_levels.get(p["code"], 0) for p in d["pillars"]],
        },
    )
    done = second.actions.filter(status=ActionStatus.DONE).count()
    context = {
        "first": first,
        "second": second,
        "rows": rows,
        "chart": chart,
        "overall": (first.overall_level, second.overall_level),
        "done_first": first.actions.filter(status=ActionStatus.DONE).count(),
        "done": done,
    }
    return render(request, "assessment/dx_compare.html", context)
