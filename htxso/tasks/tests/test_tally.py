"""The tally (`tally.py`) gives exactly the scan's counts: after random writes through the
services (new tasks one-off and recurring, reports, acceptances, returns), on many days around
the deadlines (the status moves with the date), for the whole follow-up, one agency and a
province's focal point; `rebuild()` gives the same rows the services kept; a failed write
leaves the tally as it was."""

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from htxso.tasks import dashboards, services, tally
from htxso.tasks.models import Agency, ProgressReport, ReportState, Tally, Task

from .conftest import one_off, recurring

START = dt.date(2026, 11, 2)


def _compare(user: Any, days: list[dt.date], agency: Agency | None = None) -> None:
    tasks = Task.objects.all() if user is None else Task.objects.visible_to(user)
    rows = Tally.objects.all() if user is None else Tally.objects.visible_to(user)
    if agency is not None:
        tasks, rows = tasks.filter(assignee=agency), rows.filter(assignee=agency)
    for day in days:
        assert tally.overall(rows, day) == dashboards.overall(tasks, day), day
        assert tally.by_agency(rows, day) == dashboards.by_agency(tasks, day), day


def _rows() -> set[tuple[Any, ...]]:
    found = Tally.objects.filter(n__gt=0).values_list(
        "assignee_id", "province_id", "due", "warn_from", "done", "reported", "n"
    )
    return set(found)


@pytest.mark.django_db
def test_tally_equals_the_scan_after_random_writes_and_across_days(
    agencies: dict[str, Agency], directive: Any, secretariat: Any, province_19: Any
) -> None:
    rng = random.Random(23)
    chosen = [
        *[agencies[c] for c in sorted(agencies)][:6],
        agencies["bo-tc"],
        *[a for a in agencies.values() if a.province_id == "19"],
    ]
    for i in range(60):
        agency = rng.choice(chosen)
        if i % 5 == 0:
            recurring(
                directive, agency, rng.choice(["monthly", "quarterly"]), START, dt.date(2027, 6, 30)
            )
        else:
            one_off(directive, agency, START + dt.timedelta(days=rng.randrange(-40, 120)))
    for _ in range(150):
        task = rng.choice(list(Task.objects.filter(completed_on__isnull=True)))
        waiting = task.reports.filter(state=ReportState.SUBMITTED).first()
        if waiting is None:
            day = START + dt.timedelta(days=rng.randrange(-10, 140))
            percent = rng.choice([30, 60, 100])
            services.report_progress(
                None, task.pk, task.version, "Báo cáo", percent, on=day, author=secretariat
            )
        else:
            services.review_report(
                None, waiting.pk, waiting.version, rng.random() < 0.7, note="Bổ sung số liệu"
            )
    assert Task.objects.filter(completed_on__isnull=False).exists()
    days = [START + dt.timedelta(days=d) for d in range(-60, 200, 3)]
    _compare(None, days)
    _compare(province_19, days[::4])
    _compare(None, days[::4], agency=chosen[0])
    kept = _rows()
    tally.rebuild()
    assert _rows() == kept


@pytest.mark.django_db
def test_a_refused_write_leaves_the_tally_as_it_was(
    agencies: dict[str, Agency], directive: Any, province_19: Any
) -> None:
    thai_nguyen = next(a for a in agencies.values() if a.province_id == "19")
    task = one_off(directive, thai_nguyen, dt.date(2027, 1, 15))
    before = _rows()
    with pytest.raises(ValidationError):
        services.report_progress(province_19, task.pk, task.version, "", 50)
    with pytest.raises(ValidationError):
        services.create_task(None, directive.pk, "", thai_nguyen.pk)
    assert _rows() == before
    report = services.report_progress(province_19, task.pk, task.version, "Xong", 100)
    assert ProgressReport.objects.filter(pk=report.pk).exists()
    assert _rows() != before  # reported: the task moved to the "reported" row
