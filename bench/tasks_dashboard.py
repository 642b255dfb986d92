"""The steering committee's dashboards with 100,000 tasks and 1,000,000 progress reports, on
PostgreSQL (issue 23, item 9: p95 ≤ 100 ms).

Dataset (own database, generated once, marker row): the 34 provinces and the ministries as
agencies, `--tasks` tasks over `--tasks / 100` directives (one-off deadlines spread over three
years around today, a tenth recurring; a third completed, on time or late; most reported), and
`--reports` progress reports (1 % waiting for the secretariat), written set-wise in SQL
(`generate_series`), then the tally rebuilt (`tally.rebuild()`) and ANALYZE. A database made
before migration 0004 gets its tally from the migration: no need to regenerate.

Measured, in process through Django's test client (middleware, the view's queries, the
template), interleaved, `--rounds` × each page (the counts by status and by agency come from
`Tally` rows the services keep, `tasks/tally.py`; the rest is cached until the next write,
`tasks/dashboards.py`; the "after a write" cases touch a task first, so they pay that):
  - before / after in the same run: the counts by a scan of the tasks (before) and by the
    tally (after), for every task, by agency and for a province;
  - the secretariat's dashboard (all tasks; filtered by status "overdue"; by one agency; with
    reports waiting), the scorecard, a province's dashboard, the public page, the API's list;
  - the baseline in the same run: `SELECT count(*)` over the tasks (what any dashboard over
    every task must at least pay); each page's p50 as a ratio of it.

    .venv/bin/python bench/tasks_dashboard.py [--database-url URL] [--tasks 100000]
        [--reports 1000000] [--rounds 30]
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/htxso_bench_tasks"
MARKER = "BENCH2/%s-%s"


def generate(tasks: int, reports: int) -> float:
    """The dataset, unless the marker directive says it is there; returns seconds spent."""
    from django.core.management import call_command
    from django.db import connection

    from htxso.core.units import load_units
    from htxso.tasks.models import Directive
    from htxso.tasks.reference import ensure_agencies

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    marker = MARKER % (tasks, reports)
    if Directive.objects.filter(number=marker).exists():
        return 0.0
    load_units()
    ensure_agencies()
    users()
    directives = max(1, tasks // 100)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tasks_progressreport, tasks_reminder, tasks_task_coordinating,"
            " tasks_task, tasks_directive RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            """INSERT INTO tasks_directive (number, issued_on, issuer, subject, public, file,
                   filename, version, created_at, updated_at)
               SELECT 'BENCH-' || g || '/VPCP', current_date - (g %% 1000), 'Văn phòng Chính phủ',
                      'Văn bản đo hiệu năng ' || g, g %% 5 <> 0, '', '', 1, now(), now()
               FROM generate_series(1, %s) g""",
            [directives],
        )
        cursor.execute(
            "SELECT array_agg(id ORDER BY id), array_agg(province_id ORDER BY id) FROM tasks_agency"
        )
        ids, provinces = cursor.fetchone()
        cursor.execute(
            """INSERT INTO tasks_task (directive_id, title, assignee_id, lead_id, recurrence,
                   due_on, starts_on, ends_on, report_day, expected_output, indicator_codes,
                   province_id, period_start, effective_due_on, warn_from, percent_done,
                   last_reported_on, completed_on, awaiting_review, version, created_at,
                   updated_at)
               SELECT 1 + (g %% %s), 'Nhiệm vụ đo hiệu năng số ' || g, a.id, NULL,
                      CASE WHEN g %% 10 = 0 THEN 'monthly' ELSE 'once' END,
                      d.due, NULL, NULL, 5, '', '', a.province_id, NULL, d.due, d.due - 7,
                      CASE WHEN g %% 4 = 0 THEN NULL ELSE (g * 7) %% 101 END,
                      CASE WHEN g %% 4 = 0 THEN NULL ELSE d.due - 20 END,
                      CASE WHEN g %% 3 = 0 THEN d.due + ((g %% 7) - 4) ELSE NULL END,
                      g %% 100 = 1, 1, now(), now()
               FROM generate_series(1, %s) g
               CROSS JOIN LATERAL (SELECT current_date + ((g * 37) %% 1095) - 730 AS due) d
               JOIN (SELECT id, province_id, row_number() OVER (ORDER BY id) - 1 AS n
                     FROM tasks_agency) a ON a.n = g %% %s""",
            [directives, tasks, len(ids)],
        )
        cursor.execute(
            """INSERT INTO tasks_progressreport (task_id, period_start, text, percent, file,
                   filename, author_id, submitted_on, submitted_at, state, reviewer_id,
                   reviewed_at, review_note, version)
               SELECT 1 + (g %% %s), NULL, 'Báo cáo tiến độ đo hiệu năng', g %% 101, '', '',
                      (SELECT min(id) FROM core_user), current_date - (g %% 700), now(),
                      CASE WHEN g %% 100 = 0 THEN 'submitted' ELSE 'accepted' END,
                      NULL, NULL, '', 1
               FROM generate_series(1, %s) g""",
            [tasks, reports],
        )
        cursor.execute(
            "INSERT INTO tasks_directive (number, issued_on, issuer, subject, public, file,"
            " filename, version, created_at, updated_at) VALUES (%s, current_date, 'bench',"
            " 'marker', false, '', '', 1, now(), now())",
            [marker],
        )
    from htxso.tasks import tally

    tally.rebuild()  # the rows were written in SQL, not through the services
    with connection.cursor() as cursor:  # outside a transaction: the visibility map too
        cursor.execute("VACUUM ANALYZE tasks_tally")
        cursor.execute("VACUUM ANALYZE tasks_task")
        cursor.execute("VACUUM ANALYZE tasks_progressreport")
        cursor.execute("VACUUM ANALYZE tasks_directive")
    del provinces
    return time.monotonic() - started


def users() -> tuple[Any, Any]:
    from htxso.core.models import User
    from htxso.core.roles import Role

    central, _ = User.objects.get_or_create(
        username="bench-secretariat", defaults={"role": Role.CENTRAL_OFFICER}
    )
    province, _ = User.objects.get_or_create(
        username="bench-focal-19", defaults={"role": Role.PROVINCIAL_OFFICER, "province_id": "19"}
    )
    return central, province


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    harness.ensure_database(args.database_url)
    harness.setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    seconds = generate(args.tasks, args.reports)
    central, province = users()
    secretariat, focal = Client(), Client()
    secretariat.force_login(central)
    focal.force_login(province)
    anonymous = Client()
    from htxso.tasks.models import Agency

    agency = Agency.objects.get(province_id="19").code

    def count() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tasks_task")
            cursor.fetchone()

    def get(client: Any, path: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    from django.utils import timezone

    from htxso.tasks.models import Task

    def after_a_write(client: Any, path: str) -> Callable[[], None]:
        """The page right after a write (its figures' cache no longer applies)."""
        page = get(client, path)

        def run() -> None:
            Task.objects.filter(pk=1).update(updated_at=timezone.now())
            page()

        return run

    from htxso.tasks import dashboards, services, tally
    from htxso.tasks.models import Tally

    on = services.today()

    def counts(compute: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            compute()

        return run

    cases: dict[str, Callable[[], None]] = {
        "baseline: SELECT count(*) FROM tasks_task": count,
        # Before/after of item 9 in the same run: what a dashboard pays right after a write.
        "counts by scan (before): all": counts(lambda: dashboards.overall(Task.objects.all(), on)),
        "counts by tally (after): all": counts(lambda: tally.overall(Tally.objects.all(), on)),
        "by agency by scan (before)": counts(lambda: dashboards.by_agency(Task.objects.all(), on)),
        "by agency by tally (after)": counts(lambda: tally.by_agency(Tally.objects.all(), on)),
        "counts by scan (before): province 19": counts(
            lambda: dashboards.overall(Task.objects.visible_to(province), on)
        ),
        "counts by tally (after): province 19": counts(
            lambda: tally.overall(Tally.objects.visible_to(province), on)
        ),
        "dashboard (secretariat, all)": get(secretariat, "/tasks/"),
        "dashboard right after a write (cold)": after_a_write(secretariat, "/tasks/"),
        "scorecard right after a write (cold)": after_a_write(secretariat, "/tasks/scorecard/"),
        "dashboard ?status=overdue": get(secretariat, "/tasks/?status=overdue"),
        "dashboard ?agency=<Thái Nguyên>": get(secretariat, f"/tasks/?agency={agency}"),
        "dashboard ?waiting=on": get(secretariat, "/tasks/?waiting=on"),
        "scorecard": get(secretariat, "/tasks/scorecard/"),
        "dashboard (province 19)": get(focal, "/tasks/"),
        "public directives": get(anonymous, "/tasks/public/"),
        "API GET /api/v1/tasks?status=at_risk": get(secretariat, "/api/v1/tasks?status=at_risk"),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    cold = [name for name in cases if "after a write" in name]
    for run in cases.values():  # warm
        run()
    # Two phases: the pages between writes (figures cached), then right after a write each
    # (a write invalidates every cached figure, so the phases must not interleave).
    for phase in (
        [n for n in cases if n not in cold],
        ["baseline: SELECT count(*) FROM tasks_task", *cold],
    ):
        for _ in range(args.rounds):
            for name in phase:
                started = time.perf_counter()
                cases[name]()
                timings[name].append(time.perf_counter() - started)
    baseline = statistics.median(timings["baseline: SELECT count(*) FROM tasks_task"])
    results = {}
    for name, values in timings.items():
        summary = harness.summary_ms(values)
        summary["p50_vs_baseline"] = round(statistics.median(values) / baseline, 1)
        summary["goal_p95_ms"] = 100
        results[name] = summary
        print(
            f"{name:<42} p50 {summary['p50_ms']:>8} ms  p95 {summary['p95_ms']:>8} ms"
            f"  ×{summary['p50_vs_baseline']}"
        )
    path = harness.write_result(
        "tasks_dashboard",
        {
            "scale": {"tasks": args.tasks, "progress_reports": args.reports},
            "generated_seconds": round(seconds, 1),
            "rounds": args.rounds,
            "measured": "in process, Django test client (middleware, queries, template)",
            "results": results,
        },
    )
    print(f"→ {path}")


if __name__ == "__main__":
    main()
