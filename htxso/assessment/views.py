"""Classification pages: the list (the province's queue), one organisation's classification of
a year (the manager scores it, the grade computed as they go; the province adjusts with a
reason, approves or returns), the approval of a whole round, and an organisation's page
(its classification history, its DX assessments, its advisers). Services write; a refusal
says why in Vietnamese (422, what was typed kept), a stale version asks to reload."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core.lists import build
from htxso.core.models import User
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, may
from htxso.core.uploads import megabytes
from htxso.core.versions import StaleEdit
from htxso.registry.choices import Classification as Grade
from htxso.registry.models import Organisation

from . import advice, evidence, services
from .filters import ClassificationFilter
from .lists import CLASSIFICATIONS
from .models import AdviserAssignment, Classification, DxAssessment


def version_of(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where the assessment starts for each role: the manager's own organisation, the adviser's
    assigned organisations, the officers' round and dashboard."""
    user = request.user
    if not (may(user, Action.VIEW, Kind.ADVICE) or may(user, Action.VIEW, Kind.CLASSIFICATION)):
        raise PermissionDenied(_("Trang này dành cho cán bộ, tư vấn viên và quản lý HTX."))
    assigned = (
        AdviserAssignment.objects.filter(adviser_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name_key", "id")[:200]
    )
    own = getattr(user, "organisation_id", None)
    mine = Organisation.objects.filter(pk=own).first() if own else None
    return render(request, "assessment/index.html", {"assigned": assigned, "mine": mine})


@require_GET
@login_required
def classification_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.VIEW, Kind.CLASSIFICATION):
        raise PermissionDenied(_("Bạn không xem được danh sách phân loại."))
    filters = ClassificationFilter(request.GET)
    rows = filters.filter(
        Classification.objects.visible_to(request.user).select_related("organisation")
    )
    listing = build(request, CLASSIFICATIONS, rows)
    context = {
        "filters": filters,
        "listing": listing,
        "may_review": may(request.user, Action.REVIEW, Kind.CLASSIFICATION),
        "may_rounds": may(request.user, Action.VIEW, Kind.ROUND),
        "year": timezone.localdate().year,
    }
    return render(request, "assessment/classifications.html", context, status=listing.status)


def _visible(request: HttpRequest, pk: int) -> Classification:
    return get_object_or_404(
        Classification.objects.visible_to(request.user).select_related("organisation", "rule_set"),
        pk=pk,
    )


def _page(
    request: HttpRequest, c: Classification, status: int = 200, errors: Any = None
) -> HttpResponse:
    d = c.rule_set.definition
    final = c.final_scores
    files = evidence.by_criterion(c)
    typed = request.POST if status == 422 else {}
    rows = [
        {
            "code": k["code"],
            "group": k.get("group", ""),
            "name": k["name"],
            "max": k["max"],
            "score": typed.get(k["code"], c.scores.get(k["code"], ""))
            if typed
            else c.scores.get(k["code"], ""),
            "final": final.get(k["code"]),
            "source": c.prefilled.get(k["code"], ""),
            "adjusted": c.adjustments.get(k["code"]),
            "errors": (errors or {}).get(k["code"], []),
            "evidence": files.get(k["code"], []),
        }
        for k in d["criteria"]
    ]
    context = {
        "c": c,
        "rows": rows,
        "grades": d["grades"],
        "grade_label": Grade(c.grade).label if c.grade else "",
        "exclusions": d.get("exclusions", []),
        "self_due": services.deadline(c.rule_set, c.year, "self_scoring"),
        "province_due": services.deadline(c.rule_set, c.year, "province"),
        "may_edit": may(request.user, Action.EDIT, c),
        "limits": {
            "mb": megabytes(settings.ASSESSMENT_MAX_FILE_BYTES),
            "n": settings.ASSESSMENT_FILES_PER_CRITERION,
        },
        "may_review": may(request.user, Action.REVIEW, c) and c.status == "submitted",
        "errors": (errors or {}).get("__all__", [])
        + [
            m
            for k, v in (errors or {}).items()
            if k in ("reason", "exclusion", "file", "criterion")
            for m in v
        ],
    }
    return render(request, "assessment/classification.html", context, status=status)


@require_GET
@login_required
def classification(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _visible(request, pk))


def _run(request: HttpRequest, pk: int, write: Callable[[Classification], Any], done: str) -> Any:
    c = _visible(request, pk)
    try:
        write(c)
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except ObjectDoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        c.refresh_from_db()
        return _page(request, c, 422, error_dict(exc))
    else:
        messages.success(request, done)
    return redirect("assessment:classification", pk)


@require_POST
@login_required
def classification_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's scores (and, with `submit`, sending them to the province)."""
    user, version = request.user, version_of(request)
    c = _visible(request, pk)
    codes = [k["code"] for k in c.rule_set.definition["criteria"]]
    scores = {code: request.POST.get(code, "").strip() for code in codes}
    exclusion = request.POST.get("exclusion", "")

    def write(c: Classification) -> None:
        saved = services.save_scores(user, c.pk, version, scores, exclusion)
        if request.POST.get("submit"):
            services.submit(user, c.pk, saved.version)

    done = _("Đã nộp bản tự chấm cho tỉnh.") if request.POST.get("submit") else _("Đã lưu điểm.")
    return _run(request, pk, write, done)


@require_POST
@login_required
def classification_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The province: adjust one criterion (with a reason), approve, or return (with a reason)."""
    user, version, post = request.user, version_of(request), request.POST
    action = post.get("action", "")
    steps: dict[str, tuple[Callable[[Classification], Any], str]] = {
        "adjust": (
            lambda c: services.adjust(
                user,
                c.pk,
                version,
                post.get("criterion", ""),
                post.get("points", "").strip(),
                post.get("reason", ""),
            ),
            _("Đã điều chỉnh điểm."),
        ),
        "approve": (lambda c: services.approve(user, c.pk, version), _("Đã duyệt xếp loại.")),
        "return": (
            lambda c: services.return_to_manager(user, c.pk, version, post.get("reason", "")),
            _("Đã trả lại cho HTX."),
        ),
    }
    if action not in steps:
        raise Http404
    write, done = steps[action]
    return _run(request, pk, write, done)


@require_POST
@login_required
def classification_start(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    try:
        c = services.start(request.user, organisation.pk, year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:organisation", organisation.pk)
    return redirect("assessment:classification", c.pk)


@require_POST
@login_required
def round_approve(request: HttpRequest) -> HttpResponse:
    """The province approves every submitted classification of its round of a year."""
    province = request.POST.get("province") or getattr(request.user, "province_id", None) or ""
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    n = services.approve_round(request.user, province, year)
    messages.success(request, _("Đã duyệt %(n)s bản phân loại.") % {"n": n})
    return redirect("assessment:classifications")


@require_GET
@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's assessments: classification by year, DX assessments, advisers."""
    org = get_object_or_404(Organisation, pk=pk)
    user = request.user
    classifications = list(
        Classification.objects.visible_to(user).filter(organisation_id=pk).order_by("-year")
    )
    assessments = list(
        DxAssessment.objects.visible_to(user).filter(organisation_id=pk).order_by("-assessed_on")
    )
    may_see = (
        classifications
        or assessments
        or advice.may_advise(user, pk, Action.VIEW)
        or may(user, Action.EDIT, Classification(organisation_id=pk, province_id=org.province_id))
    )
    if not may_see:
        raise Http404
    assigning = may(user, Action.CREATE, AdviserAssignment(province_id=org.province_id))
    context = {
        "org": org,
        "classifications": [
            {"c": c, "grade": Grade(c.grade).label if c.grade else ""} for c in classifications
        ],
        "assessments": assessments,
        "advisers": AdviserAssignment.objects.visible_to(user)
        .filter(organisation_id=pk)
        .select_related("adviser"),
        "assigning": assigning,
        "candidates": User.objects.filter(
            role=Role.ALLIANCE_ADVISER, province_id=org.province_id, is_active=True
        ).order_by("username")[:200]
        if assigning
        else [],
        "may_score": may(
            user, Action.EDIT, Classification(organisation_id=pk, province_id=org.province_id)
        ),
        "may_assess": advice.may_advise(user, pk),
        "year": timezone.localdate().year,
    }
    return render(request, "assessment/organisation.html", context)


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    try:
        adviser_id = int(request.POST.get("adviser", ""))
    except ValueError:
        adviser_id = 0
    try:
        advice.assign(request.user, org.pk, adviser_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã phân công tư vấn viên."))
    return redirect("assessment:organisation", org.pk)


@require_POST
@login_required
def unassign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = AdviserAssignment.objects.visible_to(request.user).get(pk=pk)
        advice.unassign(request.user, pk)
    except AdviserAssignment.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Đã thôi phân công tư vấn viên."))
    return redirect("assessment:organisation", row.organisation_id)
