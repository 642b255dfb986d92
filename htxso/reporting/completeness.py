"""Who has reported: expected / received / approved per province, and who is overdue.

Expected organisations come from the cube (organisations existing at the period's end, by
kind), received and approved from one GROUP BY over the period's reports.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from htxso.core.models import Province
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from .models import TOTAL, IndicatorCell, Report, ReportForm, ReportStatus, Respondent
from .periods import Period

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def _stock_period(period: Period) -> str:
    """The half-year whose end is the period's end (a year ends with its S2)."""
    return period.code if period.half else f"{period.year}S2"


def table(form: ReportForm, period: Period, provinces: list[str] | None = None) -> list[dict]:
    """One row per province (all, or the given ones)."""
    wanted = Province.objects.all()
    if provinces is not None:
        wanted = wanted.filter(code__in=provinces)
    expected: dict[str, int] = defaultdict(int)
    if form.respondent == Respondent.PROVINCE:
        for code in wanted.values_list("code", flat=True):
            expected[code] = 1
    else:
        cells = IndicatorCell.objects.filter(
            indicator="organisations",
            period=_stock_period(period),
            kind__in=form.organisation_kinds,
            sector=TOTAL,
            status=TOTAL,
        ).values_list("area", "value")
        for area, value in cells:
            expected[area] += value
    counts = (
        Report.objects.filter(form=form, period=period.code)
        .values("province_id")
        .annotate(
            received=Count("id", filter=Q(status__in=RECEIVED)),
            approved=Count("id", filter=Q(status=ReportStatus.APPROVED)),
            returned=Count("id", filter=Q(status=ReportStatus.RETURNED)),
        )
    )
    by_province = {row["province_id"]: row for row in counts}
    deadline = period.deadline(form.deadline_days)
    rows = []
    for province in wanted:
        got = by_province.get(province.code, {})
        exp = expected.get(province.code, 0)
        received = got.get("received", 0)
        rows.append(
            {
                "province": province,
                "expected": exp,
                "received": received,
                "approved": got.get("approved", 0),
                "returned": got.get("returned", 0),
                "rate": round(100 * received / exp, 1) if exp else None,
                "missing": max(exp - received, 0),
            }
        )
    for row in rows:
        row["overdue"] = timezone.localdate() > deadline and row["missing"] > 0
    return rows


def missing(form: ReportForm, period: Period, province: str) -> QuerySet[Organisation]:
    """Organisations of a province expected to report that have not (submitted or approved)."""
    done = Report.objects.filter(
        form=form, period=period.code, status__in=RECEIVED, organisation__isnull=False
    ).values("organisation_id")
    return (
        Organisation.objects.filter(
            province_id=province,
            kind__in=form.organisation_kinds,
            established_on__lte=period.end,
        )
        .exclude(status__in=CLOSED_STATUSES, status_since__lt=period.start)
        .exclude(pk__in=done)
        .order_by("name_key", "id")
    )


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    expected = sum(r["expected"] for r in rows)
    received = sum(r["received"] for r in rows)
    return {
        "expected": expected,
        "received": received,
        "approved": sum(r["approved"] for r in rows),
        "rate": round(100 * received / expected, 1) if expected else None,
        "overdue_provinces": sum(1 for r in rows if r["overdue"]),
    }
