"""New reports written in batches (`report_batch`) come out as the services write them one by one:
for the same file, the same findings in the same order, counts, reports and audit entries —
with drafts, submitted reports, organisations that cannot report, rule errors and outliers
mixed in (they go one by one)."""

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from htxso.core.models import AuditEntry
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting import report_batch, report_import, report_rows, services
from htxso.reporting.models import Report

from .conftest import LAST_YEAR, TODAY, good_values
from .test_import import _fast, line, write_xlsx  # noqa: F401 (a fixture)

PERIOD = LAST_YEAR
TIMES = ("created_at", "updated_at", "submitted_at", "id")


def outcome(actor, annual, path, commit: bool, batched: bool, monkeypatch) -> tuple:
    """(findings, counts and flags, reports, audit entries) of one run, rolled back."""
    monkeypatch.setattr(report_rows, "BATCH", batched)
    monkeypatch.setattr(report_batch, "SIZE", 3)  # several batches in a small file
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        result = report_import.run(actor, annual, PERIOD, path, commit=commit)
        org_of = dict(Report.objects.values_list("id", "organisation_id"))
        reports = sorted(
            Report.objects.filter(period=PERIOD).values_list(
                "organisation_id",
                "status",
                "values",
                "flags",
                "version",
                "submitted_by_id",
                "form_version_id",
                "province_id",
            )
        )

        def plain(snap: dict | None) -> dict | None:
            return None if snap is None else {k: v for k, v in snap.items() if k not in TIMES}

        audit = sorted(
            (e.action, org_of.get(int(e.object_id)), plain(e.before), plain(e.after))
            for e in AuditEntry.objects.filter(id__gt=last, object_type="reporting.report")
        )
        transaction.set_rollback(True)
    findings = [
        (f.row, f.column, str(f.value), str(f.message), f.severity) for f in result.findings
    ]
    return findings, (result.rows, result.counts, result.committed), reports, audit


def test_batches_write_what_the_services_write(officer_19, annual, tmp_path, monkeypatch) -> None:
    orgs: list[Any] = [OrganisationFactory(province_id="19") for _ in range(6)]
    draft = services.open_report(officer_19, annual, PERIOD, organisation=orgs[1])
    services.save_values(officer_19, draft.pk, {"workers": "8", "assets": "3.000"})
    sent = services.open_report(officer_19, annual, PERIOD, organisation=orgs[2])
    services.save_values(officer_19, sent.pk, good_values())
    services.submit(officer_19, sent.pk)
    # An approved report of the year before: this year's figures are outliers (flags).
    before = str(TODAY.year - 2)
    old = services.open_report(None, annual, before, organisation=orgs[3])
    services.save_values(
        None,
        old.pk,
        good_values(revenue="100", costs="90", profit="10", member_service_revenue="50"),
    )
    services.submit(None, old.pk)
    services.approve(None, old.pk)
    late = OrganisationFactory(province_id="19", established_on=dt.date(TODAY.year, 1, 5))
    path = write_xlsx(
        tmp_path / "bao-cao.xlsx",
        annual,
        [
            line(orgs[0]),  # new
            {**line(orgs[1]), "assets": ""},  # a draft completed
            line(orgs[2]),  # already submitted: an error
            line(orgs[3], revenue="25.000", costs="20.000", profit="5.000"),  # outliers
            line(orgs[4], members=""),  # the registry's member count taken
            line(late),  # founded after the period: an error
            line(orgs[5]),
        ],
    )
    for commit in (False, True):
        one_by_one = outcome(officer_19, annual, path, commit, False, monkeypatch)
        batched = outcome(officer_19, annual, path, commit, True, monkeypatch)
        assert batched == one_by_one


def test_a_clean_file_in_batches(officer_19, annual, tmp_path, monkeypatch) -> None:
    orgs: list[Any] = [OrganisationFactory(province_id="19") for _ in range(7)]
    path = write_xlsx(
        tmp_path / "sach.xlsx",
        annual,
        [line(o) for o in orgs],
    )
    one_by_one = outcome(officer_19, annual, path, True, False, monkeypatch)
    batched = outcome(officer_19, annual, path, True, True, monkeypatch)
    assert batched == one_by_one
    assert batched[1] == (7, {"created": 7, "updated": 0, "unchanged": 0, "submitted": 7}, True)
    assert len(batched[3]) == 7 * 3  # create, update, submit for each


@pytest.mark.parametrize("actor", ["system", "other province"])
def test_who_may_import_is_unchanged(actor, officer_01, annual, tmp_path, monkeypatch) -> None:
    orgs: list[Any] = [OrganisationFactory(province_id="19") for _ in range(4)]
    path = write_xlsx(tmp_path / "a.xlsx", annual, [line(o) for o in orgs])
    who = None if actor == "system" else officer_01
    one_by_one = outcome(who, annual, path, True, False, monkeypatch)
    batched = outcome(who, annual, path, True, True, monkeypatch)
    assert batched == one_by_one
    assert batched[1][2] is (actor == "system")
