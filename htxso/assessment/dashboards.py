"""Assessment dashboards, national or one province's: the grade distribution by year against
the target share of Tốt/Khá (from the `GradeTally` rows the approvals keep: a few dozen rows
whatever the number of organisations), the DX level distribution by pillar, the advisers'
caseload and overdue follow-ups. Live figures: national roles, a province's officer for their
province (the public sees the released "rated Tốt/Khá" figures on the statistics pages)."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from htxso.core.scoping import Action, Kind, Reach, reach
from htxso.core.units import province_name, province_names
from htxso.registry.choices import Classification as Grade

from . import maturity, services, stamps
from .models import (
    ActionStatus,
    AdviceAction,
    AdviserAssignment,
    DxTally,
    GradeTally,
    RuleSetKind,
)

GRADES = [g.value for g in Grade]


def grade_years(province: str | None) -> list[dict[str, Any]]:
    """Per year: the count of each grade and the share of Tốt/Khá among those graded."""
    rows = GradeTally.objects.all()
    if province:
        rows = rows.filter(province_id=province)
    counts = rows.values("year", "grade").annotate(n=Sum("count")).order_by("year")
    by_year: dict[int, Counter] = defaultdict(Counter)
    for row in counts:
        by_year[row["year"]][row["grade"]] += row["n"]
    out = []
    for year in sorted(by_year):
        c = by_year[year]
        total = sum(c.values())
        good = c["good"] + c["fair"]
        out.append(
            {
                "year": year,
                "counts": [c[g] for g in GRADES],
                "total": total,
                "share": round(good * 100 / total, 1) if total else None,
            }
        )
    return out


def dx_levels(province: str | None, year: int) -> dict[str, Any]:
    """The level distribution per pillar over the year's DX assessments (from the tallies)."""
    rule_set = services.rule_set_for(RuleSetKind.DX, year)
    d = rule_set.definition
    rows = DxTally.objects.filter(year=year)
    if province:
        rows = rows.filter(province_id=province)
    per: dict[str, Counter] = {p["code"]: Counter() for p in d["pillars"]}
    for row in rows.values("pillar", "level").annotate(n=Sum("count")):
        if row["pillar"] in per:
            per[row["pillar"]][row["level"]] += row["n"]
    first = d["pillars"][0]["code"]
    n = sum(per[first].values())  # every assessment counts once in each pillar
    levels = [lv["level"] for lv in d["levels"]]
    return {
        "count": n,
        "pillars": [p["name"] for p in d["pillars"]],
        "levels": [maturity.level_name(d, lv) for lv in levels],
        "matrix": [[per[p["code"]][lv] for p in d["pillars"]] for lv in levels],
    }


def caseload(province: str | None) -> list[dict[str, Any]]:
    """Per adviser: the organisations assigned, the plan actions overdue, visits due."""
    today = timezone.localdate()
    assignments = AdviserAssignment.objects.all()
    if province:
        assignments = assignments.filter(province_id=province)
    loads = (
        assignments.values(
            "adviser_id", "adviser__username", "adviser__first_name", "adviser__last_name"
        )
        .annotate(n=Count("id"))
        .order_by("-n", "adviser_id")[:100]
    )
    overdue_rows = (
        AdviceAction.objects.filter(
            Q(status__in=(ActionStatus.PLANNED, ActionStatus.DOING)),
            due_on__lt=today,
            organisation__adviser_assignments__adviser_id__in=[row["adviser_id"] for row in loads],
        )
        .values("organisation__adviser_assignments__adviser_id")
        .annotate(n=Count("id"))
    )
    overdue = {r["organisation__adviser_assignments__adviser_id"]: r["n"] for r in overdue_rows}
    return [
        {
            "name": f"{row['adviser__last_name']} {row['adviser__first_name']}".strip()
            or row["adviser__username"],
            "organisations": row["n"],
            "overdue": overdue.get(row["adviser_id"], 0),
        }
        for row in loads
    ]


def target_of() -> dict[str, Any]:
    rule_set = services.rule_set_for(RuleSetKind.CLASSIFICATION, timezone.localdate().year)
    return dict(rule_set.definition.get("target", {}))


CACHED = True  # bench/assessment.py turns it off for the baseline: the same page computed
CACHE_SECONDS = 3600


def _body(province: str | None, national: bool, year: int) -> str:
    """The dashboard's figures rendered (the part the cache keeps)."""
    data = {
        "grades": [str(Grade(g).label) for g in GRADES],
        "years": grade_years(province),
        "target": target_of(),
        "dx": dx_levels(province, year),
    }
    context = {
        "data": data,
        "province": province,
        "province_label": province_name(province) if province else _("Cả nước"),
        "provinces": province_names() if national else (),
        "caseload": caseload(province),
        "year": year,
    }
    return render_to_string("assessment/_dashboard.html", context)


def body(province: str | None, national: bool, today: dt.date) -> str:
    """The rendered figures, from the cache while no write they depend on was committed since
    (`stamps`), and the day and the language are the same."""
    if not CACHED:
        return _body(province, national, today.year)
    key = repr((province, national, today, get_language(), stamps.current(province)))
    name = "assessment:dash:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(name)
    if found is None:
        found = _body(province, national, today.year)
        cache.set(name, found, CACHE_SECONDS)
    return str(found)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    reaches = reach(user, Action.VIEW, Kind.CLASSIFICATION)
    national = Reach.ALL in reaches
    if national:
        province = request.GET.get("province") or None
        if province and province not in dict(province_names()):
            province = None
    elif Reach.PROVINCE in reaches and getattr(user, "province_id", None):
        province = getattr(user, "province_id", None)
    else:
        raise PermissionDenied(_("Bảng số liệu đánh giá dành cho cán bộ trung ương và cấp tỉnh."))
    html = body(province, national, timezone.localdate())
    return render(request, "assessment/dashboard.html", {"body": mark_safe(html)})
