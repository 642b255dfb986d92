"""Reports by import: one form, one period, one row per organisation — all or nothing.

The issue: a cooperative's yearly report "is filled in by its manager or comes by import". A
file (XLSX, or CSV in UTF-8 / Windows-1258 / TCVN3 / VNI, read by `exchange.sources`) holds one
row per organisation: its tax code (or HTX Số id) and one column per field of the form version
in force for the period. `run()` takes every row through the report's one write path:

    services.open_report (or the organisation's existing draft / returned report)
    → services.save_values → services.submit

so the rules of the page apply unchanged (types, Vietnamese number style, bounds, required
fields, the form's rules, who may fill in what). Each row runs in a savepoint, so every row's
problems are collected; the whole run is one transaction, rolled back on a dry run or when any
row has an error. A report already submitted or approved is never overwritten (an error on its
row): re-importing a committed file therefore reports every row as already submitted.

A blank cell means "no change": the value already in the draft, or the figure prefilled from the
registry (members), is kept. The columns are built from the form version (`layout_for`), so the
template (`template()`) and the importer cannot disagree.
"""

import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.mst import normalise_tax_code
from htxso.exchange import importers as exchange_importers
from htxso.exchange.layouts import Column, Layout, header_key
from htxso.exchange.models import Severity
from htxso.exchange.sources import FileError, open_table
from htxso.exchange.workbooks import template_workbook
from htxso.registry.models import Organisation

from . import services
from .definitions import BOOLEAN, ERROR, Definition, Field
from .models import FormVersion, Report, ReportForm, ReportStatus, Respondent
from .periods import Period

TAX_CODE = "tax_code"
ORG_ID = "organisation_id"
ROW_LEVEL = exchange_importers.ROW_LEVEL
EXAMPLE_TAX_CODE = "4600123459"  # the template's example row (a valid, made-up tax code)
EXTENSIONS = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
COUNTS = ("created", "updated", "unchanged", "submitted")


def max_bytes() -> int:
    """The largest file accepted (20 MB: a province's few thousand HTX fit in well under 1 MB)."""
    return int(getattr(settings, "REPORT_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "REPORT_IMPORT_MAX_ROWS", 20_000))


# --- the columns of a form version ---------------------------------------------------------------


def _header(f: Field) -> str:
    label = f.label.get("vi") or f.key
    return f"{label} ({f.unit})" if f.unit else label


def _note(f: Field) -> str:
    parts: list[str] = []
    if f.type == BOOLEAN:
        parts.append(_("Chọn “Có” hoặc “Không”."))
    else:
        parts.append(
            _("Số nguyên; hàng nghìn ngăn cách bằng dấu chấm (1.250.000), không dùng dấu phẩy.")
        )
        if f.unit:
            parts.append(_("Đơn vị: %s.") % f.unit)
        if f.min is not None and f.max is not None:
            parts.append(_("Từ %(min)s đến %(max)s.") % {"min": _vi(f.min), "max": _vi(f.max)})
        elif f.min is not None:
            parts.append(_("Không nhỏ hơn %s.") % _vi(f.min))
    if f.prefill:
        parts.append(_("Để trống: lấy số liệu của sổ đăng ký HTX Số."))
    return " ".join(parts)


def _vi(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _examples(form: ReportForm, definition: Definition) -> dict[str, str]:
    """Example values that pass the form's rules (the example row re-imports cleanly): the
    plainest candidate with no error and the fewest warnings, found by a seeded search so the
    template is the same every time. Generic over any form version (forms are data)."""
    ladder = (5, 8, 12, 20, 25, 40, 60, 90, 150, 250, 400, 600, 1000, 1500, 2500, 4000)
    kind = form.organisation_kinds[0] if form.organisation_kinds else ""

    def clamp(f: Field, value: int) -> int:
        if f.min is not None:
            value = max(value, f.min)
        if f.max is not None:
            value = min(value, f.max)
        return value

    def candidate(pick) -> dict[str, Any]:
        return {
            f.key: (pick(f) % 2 == 0) if f.type == BOOLEAN else clamp(f, pick(f))
            for f in definition.fields
        }

    rng = random.Random(20_251_231)
    candidates = [candidate(lambda f: 10)]
    candidates += [candidate(lambda f: rng.choice(ladder)) for _ in range(400)]
    best, best_score = candidates[0], (10**6, 10**6)
    for values in candidates:
        found = definition.check(values, kind)
        score = (
            sum(f["severity"] == ERROR for f in found),
            sum(f["severity"] != ERROR for f in found),
        )
        if score < best_score:
            best, best_score = values, score
            if score == (0, 0):
                break
    yes, no = _("Có"), _("Không")
    return {
        key: (yes if value else no) if isinstance(value, bool) else _vi(value)
        for key, value in best.items()
    }


def layout_for(
    form: ReportForm, version: FormVersion, period: Period, examples: bool = False
) -> Layout:
    """The file's columns: the organisation (tax code or HTX Số id), then one per field of the
    version; `examples` fills the template's example row (values that pass the rules)."""
    definition = services.definition_of(version)
    period_note = _("Biểu mẫu %(code)s, phiên bản %(number)s (áp dụng từ kỳ %(start)s).") % {
        "code": form.code,
        "number": version.number,
        "start": version.valid_from,
    }
    columns = [
        Column(
            TAX_CODE,
            _("Mã số thuế / mã số HTX"),
            example=EXAMPLE_TAX_CODE,
            note=_(
                "Mã số thuế (10 số, hoặc 10 số kèm mã chi nhánh) của tổ chức báo cáo. "
                "Có thể ghi mã tổ chức trên HTX Số ở cột bên cạnh thay cho mã số thuế."
            ),
            aliases=(
                "mst",
                "ma so thue",
                "ma so htx",
                "ma so thue htx",
                "ma so doanh nghiep",
                "ma so thue ma so hop tac xa",
                "tax code",
            ),
            width=16,
        ),
        Column(
            ORG_ID,
            _("Mã tổ chức trên HTX Số"),
            note=_("Số hiệu của tổ chức trên HTX Số (dùng khi không ghi mã số thuế)."),
            aliases=("ma to chuc", "ma htx so", "id"),
            width=12,
        ),
    ]
    taken = {header_key(c.header) for c in columns} | {
        header_key(a) for c in columns for a in c.aliases
    }
    example = _examples(form, definition) if examples else {}
    for f in definition.fields:
        header = _header(f)
        if header_key(header) in taken or f.key in (TAX_CODE, ORG_ID):
            header = f"{header} [{f.key}]"  # two labels alike: the key tells them apart
        taken.add(header_key(header))
        english = f.label.get("en")
        columns.append(
            Column(
                f.key,
                header,
                required=f.required,
                example=example.get(f.key, ""),
                note=_note(f),
                dropdown="bool" if f.type == BOOLEAN else "",
                aliases=(english,) if english else (),
                width=max(12, min(40, len(header) // 2 + 4)),
            )
        )
    instructions = (
        _("%(form)s — %(period)s (kỳ %(code)s).")
        % {"form": form.name, "period": period.label, "code": period.code},
        period_note,
        _(
            "Mỗi dòng là báo cáo của một tổ chức; dòng 1 là tiêu đề, đừng đổi tên cột. "
            "Tổ chức được nhận theo mã số thuế, hoặc theo mã tổ chức trên HTX Số."
        ),
        _(
            "Cột có dấu * là bắt buộc. Số ghi là số nguyên, hàng nghìn ngăn cách bằng dấu chấm "
            "(1.250.000); “1,5” không được nhận. Cột Có/Không chọn trong danh sách."
        ),
        _(
            "Ô để trống: giữ số liệu đã có trong báo cáo đang soạn, hoặc số liệu lấy từ sổ "
            "đăng ký (số thành viên)."
        ),
        _(
            "Mỗi dòng được kiểm tra theo đúng quy tắc của biểu mẫu trên trang báo cáo (ví dụ "
            "lợi nhuận không lớn hơn doanh thu). Tệp có một lỗi thì không dòng nào được ghi; "
            "hãy bấm “Kiểm tra (không ghi)” trước."
        ),
        _(
            "Khi ghi, báo cáo của mỗi tổ chức được lập (hoặc lấy báo cáo đang soạn, bị trả "
            "lại) và nộp để tỉnh duyệt. Báo cáo đã nộp hoặc đã duyệt không bị ghi đè."
        ),
        _("Bảng mã CSV nhận được: UTF-8, Windows-1258, TCVN3 (ABC), VNI."),
    )
    return Layout(
        name=f"report-{form.code}",
        title=f"{form.name} — {period.label}",
        columns=columns,
        keys=(TAX_CODE, ORG_ID),
        instructions=instructions,
    )


def template(form: ReportForm, period_code: str) -> bytes:
    """The XLSX template of a form for a period (the version in force then)."""
    period, version = period_and_version(form, period_code)
    return template_workbook(layout_for(form, version, period, examples=True))


def template_filename(form: ReportForm, period_code: str) -> str:
    return f"mau-nhap-bao-cao-{form.code}-{Period.parse(period_code).code}.xlsx"


def period_and_version(form: ReportForm, period_code: str) -> tuple[Period, FormVersion]:
    """The period (of the form's periodicity) and the form version in force; ValidationError."""
    if not form.is_active:
        raise ValidationError(_("Biểu mẫu %s không còn áp dụng.") % form.name)
    if form.respondent != Respondent.ORGANISATION:
        raise ValidationError(
            _("Biểu mẫu “%s” do tỉnh/thành phố báo cáo: không nhập từ tệp theo tổ chức.")
            % form.name
        )
    period = Period.parse(period_code)
    if period.periodicity != form.periodicity:
        raise ValidationError(_("Kỳ báo cáo không đúng chu kỳ của biểu mẫu."))
    return period, services.version_for(form, period)


# --- the result ----------------------------------------------------------------------------------


@dataclass
class Result(exchange_importers.Report):
    """What a run found and did: `rows` read, `findings` (row, column, value, message,
    severity), `counts`, and `refused` when the file as a whole could not be imported."""

    form_code: str = ""
    period: str = ""
    filename: str = ""
    committed: bool = False
    refused: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    @property
    def has_errors(self) -> bool:
        return bool(self.refused) or self.error_rows > 0

    @property
    def errors(self) -> list[exchange_importers.Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[exchange_importers.Finding]:
        return [f for f in self.findings if f.severity != Severity.ERROR]

    def refuse(self, message: Any, row: int = 0, column: str = ROW_LEVEL, value: Any = "") -> None:
        self.refused = str(message)
        self.add(row, column, value, message)


# --- reading -------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@contextmanager
def _local_path(source: Any, filename: str) -> Iterator[tuple[Path, str, int]]:
    """(a path on disk, the file's name, its size) for a path or an uploaded / open file."""
    if isinstance(source, str | Path):
        path = Path(source)
        yield path, filename or path.name, path.stat().st_size
        return
    name = filename or Path(getattr(source, "name", "") or "tep").name
    temporary = getattr(source, "temporary_file_path", None)
    if callable(temporary):
        path = Path(temporary())
        yield path, name, path.stat().st_size
        return
    suffix = Path(name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        if hasattr(source, "seek"):
            source.seek(0)
        chunks = (
            source.chunks()
            if hasattr(source, "chunks")
            else iter(lambda: source.read(1 << 20), b"")
        )
        for chunk in chunks:
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name), name, handle.tell()


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]  # column key → the cell as the file has it (non-blank only)


class _Run:
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

    def add(self, row: _Row, key: str, value: Any, message: Any, severity=Severity.ERROR) -> None:
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
                number = int(exchange_importers.code_digits(id_raw, 1))
            except ValueError:
                self.add(row, ORG_ID, id_raw, _("Mã tổ chức trên HTX Số phải là số."))
                return None, ORG_ID
        if tax_raw is not None:
            key, shown = TAX_CODE, exchange_importers.code_digits(tax_raw, 10)
            try:
                tax_code = normalise_tax_code(shown)
            except ValidationError as exc:
                self.add(row, TAX_CODE, tax_raw, exc.messages[0])
                return None, TAX_CODE
            lookup: dict[str, Any] = {"tax_code": tax_code}
            shown = tax_code
        else:
            key, lookup, shown = ORG_ID, {"pk": number}, str(number)
        organisation = self.scope.filter(**lookup).first()
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
            for name, message in exchange_importers.error_messages(exc):
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
        self.write(row, organisation, key, raw, values)


def refuse_file(name: str, size: int) -> str:
    """Why a file is refused before it is read (its type, its size), or ""."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        return _("Tệp .xls (Excel 97-2003) không được nhận: hãy lưu lại dạng .xlsx hoặc CSV.")
    if suffix not in EXTENSIONS:
        return _("Chỉ nhận tệp .xlsx hoặc .csv.")
    if size > max_bytes():
        return too_large(size)
    if size == 0:
        return _("Tệp trống.")
    return ""


def too_large(size: int | None = None) -> str:
    limit = max_bytes() / 2**20
    if size is None:
        return _("Tệp quá lớn (tối đa %(max)s MB): hãy chia thành nhiều tệp.") % {"max": _mb(limit)}
    return _("Tệp quá lớn (%(size)s MB; tối đa %(max)s MB): hãy chia thành nhiều tệp.") % {
        "size": _mb(size / 2**20),
        "max": _mb(limit),
    }


def _mb(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") or "0"


# --- the run -------------------------------------------------------------------------------------


def run(
    actor: Any,
    form: ReportForm,
    period_code: str,
    path_or_file: str | Path | IO[bytes] | Any,
    commit: bool,
    filename: str = "",
) -> Result:
    """Check (and when `commit`, write) a file of reports of `form` for `period_code`.

    `actor` is the user importing (None = the system). Nothing is written unless `commit` is set
    and no row has an error: the run is one transaction, rolled back otherwise. Problems with the
    whole file (type, size, period, missing columns) are in `result.refused`."""
    result = Result(form_code=form.code, period=str(period_code))
    try:
        period, version = period_and_version(form, period_code)
    except ValidationError as exc:
        result.refuse(exc.messages[0])
        return result
    result.period = period.code
    with _local_path(path_or_file, filename) as (path, name, size):
        result.filename = name
        refusal = refuse_file(name, size)
        if refusal:
            result.refuse(refusal)
            return result
        try:
            table = open_table(path, name)
        except FileError as exc:
            result.refuse(exc)
            return result
        result.encoding = table.encoding
        state = _Run(actor, form, period, version, result)
        rows = table.rows
        try:
            if not state.read_headers(table.headers):
                return result
            with transaction.atomic():
                try:
                    for number, cells in rows:
                        if result.rows >= max_rows():
                            result.refuse(
                                _("Tệp có quá %(max)s dòng: hãy chia thành nhiều tệp.")
                                % {"max": f"{max_rows():,}".replace(",", ".")},
                                row=number,
                            )
                            break
                        result.rows += 1
                        state.row(state.cells(number, cells))
                except FileError as exc:
                    result.refuse(exc)
                if result.rows == 0 and not result.refused:
                    result.refuse(_("Tệp không có dòng dữ liệu nào."), row=2)
                if commit and not result.has_errors:
                    record(
                        actor,
                        "import",
                        form,
                        None,
                        {
                            "period": period.code,
                            "file": name[:200],
                            "rows": result.rows,
                            **result.counts,
                        },
                    )
                    result.committed = True
                else:
                    transaction.set_rollback(True)
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
    return result
