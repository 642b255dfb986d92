"""Pages of the round's two later steps: the evidence of a self-scoring (add, remove, the
guarded download) and the province's results sent to the centre (the list of a year: a
province's officer sends theirs; central officers see every province and receive or return
them). Services write; a refusal says why in Vietnamese."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core.scoping import Action, Kind, Reach, may, reach
from htxso.core.units import province_names
from htxso.core.uploads import attachment
from htxso.core.versions import StaleEdit
from htxso.registry.choices import Classification as Grade

from . import evidence, rounds
from .models import Classification, ProvinceRound, RoundStatus
from .views import _run, _visible, version_of

GRADES = [g.value for g in Grade]

# -- evidence ------------------------------------------------------------------------------------


@require_POST
@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, version = request.user, version_of(request)
    upload = request.FILES.get("file")
    criterion = request.POST.get("criterion", "")

    def write(c: Classification) -> None:
        name = upload.name if upload is not None else ""
        evidence.attach(user, c.pk, version, criterion, upload, name or "")

    return _run(request, pk, write, _("Đã đính kèm minh chứng."))


@require_POST
@login_required
def evidence_remove(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    user, version = request.user, version_of(request)
    return _run(
        request,
        pk,
        lambda c: evidence.remove(user, c.pk, version, file),
        _("Đã gỡ tệp minh chứng."),
    )


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """A file of evidence, as an attachment (never inline), for whom sees the classification."""
    c = _visible(request, pk)
    stored = get_object_or_404(c.evidence, pk=file)
    return attachment(request.user, c, stored.file, stored.filename)


# -- the results sent to the centre --------------------------------------------------------------


def _year(raw: Any) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _cells(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(Grade(g).label), counts.get(g, 0)) for g in GRADES]


def _share(counts: dict[str, int]) -> float | None:
    graded = sum(counts.get(g, 0) for g in GRADES)
    good = counts.get("good", 0) + counts.get("fair", 0)
    return round(good * 100 / graded, 1) if graded else None


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """A year's results by province: as sent (national roles: every province) and, for a
    province's officer, their own round's figures as they stand with the sending."""
    user = request.user
    if not may(user, Action.VIEW, Kind.ROUND):
        raise PermissionDenied(_("Trang này dành cho cán bộ trung ương và cấp tỉnh."))
    year = _year(request.GET.get("year"))
    sent = {
        r.province_id: r
        for r in ProvinceRound.objects.visible_to(user).filter(year=year).order_by("province_id")
    }
    national = Reach.ALL in reach(user, Action.VIEW, Kind.ROUND)
    names = province_names() if national else []
    rows = [
        {
            "province": code,
            "name": name,
            "round": sent.get(code),
            "counts": sent[code].counts if code in sent else {},
            "cells": _cells(sent[code].counts if code in sent else {}),
            "share": _share(sent[code].counts) if code in sent else None,
        }
        for code, name in names
    ]
    own = getattr(user, "province_id", None)
    mine = None
    if not national and own:
        live = rounds.figures(own, year)
        mine = {
            "round": sent.get(own),
            "counts": live,
            "cells": _cells(live),
            "share": _share(live),
            "may_send": may(user, Action.CREATE, ProvinceRound(province_id=own, year=year)),
        }
    context = {
        "year": year,
        "rows": rows,
        "mine": mine,
        "due": rounds.due(year),
        "grades": [Grade(g).label for g in GRADES],
        "may_receive": may(user, Action.REVIEW, Kind.ROUND),
        "waiting": sum(1 for r in sent.values() if r.status == RoundStatus.SENT),
    }
    return render(request, "assessment/rounds.html", context)


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('assessment:rounds')}?year={year}")


@require_POST
@login_required
def round_send(request: HttpRequest) -> HttpResponse:
    province = request.POST.get("province") or getattr(request.user, "province_id", None) or ""
    year = _year(request.POST.get("year"))
    try:
        rounds.send(request.user, province, year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã gửi kết quả phân loại năm %(year)s lên trung ương.") % {"year": year}
        )
    return _back(year)


@require_POST
@login_required
def round_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A central officer receives the province's results, or returns them with a reason."""
    row = get_object_or_404(ProvinceRound.objects.visible_to(request.user), pk=pk)
    action, version = request.POST.get("action", ""), version_of(request)
    try:
        if action == "receive":
            rounds.receive(request.user, pk, version)
            done = _("Đã tiếp nhận kết quả phân loại của tỉnh.")
        elif action == "return":
            rounds.send_back(request.user, pk, version, request.POST.get("reason", ""))
            done = _("Đã trả lại kết quả cho tỉnh.")
        else:
            raise Http404
    except (StaleEdit, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except ObjectDoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, done)
    return _back(row.year)
