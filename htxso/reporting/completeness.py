"""Who has reported: expected / received / approved per province, and who is overdue.

Expected are the organisations that must report for the period — the rule `open_report`
applies: of the form's kinds, established by the period's end, not dissolved or bankrupt before
it began (`expected_q`). Expected, received and the list of who is missing all read that one
rule, so received never exceeds expected: the page showed 573 / 567 (101,1 %) when expected came
from the cube's stock at the period's end, which leaves out an HTX dissolved during the year
that still reports for it. Each count is one GROUP BY over indexed columns.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from htxso.core.models import Province
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from .models import Report, ReportForm, ReportStatus, Respondent
from .periods import Period

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def expected_q(form: ReportForm, period: Period, prefix: str = "") -> Q:
    """The organisations (`prefix` "organisation__" from a report) expected to report."""
    return Q(
        **{f"{prefix}kind__in": form.organisation_kinds, f"{prefix}established_on__lte": period.end}
    ) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES, f"{prefix}status_since__lt": period.start})


def table(form: ReportForm, period: Period, provinces: list[str] | None = None) -> list[dict]:
    """One row per province (all, or the given ones)."""
    wanted = Province.objects.all()
    if provinces is not None:
        wanted = wanted.filter(code__in=provinces)
    expected: dict[str, int] = defaultdict(int)
    reports = Report.objects.filter(form=form, period=period.code)
    if form.respondent == Respondent.PROVINCE:
        for code in wanted.values_list("code", flat=True):
            expected[code] = 1
    else:
        organisations = Organisation.objects.filter(expected_q(form, period))
        reports = reports.filter(expected_q(form, period, "organisation__"))
        if provinces is not None:
            organisations = organisations.filter(province_id__in=provinces)
        for area, value in (
            organisations.order_by().values_list("province_id").annotate(n=Count("id"))
        ):
            expected[area] += value
    counts = (
        reports.order_by()
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
        Organisation.objects.filter(expected_q(form, period), province_id=province)
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
