"""The columns of a report form version as a file (`layout_for`) and its template (`template`):
one definition, so the template and the import (`report_import`) cannot disagree."""

import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from htxso.core.values import format_number
from htxso.tabular.columns import Column, Layout, header_key
from htxso.tabular.workbooks import template_workbook

from . import services
from .definitions import BOOLEAN, ERROR, Definition, Field
from .models import FormVersion, ReportForm, Respondent
from .periods import Period

TAX_CODE = "tax_code"
ORG_ID = "organisation_id"
EXAMPLE_TAX_CODE = "4600123459"  # the template's example row (a valid, made-up tax code)


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
            parts.append(
                _("Từ %(min)s đến %(max)s.")
                % {"min": format_number(f.min), "max": format_number(f.max)}
            )
        elif f.min is not None:
            parts.append(_("Không nhỏ hơn %s.") % format_number(f.min))
    if f.prefill:
        parts.append(_("Để trống: lấy số liệu của sổ đăng ký HTX Số."))
    return " ".join(parts)


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

    def candidate(pick: Callable[[Field], int]) -> dict[str, Any]:
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
        key: (yes if value else no) if isinstance(value, bool) else format_number(value)
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
