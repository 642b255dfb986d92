"""New reports of a report file, many at once (`Batch`): the same outcome as
`services.open_report` → `save_values` → `submit` for each row, in a few queries per batch
instead of about two dozen per row (issue #17, item 7).

The batch decides only the plain case: no report yet for the organisation and period, the
organisation may report for the period, the caller may fill it in, the form's rules find no
error. It reads what the services read one row at a time — the member organisations counted
for the prefill, the previous period's approved report for the outliers — for the whole batch
in one query each, and writes the reports and their audit entries (create, update, submit:
the services' entries, before/after as `record` keeps them) in bulk. Every other row — a
report already there, a refusal, an error, and a batch the database or the scope check
refuses — goes through `RowRun.write`, the services one by one, which reports it as it always
has. Both ways give the same findings and the same reports (`tests/test_import_batch.py`).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from htxso.core.audit import changed, record_many, snapshot
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Membership, Organisation
from htxso.tabular.findings import Severity

from . import services
from .definitions import ERROR
from .models import Report, ReportStatus, Respondent

SIZE = 500  # rows per batch: a few queries each, memory bounded


@dataclass
class Pending:
    row: Any  # report_rows._Row
    organisation: Organisation
    key: str
    raw: dict[str, Any]
    values: dict[str, Any]
    report: Report | None = None  # set when the batch writes it
    prefilled: dict[str, Any] | None = None


class _OneByOne(Exception):
    """The batch cannot be written as a whole: every row goes through the services."""


class Batch:
    """The rows waiting to be written; `flush` writes them (see the module's docstring)."""

    def __init__(self, run: Any) -> None:
        self.run = run  # report_rows.RowRun
        self.rows: list[Pending] = []
        form, period = run.form, run.period
        # What open_report and submit check of the form and the period: the same for every
        # row, so a run that fails one goes one by one (the services word the refusal).
        self.plain = (
            form.is_active
            and form.respondent == Respondent.ORGANISATION
            and period.periodicity == form.periodicity
            and period.start <= run.today
            and period.end < timezone.localdate()
        )

    def add(self, pending: Pending) -> None:
        self.rows.append(pending)
        if len(self.rows) >= SIZE:
            self.flush()

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        written = self._write([p for p in rows if self._may_batch(p)]) if self.plain else []
        done = {id(p) for p in written}
        for p in rows:  # in file order: findings as the services' path adds them
            if id(p) in done:
                self._report(p)
            else:
                self.run.write(p.row, p.organisation, p.key, p.raw, p.values)

    # -- deciding --

    def _may_batch(self, p: Pending) -> bool:
        run, org = self.run, p.organisation
        if org.established_on > run.period.end:
            return False
        if org.status in CLOSED_STATUSES and org.status_since < run.period.start:
            return False
        return services._may_fill(run.actor, run.form, org, org.province_id)

    def _write(self, rows: list[Pending]) -> list[Pending]:
        """Write the rows the batch can decide; the ones written (the rest go one by one)."""
        if not rows:
            return []
        run = self.run
        ids = [p.organisation.pk for p in rows]
        taken = set(
            Report.objects.filter(
                form=run.form, period=run.period.code, organisation_id__in=ids
            ).values_list("organisation_id", flat=True)
        )
        rows = [p for p in rows if p.organisation.pk not in taken]
        if not rows:
            return []
        version = services.version_for(run.form, run.period)
        definition = services.definition_of(version)
        prefills = {f.prefill for f in definition.fields if f.prefill}
        member_orgs: dict[int, int] = {}
        if "member_organisations" in prefills:
            member_orgs = dict(
                Membership.objects.filter(
                    organisation_id__in=ids, member_organisation__isnull=False, left_on__isnull=True
                )
                .values("organisation_id")
                .annotate(n=Count("id"))
                .values_list("organisation_id", "n")
            )
        previous = dict(
            Report.objects.filter(
                form=run.form,
                period=run.period.previous().code,
                status=ReportStatus.APPROVED,
                organisation_id__in=ids,
            ).values_list("organisation_id", "values")
        )
        now = timezone.now()
        submitter = run.actor if getattr(run.actor, "pk", None) else None
        ready: list[Pending] = []
        for p in rows:
            org = p.organisation
            known = {
                "members_count": org.members_count,
                "member_organisations": member_orgs.get(org.pk, 0),
            }
            prefilled = {f.key: known[f.prefill] for f in definition.fields if f.prefill in known}
            values = {**prefilled, **p.values}
            found = definition.check(values, org.kind, previous.get(org.pk))
            if any(f["severity"] == ERROR for f in found):
                continue  # the services word the errors
            p.prefilled = prefilled
            p.report = Report(
                form=run.form,
                form_version=version,
                period=run.period.code,
                organisation=org,
                province_id=org.province_id,
                status=ReportStatus.SUBMITTED,
                values=values,
                flags=found,
                version=3 if values != prefilled else 2,
                submitted_at=now,
                submitted_by=submitter,
            )
            ready.append(p)
        if not ready:
            return []
        try:
            with transaction.atomic():
                reports = Report.objects.bulk_create([p.report for p in ready if p.report])
                if run.actor is not None:
                    mine = Report.objects.editable_by(run.actor).filter(
                        pk__in=[r.pk for r in reports]
                    )
                    if mine.count() != len(reports):
                        raise _OneByOne
                self._audit(ready, now)
        except (IntegrityError, _OneByOne):
            for p in ready:
                p.report = None
            return []
        return ready

    # -- writing --

    def _audit(self, ready: list[Pending], now: dt.datetime) -> None:
        """The entries open_report, save_values and submit record, for each report."""
        created, updated, submitted = [], [], []
        for p in ready:
            report = p.report
            assert report is not None and p.prefilled is not None
            final = snapshot(report)
            # As open_report left it (the snapshot's fields only: `version` is not one).
            draft = {
                "status": ReportStatus.DRAFT,
                "values": p.prefilled,
                "flags": [],
                "version": 1,
                "submitted_at": None,
                "submitted_by": None,
            }
            opened = {**final, **{k: v for k, v in draft.items() if k in final}}
            label = str(report)
            created.append((report.pk, label, None, opened))
            before = opened
            if report.values != p.prefilled:
                saved = {**opened, "values": report.values}
                if "version" in final:
                    saved["version"] = 2
                updated.append((report.pk, label, *changed(opened, saved)))
                before = saved
            submitted.append((report.pk, label, *changed(before, final)))
        label = Report._meta.label_lower
        actor = self.run.actor
        record_many(actor, "create", label, created)
        record_many(actor, "update", label, updated)
        record_many(actor, "submit", label, submitted)

    def _report(self, p: Pending) -> None:
        """Counts and warnings as `RowRun.write` gives them for a report it wrote."""
        run, report = self.run, p.report
        assert report is not None
        outcome = "created"
        run.result.counts[outcome] += 1
        run.result.counts["submitted"] += 1
        shown = p.row.cells.get(p.key, "")
        for flag in report.flags:
            name = flag.get("field", "")
            run.add(
                p.row,
                name if name in run.definition.by_key else p.key,
                report.values.get(name, shown) if name else shown,
                flag.get("vi", ""),
                Severity.WARNING,
            )
