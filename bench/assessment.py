"""The classification round at province scale, on PostgreSQL: approving a province's whole
round, how soon the figures show it, and the national grade dashboard.

Dataset: the `province` registry (`harness.ensure_dataset`), the reporting reference data, five
past years of approved rounds for every organisation of the province (bulk, with the grade
tallies, as `assessment.demo` writes them) and `--dx` DX assessments of this year.

Measured (in-process, interleaved rounds, medians; the machine is shared):
  - approve: `services.approve_round` over `--round` submitted classifications of one province
    (one transaction: statuses, the registry's classification, the tallies, the audit, the
    cube's running half-year) against the baseline of the same work one classification at a
    time (`services.approve`, timed on `--sample` of them, per classification); ratio.
  - freshness: from the commit of a round's approval to the first read of the national grade
    dashboard's figures and of the cube's "rated Tốt/Khá" cell showing it (both are written in
    the approval's transaction: the read after commit is the delay). Goal ≤ 1 s.
  - dashboard: GET /assessment/dashboard/ (national, a central officer, warm) through Django's
    test client (`--requests`), p50/p95, and its grade figures from the tallies against the
    same figures counted from the classifications (`GROUP BY year, grade`), ratio. Goal p95
    ≤ 100 ms warm.

    .venv/bin/python bench/assessment.py [--database-url URL] [--round 3000] [--rounds 3]

The full scale of the issue (national-2030, 5 years of rounds: about 1M classifications) is
`--scale national-2030`; the dashboard reads only the tallies (≤ 34 × years × 4 rows) and the
year's DX assessments, so its cost does not grow with the classifications.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

PROVINCE = "19"


def _past_rounds(year: int) -> int:
    from htxso.assessment import demo
    from htxso.assessment.models import Classification
    from htxso.registry.models import Organisation

    if Classification.objects.exists():
        return Classification.objects.count()
    organisations = list(
        Organisation.objects.exclude(status__in=("dissolved", "bankrupt"))
        .order_by("id")
        .values_list("pk", "province_id", "established_on")
    )
    return demo._history(random.Random(1), organisations, year)


def _dx(n: int, year: int) -> None:
    """`n` DX assessments of this year (bulk) and their tallies (as `advice.assess` keeps)."""
    from collections import Counter

    from htxso.assessment import services
    from htxso.assessment.models import DxAssessment, DxTally
    from htxso.registry.models import Organisation

    have = DxAssessment.objects.filter(assessed_on__year=year).count()
    if have < n:
        rule_set = services.rule_set_for("dx", year)
        pillars = [p["code"] for p in rule_set.definition["pillars"]]
        orgs = Organisation.objects.order_by("id").values_list("pk", "province_id")[: n - have]
        rng = random.Random(2)
        DxAssessment.objects.bulk_create(
            (
                DxAssessment(
                    organisation_id=pk,
                    province_id=province,
                    rule_set=rule_set,
                    assessed_on=dt.date(year, 1 + i % 11, 1 + i % 27),
                    answers={},
                    pillar_levels={p: rng.randint(0, 5) for p in pillars},
                    overall_level=rng.randint(0, 4),
                )
                for i, (pk, province) in enumerate(orgs)
            ),
            batch_size=5000,
        )
    if DxTally.objects.filter(year=year).exists():
        return
    from htxso.assessment import stamps

    tallies: Counter = Counter()
    rows = DxAssessment.objects.filter(assessed_on__year=year).values_list(
        "province_id", "pillar_levels"
    )
    for province, levels in rows.iterator(chunk_size=5000):
        for pillar, level in levels.items():
            tallies[(province, pillar, level)] += 1
    DxTally.objects.bulk_create(
        DxTally(year=year, province_id=p, pillar=q, level=lv, count=c)
        for (p, q, lv), c in tallies.items()
    )
    stamps.bump({p for p, _q, _lv in tallies})


def _submitted_round(size: int, year: int) -> list[int]:
    """`size` submitted classifications of the province's organisations for `year` (bulk: the
    self-scoring is not what is measured)."""
    from htxso.assessment import rules, services
    from htxso.assessment.models import Classification, ClassificationStatus
    from htxso.registry.models import Organisation

    rule_set = services.rule_set_for("classification", year)
    d = rule_set.definition
    taken = Classification.objects.filter(year=year).values("organisation_id")
    orgs = list(
        Organisation.objects.filter(province_id=PROVINCE)
        .exclude(status__in=("dissolved", "bankrupt"))
        .exclude(pk__in=taken)
        .order_by("kind", "id")  # cooperatives first
        .values_list("pk", flat=True)[:size]
    )
    rng = random.Random(year)
    rows = []
    for pk in orgs:
        scores = {k["code"]: rng.randint(0, k["max"]) for k in d["criteria"]}
        total = sum(scores.values())
        rows.append(
            Classification(
                organisation_id=pk,
                province_id=PROVINCE,
                year=year,
                rule_set=rule_set,
                status=ClassificationStatus.SUBMITTED,
                scores=scores,
                total=total,
                grade=rules.grade_of(d, total),
            )
        )
    Classification.objects.bulk_create(rows, batch_size=5000)
    return [r.pk for r in rows]


def _good_fair(period: str) -> int:
    from htxso.reporting.models import IndicatorCell

    return sum(
        IndicatorCell.objects.filter(
            indicator="good_fair", period=period, area="VN", kind="_T", sector="_T", status="_T"
        ).values_list("value", flat=True)
    )


def _base_grades() -> list[tuple[int, str, int]]:
    """The dashboard's grade figures counted from the classifications (what the tallies
    spare)."""
    from django.db.models import Count

    from htxso.assessment.models import Classification

    return list(
        Classification.objects.filter(status="approved")
        .values_list("year", "grade")
        .annotate(n=Count("id"))
        .order_by("year", "grade")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=harness.DEFAULT_URL.replace("bench", "assess_bench")
    )
    parser.add_argument("--scale", default="province")
    parser.add_argument("--round", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--dx", type=int, default=20000)
    args = parser.parse_args()

    dataset = harness.ensure_dataset(args.database_url, args.scale, 1)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from htxso.assessment import dashboards, services, stamps
    from htxso.core.models import User
    from htxso.core.roles import Role
    from htxso.reporting.statistics import refresh_registry, running_period

    setup_test_environment()
    call_command("load_reporting", verbosity=0)
    today = dt.date.today()
    started = time.monotonic()
    past = _past_rounds(today.year)
    _dx(args.dx, today.year)
    refresh_registry(None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"dataset ready: {past} past classifications ({time.monotonic() - started:.0f} s)")
    officer, _ = User.objects.get_or_create(
        username="bench-can-bo-19",
        defaults={"role": Role.PROVINCIAL_OFFICER, "province_id": PROVINCE},
    )
    central, _ = User.objects.get_or_create(
        username="bench-trung-uong", defaults={"role": Role.CENTRAL_OFFICER}
    )
    period = running_period().code
    bulk_ms, one_ms, fresh_s, page_fresh_s, sizes = [], [], [], [], []
    client = Client()
    client.force_login(central)

    def page_years() -> Any:
        html = client.get("/assessment/dashboard/").content.decode()
        start = html.index('id="assessment-data"')
        data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
        return data["years"]

    # Each round approves this year's round, then is undone (the registry's grades put back,
    # the year's tallies and classifications removed) so the next round starts the same.
    from htxso.assessment.models import Classification, GradeTally
    from htxso.registry import services as registry
    from htxso.registry.models import Organisation

    year = today.year
    for r in range(args.rounds):
        ids = _submitted_round(args.round, year)
        sample = _submitted_round(args.sample, year)
        touched = Classification.objects.filter(year=year).values("organisation_id")
        previous = dict(
            Organisation.objects.filter(pk__in=touched).values_list("pk", "classification")
        )
        t0 = time.perf_counter()
        for pk in sample:
            services.approve(officer, pk, 1)
        one_ms.append((time.perf_counter() - t0) * 1000 / len(sample))
        before = (dashboards.grade_years(None), _good_fair(period))
        page_before = page_years()  # and cached
        t0 = time.perf_counter()
        with transaction.atomic():
            n = services.approve_round(officer, PROVINCE, year)
        committed = time.perf_counter()
        bulk_ms.append((committed - t0) * 1000 / max(n, 1))
        sizes.append(n)
        seen = dashboards.grade_years(None)
        cube = _good_fair(period)
        fresh_s.append(time.perf_counter() - committed)
        t1 = time.perf_counter()
        page_now = page_years()
        page_fresh_s.append(time.perf_counter() - committed)
        assert page_now != page_before and page_now == seen, "the dashboard page did not move"
        print(f"page shows the round {time.perf_counter() - t1:.3f} s after asking")
        assert seen != before[0], "the grade dashboard did not move"
        assert n == len(ids) and cube != before[1]
        print(
            f"round {r + 1}: {n} approved in {bulk_ms[-1] * n / 1000:.2f} s; "
            f"cube {before[1]}→{cube}"
        )
        with transaction.atomic():
            Classification.objects.filter(year=year).delete()
            GradeTally.objects.filter(year=year).delete()
            registry.set_classifications(None, previous)
            stamps.bump([PROVINCE])
    for _ in range(10):  # warm: both paths
        client.get("/assessment/dashboard/")
        dashboards.CACHED = False
        client.get("/assessment/dashboard/")
        dashboards.CACHED = True
    page_s: list[float] = []
    fresh_page_s: list[float] = []
    tally_s: list[float] = []
    base_s: list[float] = []
    for i in range(args.requests):
        # Interleaved: the page as served (cached until a write) and the same page computed.
        for cached in (True, False) if i % 2 else (False, True):
            dashboards.CACHED = cached
            t0 = time.perf_counter()
            response = client.get("/assessment/dashboard/")
            (page_s if cached else fresh_page_s).append(time.perf_counter() - t0)
            assert response.status_code == 200
        dashboards.CACHED = True
        t0 = time.perf_counter()
        dashboards.grade_years(None)
        tally_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _base_grades()
        base_s.append(time.perf_counter() - t0)
    tally, base = statistics.median(tally_s), statistics.median(base_s)
    payload: dict[str, Any] = {
        "dataset": {**dataset, "past_classifications": past, "dx_this_year": args.dx},
        "round_size": sizes,
        "approve_round_ms_per_classification": {
            "median": round(statistics.median(bulk_ms), 3),
            "runs": [round(v, 3) for v in bulk_ms],
        },
        "approve_one_by_one_ms_per_classification": {
            "median": round(statistics.median(one_ms), 3),
            "runs": [round(v, 3) for v in one_ms],
        },
        "ratio_one_by_one_over_round": round(
            statistics.median(one_ms) / statistics.median(bulk_ms), 1
        ),
        "approval_visible_after_commit_s": {
            "median": round(statistics.median(fresh_s), 4),
            "max": round(max(fresh_s), 4),
            "goal_s": 1,
        },
        "page_visible_after_commit_s": {
            "median": round(statistics.median(page_fresh_s), 4),
            "max": round(max(page_fresh_s), 4),
            "goal_s": 1,
        },
        "dashboard_http_in_process": {**harness.summary_ms(page_s), "goal_p95_ms": 100},
        "dashboard_computed_every_time": harness.summary_ms(fresh_page_s),
        "ratio_computed_over_cached_p95": round(
            harness.summary_ms(fresh_page_s)["p95_ms"] / harness.summary_ms(page_s)["p95_ms"], 1
        ),
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "grade_figures_ms": {
            "tallies_p50": round(tally * 1000, 3),
            "from_classifications_p50": round(base * 1000, 3),
            "ratio_base_over_tallies": round(base / tally, 1),
        },
        "note": (
            f"Scale {args.scale}; the round's organisations are province {PROVINCE}'s first by "
            "kind (cooperatives first, then others standing in for HTX when the province has "
            "fewer). The dashboard as served is cached until a write it depends on (stamps); "
            "'computed every time' is the same page with the cache off, interleaved."
        ),
    }
    print(harness.write_result("assessment", payload))
    print(payload)


if __name__ == "__main__":
    main()
