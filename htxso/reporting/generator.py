"""Deterministic report history for demos and benchmarks: approved yearly reports of every
cooperative and union, the provinces' semi-annual summaries, and the registry's past
half-years reconstructed from its dated history.

Rows are streamed with COPY (`core.bulk`); the cube is built once from their contributions.
"""

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from htxso.core import stamps
from htxso.core.bulk import next_id, reset_sequences, write_rows
from htxso.core.models import Province
from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from . import cube, measures, statistics
from .models import FormVersion, IndicatorCell, Report, ReportForm, ReportStatus, Source
from .periods import Period, span
from .services import version_for

COLUMNS = (
    "id",
    "form_id",
    "form_version_id",
    "period",
    "organisation_id",
    "province_id",
    "status",
    "values",
    "flags",
    "comment",
    "contribution",
    "version",
    "submitted_at",
    "reviewed_at",
    "created_at",
    "updated_at",
)


@dataclass
class HistoryResult:
    reports: int = 0
    summaries: int = 0
    cells: int = 0


def _org_values(rng: random.Random, org: tuple, year: int, last: int) -> dict:
    _pk, kind, _province, _sector, _status, members_now, capital, high_tech, chain = org[:9]
    growth = 0.97 ** (last - year)
    members = max(5 if kind == "cooperative" else 3, round(members_now * growth))
    workers = max(1, round(members * rng.uniform(0.15, 0.5)))
    revenue = max(1, round(members * rng.uniform(15, 120) * growth))
    profit = round(revenue * rng.uniform(-0.02, 0.12))
    costs = revenue - profit
    values = {
        "members": members,
        "workers": workers,
        "member_workers": round(workers * rng.uniform(0.3, 0.9)),
        "revenue": revenue,
        "costs": costs,
        "profit": profit,
        "member_service_revenue": round(revenue * rng.uniform(0.2, 0.8)),
        "charter_capital": max(1, round((capital or 500_000_000) / 1_000_000 * growth)),
        "assets": round(revenue * rng.uniform(0.8, 2.0)),
        "avg_income": round(rng.uniform(2800, 7500) * (1.05 ** (year - last))),
        "high_tech": bool(high_tech),
        "value_chain": bool(chain),
    }
    if kind == "cooperative_union":
        values["member_cooperatives"] = max(3, members // 10)
    return values


def generate_history(
    years: int = 10,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda m: None,
) -> HistoryResult:
    """Replace all reports and the cube with `years` of approved history up to last year."""
    today = today or timezone.localdate()
    last = today.year - 1
    annual = ReportForm.objects.get(code="htx-annual")
    summary = ReportForm.objects.get(code="province-semiannual")
    specs = measures.indicators(Source.REPORT)
    result = HistoryResult()
    total: dict[cube.Key, int] = {}
    now = timezone.now()
    with transaction.atomic():
        Report.objects.all().delete()
        stamps.bump([cube.STAMP])
        IndicatorCell.objects.all().delete()
        first_id = next_id(Report)
        ids = iter(range(first_id, first_id + 10**9))

        def row(
            form: ReportForm,
            version: FormVersion,
            period: str,
            org_id: int | None,
            province: str,
            values: dict[str, Any],
            contribution: dict[str, Any],
        ) -> tuple[Any, ...]:
            return (
                next(ids),
                form.pk,
                version.pk,
                period,
                org_id,
                province,
                ReportStatus.APPROVED,
                json.dumps(values),
                "[]",
                "",
                json.dumps(contribution),
                1,
                now,
                now,
                now,
                now,
            )

        # Everything the rows need is read before the COPY starts: psycopg cannot run another
        # query on the connection while a COPY FROM STDIN is open (it would wait forever).
        orgs = list(
            Organisation.objects.filter(kind__in=annual.organisation_kinds)
            .order_by("pk")
            .values_list(
                "pk",
                "kind",
                "province_id",
                "sector",
                "status",
                "members_count",
                "charter_capital",
                "is_high_tech",
                "in_value_chain",
                "established_on",
                "status_since",
            )
        )
        years_ = [Period(year) for year in range(last - years + 1, last + 1)]
        halves = span(Period(last - years + 1, 1), Period(last, 2))
        annual_versions = {p: version_for(annual, p) for p in years_}
        summary_versions = {p: version_for(summary, p) for p in halves}
        provinces = list(Province.objects.values_list("code", flat=True))

        def annual_rows() -> Iterator[tuple]:
            closed = {str(s) for s in CLOSED_STATUSES}
            for period in years_:
                version, year = annual_versions[period], period.year
                for org in orgs:
                    established, since = org[9], org[10]
                    if established > period.end or (org[4] in closed and since < period.start):
                        continue
                    rng = random.Random(f"{seed}:{org[0]}:{year}")
                    values = _org_values(rng, org, year, last)
                    dims = {"kind": org[1], "sector": org[3], "status": org[4]}
                    got = measures.report_measures(annual.code, values, specs)
                    group = groups[(period.code, org[2], org[1], org[3], org[4])]
                    for code, value in got.items():
                        group[code] = group.get(code, 0) + value
                    result.reports += 1
                    yield row(
                        annual,
                        version,
                        period.code,
                        org[0],
                        org[2],
                        values,
                        {"area": org[2], "dims": dims, "measures": got},
                    )
                progress(f"  báo cáo năm {year}: {vn(result.reports)}")

        def summary_rows() -> Iterator[tuple]:
            for period in halves:
                version = summary_versions[period]
                for code in provinces:
                    rng = random.Random(f"{seed}:{code}:{period.code}")
                    classified = rng.randint(50, 400)
                    values = {
                        "new_cooperatives": rng.randint(5, 80),
                        "dissolved_cooperatives": rng.randint(0, 30),
                        "new_groups": rng.randint(10, 200),
                        "htx_classified": classified,
                        "htx_good_fair": round(classified * rng.uniform(0.3, 0.7)),
                        "support_budget": rng.randint(500, 20_000),
                        "trained": rng.randint(100, 5_000),
                    }
                    dims = {"kind": "_T", "sector": "_T", "status": "_T"}
                    got = measures.report_measures(summary.code, values, specs)
                    cube.add(total, cube.rollup(period.code, code, dims, got))
                    result.summaries += 1
                    yield row(
                        summary,
                        version,
                        period.code,
                        None,
                        code,
                        values,
                        {"area": code, "dims": dims, "measures": got},
                    )

        # Reports of one period, province, kind, sector and status are summed before they are
        # rolled up (a few thousand roll-ups instead of one per report: the same cells).
        groups: dict[tuple[str, str, str, str, str], dict[str, int]] = defaultdict(dict)
        write_rows(Report._meta.db_table, COLUMNS, annual_rows())
        for (code, area, kind, sector, status), sums in groups.items():
            dims = {"kind": kind, "sector": sector, "status": status}
            cube.add(total, cube.rollup(code, area, dims, sums))
        write_rows(Report._meta.db_table, COLUMNS, summary_rows())
        reset_sequences(Report)
        result.cells += cube.apply(total)
    progress(f"  {vn(result.reports)} báo cáo năm, {vn(result.summaries)} báo cáo tỉnh")
    for period in span(Period(last - years + 1, 1), Period.containing(today, "half")):
        with transaction.atomic():
            result.cells += statistics.rebuild_registry_period(period, today)
        progress(f"  sổ đăng ký kỳ {period.code}")
    return result
