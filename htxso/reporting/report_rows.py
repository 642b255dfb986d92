"""The rows of a report file, each through the report's one write path (`services.open_report`
→ `save_values` → `submit`) in a savepoint; what a run found is its `Result`."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.mst import normalise_tax_code
from htxso.registry.models import Organisation
from htxso.tabular.columns import Column, code_digits
from htxso.tabular.findings import ROW_LEVEL, Finding, Findings, Severity, error_messages

from . import services
from .models import FormVersion, Report, ReportForm, ReportStatus
from .periods import Period
from .report_batch import Batch, Pending
from .report_template import EXAMPLE_TAX_CODE, ORG_ID, TAX_CODE, layout_for

# New reports are written in batches (`report_batch`); tests turn it off to hold both ways equal.
BATCH = True

COUNTS = ("created", "updated", "unchanged", "submitted")


@dataclass
class Result(Findings):
    """What a run found and did: `rows` read, `findings` (row, column, value, message,
    severity), `counts`, and `refused` when the file as a whole could not be imported."""

    form_code: str = ""
    period: str = ""
    filename: str = ""
    committed: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def __post_init__(self) -> None:
        self.summary = self.counts  # what a job keeps (`core.jobs.store_findings`)

    @property
    def refused(self) -> str:
        """Why the file as a whole was refused (the job's `message`), or ""."""
        return self.message

    @refused.setter
    def refused(self, message: str) -> None:
        self.message = message

    @property
    def has_errors(self) -> bool:
        return bool(self.refused) or self.error_rows > 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != Severity.ERROR]

    def refuse(self, message: Any, row: int = 0, column: str = ROW_LEVEL, value: Any = "") -> None:
        self.refused = str(message)
        self.add(row, column, value, message)


# --- reading -------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]  # column key → the cell as the file has it (non-blank only)


class RowRun:
    """One run's state: the actor, the form, the file's columns and what was seen."""

    def __init__(
        self, actor: Any, form: ReportForm, period: Period, version: FormVersion, result: Result
    ) -> None:
        self.actor, self.form, self.period, self.version = actor, form, period, version
        self.result = result
        self.definition = services.definition_of(version)
        self.layout = layout_for(form, version, period)
        self.headers: dict[str, str] = {}  # column key → the header as the file has it
        self.mapping: dict[int, Column] = {}
        self.seen: dict[int, int] = {}  # organisation id → the first row that named it
        self.today = timezone.localdate()
        self.scope = (
            Organisation.objects.all() if actor is None else Organisation.objects.editable_by(actor)
        )
        self.batch = Batch(self)
        self.cached: dict[tuple[str, Any], Organisation | None] = {}  # `prefetch`

    # -- the header row --

    def read_headers(self, headers: list[Any]) -> bool:
        self.mapping, unknown = self.layout.match_headers(headers)
        for header in unknown:
            self.result.add(
                1, header, header, _("Cột không có trong biểu mẫu này, bỏ qua."), Severity.WARNING
            )
        for position, column in self.mapping.items():
            self.headers[column.key] = str(headers[position]).strip()
        present = {c.key for c in self.mapping.values()}
        ok = True
        if not present & {TAX_CODE, ORG_ID}:
            self.result.add(
                1,
                self.title(TAX_CODE),
                "",
                _("Thiếu cột “%s” (hoặc “%s”).") % (self.title(TAX_CODE), self.title(ORG_ID)),
            )
            ok = False
        for f in self.definition.fields:
            # A prefilled field may be left out: the registry's figure is used.
            if f.required and not f.prefill and f.key not in present:
                self.result.add(
                    1, self.title(f.key), "", _("Thiếu cột bắt buộc “%s”.") % (self.title(f.key))
                )
                ok = False
        if not ok:
            self.result.refused = _("Tệp thiếu cột bắt buộc; hãy dùng tệp mẫu của biểu mẫu này.")
        return ok

    def title(self, key: str) -> str:
        """A column as the findings name it: its header in the file, else the template's."""
        if key in self.headers:
            return self.headers[key]
        if key in (TAX_CODE, ORG_ID) or key in self.definition.by_key:
            return str(self.layout.column(key).header)
        return ROW_LEVEL

    def cells(self, number: int, values: list[Any]) -> _Row:
        cells: dict[str, Any] = {}
        for position, column in self.mapping.items():
            value = values[position] if position < len(values) else None
            if not _blank(value):
                cells[column.key] = value.strip() if isinstance(value, str) else value
        return _Row(number, cells)

    # -- one row --

    def add(
        self, row: _Row, key: str, value: Any, message: Any, severity: str = Severity.ERROR
    ) -> None:
        self.result.add(row.number, self.title(key), value, message, severity)

    def organisation(self, row: _Row) -> tuple[Organisation | None, str]:
        """The row's organisation (and the column key that named it), or None (reported)."""
        tax_raw, id_raw = row.cells.get(TAX_CODE), row.cells.get(ORG_ID)
        if tax_raw is None and id_raw is None:
            self.add(row, TAX_CODE, "", _("Thiếu mã số thuế (hoặc mã tổ chức trên HTX Số)."))
            return None, TAX_CODE
        number: int | None = None
        if id_raw is not None:
            try:
                number = int(code_digits(id_raw, 1))
            except ValueError:
                self.add(row, ORG_ID, id_raw, _("Mã tổ chức trên HTX Số phải là số."))
                return None, ORG_ID
        if tax_raw is not None:
            key, shown = TAX_CODE, code_digits(tax_raw, 10)
            try:
                tax_code = normalise_tax_code(shown)
            except ValidationError as exc:
                self.add(row, TAX_CODE, tax_raw, exc.messages[0])
                return None, TAX_CODE
            lookup: dict[str, Any] = {"tax_code": tax_code}
            shown = tax_code
        else:
            key, lookup, shown = ORG_ID, {"pk": number}, str(number)
        organisation = self._find(lookup)
        if organisation is None:
            if Organisation.objects.filter(**lookup).exists():
                self.add(
                    row,
                    key,
                    shown,
                    _("Tổ chức này ngoài phạm vi bạn được lập báo cáo (tỉnh hoặc tổ chức khác)."),
                )
            elif key == TAX_CODE and shown == EXAMPLE_TAX_CODE:
                self.add(
                    row,
                    key,
                    shown,
                    _("Đây là dòng ví dụ của tệp mẫu: hãy ghi đè bằng số liệu thật hoặc xóa dòng."),
                )
            else:
                self.add(row, key, shown, _("Không tìm thấy tổ chức này trên HTX Số."))
            return None, key
        if number is not None and key == TAX_CODE and organisation.pk != number:
            self.add(row, ORG_ID, id_raw, _("Mã tổ chức trên HTX Số không khớp với mã số thuế."))
            return None, ORG_ID
        if organisation.kind not in self.form.organisation_kinds:
            self.add(
                row,
                key,
                shown,
                _("%(name)s là %(kind)s: loại hình này không báo cáo theo biểu mẫu này.")
                % {"name": organisation.name, "kind": organisation.get_kind_display()},
            )
            return None, key
        first = self.seen.get(organisation.pk)
        if first is not None:
            self.add(
                row,
                key,
                shown,
                _("Tổ chức này đã có ở dòng %s của tệp: mỗi tổ chức một dòng.") % first,
            )
            return None, key
        self.seen[organisation.pk] = row.number
        return organisation, key

    def prefetch(self, rows: list[_Row]) -> None:
        """The organisations a chunk of rows names, in one query (`organisation` then looks
        them up here instead of one query per row)."""
        taxes: set[str] = set()
        ids: set[int] = set()
        for row in rows:
            tax_raw, id_raw = row.cells.get(TAX_CODE), row.cells.get(ORG_ID)
            try:
                if tax_raw is not None:
                    taxes.add(normalise_tax_code(code_digits(tax_raw, 10)))
                elif id_raw is not None:
                    ids.add(int(code_digits(id_raw, 1)))
            except (ValidationError, ValueError):
                continue  # reported by `organisation`
        found = self.scope.filter(Q(tax_code__in=taxes) | Q(pk__in=ids)).order_by("pk")
        cached: dict[tuple[str, Any], Organisation | None] = {("tax_code", t): None for t in taxes}
        cached.update({("pk", i): None for i in ids})
        self.cached = cached
        for org in found:
            if org.tax_code in taxes and self.cached[("tax_code", org.tax_code)] is None:
                self.cached[("tax_code", org.tax_code)] = org  # the first, as .first() gives
            if org.pk in ids:
                self.cached[("pk", org.pk)] = org

    def _find(self, lookup: dict[str, Any]) -> Organisation | None:
        ((field_name, value),) = lookup.items()
        if (field_name, value) in self.cached:
            return self.cached[(field_name, value)]
        return self.scope.filter(**lookup).first()

    def parse(self, row: _Row) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """(the row's raw field cells, their typed values, ok) — parsed as the page parses."""
        raw = {k: v for k, v in row.cells.items() if k in self.definition.by_key}
        values, errors = self.definition.parse(raw)
        for key, messages in errors.items():
            for message in messages:
                self.add(row, key, raw.get(key), message)
        return raw, values, not errors

    def existing(self, organisation: Organisation) -> tuple[int, str] | None:
        found = Report.objects.filter(
            form=self.form, period=self.period.code, organisation=organisation
        ).values_list("pk", "status")
        first = found.first()
        return (first[0], first[1]) if first else None

    def write(
        self,
        row: _Row,
        organisation: Organisation,
        key: str,
        raw: dict[str, Any],
        values: dict[str, Any],
    ) -> None:
        """open_report (or the existing draft) → save_values → submit, in a savepoint."""
        existing = self.existing(organisation)
        shown = row.cells.get(key, "")
        if existing is not None and existing[1] in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            message = (
                _(
                    "Báo cáo kỳ %(period)s của tổ chức này đã nộp, đang chờ duyệt: không ghi đè. "
                    "Nếu vừa ghi tệp này thì số liệu đã vào hệ thống; muốn sửa, người duyệt trả "
                    "lại báo cáo trước."
                )
                if existing[1] == ReportStatus.SUBMITTED
                else _(
                    "Báo cáo kỳ %(period)s của tổ chức này đã duyệt: không ghi đè. Muốn sửa, "
                    "người duyệt mở lại báo cáo trước."
                )
            )
            self.add(row, key, shown, message % {"period": self.period.code})
            return
        current: dict[str, Any] = {}
        kept: set[str] = set()  # fields left blank whose value came from before
        try:
            with transaction.atomic():
                if existing is None:
                    report = services.open_report(
                        self.actor,
                        self.form,
                        self.period.code,
                        organisation=organisation,
                        today=self.today,
                    )
                    outcome = "created"
                else:
                    report = Report.objects.get(pk=existing[0])
                    outcome = ""
                kept = set(report.values) - set(values)
                current = {**report.values, **values}
                if current != report.values:
                    report = services.save_values(self.actor, report.pk, raw, report.version)
                    outcome = outcome or "updated"
                report = services.submit(self.actor, report.pk, report.version)
        except ValidationError as exc:
            for name, message in error_messages(exc):
                if name in self.definition.by_key:
                    value = raw.get(name, current.get(name, ""))
                    if name in kept:
                        note = (
                            _("(Ô để trống nên lấy số liệu của sổ đăng ký: %s.)")
                            if existing is None
                            else _("(Ô để trống nên giữ số liệu đã có trong báo cáo: %s.)")
                        )
                        message = f"{message} {note % value}"
                    self.add(row, name, value, message)
                else:
                    self.add(row, key, shown, message)
            return
        except PermissionDenied as exc:
            self.add(row, key, shown, exc)
            return
        except services.StaleReport as exc:
            self.add(row, key, shown, exc)
            return
        self.result.counts[outcome or "unchanged"] += 1
        self.result.counts["submitted"] += 1
        for flag in report.flags:  # warnings and outliers: submitted, for the reviewer
            name = flag.get("field", "")
            self.add(
                row,
                name if name in self.definition.by_key else key,
                report.values.get(name, shown) if name else shown,
                flag.get("vi", ""),
                Severity.WARNING,
            )

    def row(self, row: _Row) -> None:
        organisation, key = self.organisation(row)
        raw, values, ok = self.parse(row)
        if organisation is None or not ok:
            return
        if BATCH:
            self.batch.add(Pending(row, organisation, key, raw, values))
        else:
            self.write(row, organisation, key, raw, values)

    def rows(self, rows: list[_Row]) -> None:
        """A chunk of rows, in order, their organisations fetched together."""
        if rows:
            self.prefetch(rows)
            for row in rows:
                self.row(row)

    def finish(self) -> None:
        """Write the rows still waiting in the batch."""
        self.batch.flush()
