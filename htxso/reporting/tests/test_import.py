"""Reports by import: the template, the file read in any encoding, each row through the page's
services (open → save → submit), findings by row and column, all or nothing — the page and the
command."""

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from htxso.core import jobs as core_jobs
from htxso.core.jobs import JobStatus
from htxso.core.models import AuditEntry
from htxso.registry.tests.factories import (
    HouseholdFactory,
    OrganisationFactory,
    valid_tax_code,
)
from htxso.reporting import import_jobs, import_views, report_import, report_template, services
from htxso.reporting.models import Report, ReportImportJob, ReportStatus
from htxso.tabular.tests.test_sources import to_cp1258

from .conftest import LAST_YEAR, good_values

PERIOD = LAST_YEAR  # an ended year (2025 when written)
TAX = "Mã số thuế / mã số HTX"
ORG_ID = "Mã tổ chức trên HTX Số"
PROFIT = "Lợi nhuận trước thuế (triệu đồng)"
MEMBERS = "Số thành viên (người)"
# Findings name a column by its header in the file (required ones end with " *").
PROFIT_COLUMN = f"{PROFIT} *"
WORKERS_COLUMN = "Số lao động thường xuyên (người) *"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    """Users are made per test (the real password hash costs 0.4 s); kept files go to tmp."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_BACKEND = "inline"
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
    }


@pytest.fixture
def orgs(annual):
    """Three HTX of Thái Nguyên (19) and one of Hà Nội (01)."""
    return {
        "a": OrganisationFactory(province_id="19"),
        "b": OrganisationFactory(province_id="19"),
        "c": OrganisationFactory(province_id="19"),
        "hn": OrganisationFactory(province_id="01"),
    }


def headers(annual) -> list[str]:
    """The template's header row for the period (what a filled-in template holds)."""
    period, version = report_import.period_and_version(annual, PERIOD)
    return [str(c.header) for c in report_import.layout_for(annual, version, period).columns]


def line(org=None, tax_code: str | None = None, **overrides) -> dict[str, str]:
    """One row by field key: a good report of `org` (Vietnamese-style numbers)."""
    return {
        "tax_code": tax_code if tax_code is not None else org.tax_code,
        **good_values(**overrides),
    }


def write_xlsx(path: Path, annual, rows: list[dict]) -> Path:
    period, version = report_import.period_and_version(annual, PERIOD)
    columns = report_import.layout_for(annual, version, period).columns
    wb = Workbook()
    sheet = wb.active
    sheet.append([str(c.header) + (" *" if c.required else "") for c in columns])
    for row in rows:
        sheet.append([row.get(c.key, "") for c in columns])
    wb.save(path)
    return path


def audit_count() -> int:
    return AuditEntry.objects.count()


def messages_of(result, row: int) -> list[str]:
    return [f.message for f in result.findings if f.row == row]


# --- the template ------------------------------------------------------------------------------


def test_the_template_has_a_column_per_field_an_example_a_guide_and_dropdowns(
    client, officer_19, annual
):
    client.force_login(officer_19)
    response = client.get(
        reverse("reporting:import-template"), {"form": "htx-annual", "period": PERIOD}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"htx-annual-{PERIOD}.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["Dữ liệu", "Hướng dẫn"]
    sheet = wb["Dữ liệu"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == [TAX, ORG_ID, f"{MEMBERS} *", "Số HTX thành viên (liên hiệp HTX) (HTX)"]
    assert f"{PROFIT} *" in header
    assert "Ứng dụng công nghệ cao trong sản xuất" in header
    assert len(header) == 2 + 13  # the identifiers, then the 13 fields of version 1
    example = [c.value for c in sheet[2]]
    assert example[0] == report_template.EXAMPLE_TAX_CODE
    assert example[header.index("Ứng dụng công nghệ cao trong sản xuất")] in ("Có", "Không")
    # Yes/no dropdowns on the boolean columns.
    letters = {
        str(v.sqref).split(":")[0].rstrip("0123456789")
        for v in sheet.data_validations.dataValidation
    }
    bool_letters = {
        sheet.cell(row=1, column=i + 1).column_letter
        for i, h in enumerate(header)
        if h in ("Ứng dụng công nghệ cao trong sản xuất", "Tham gia liên kết chuỗi giá trị")
    }
    assert bool_letters <= letters
    guide = "\n".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert f"kỳ {PERIOD}" in guide and "1.250.000" in guide and "phiên bản 1" in guide


def test_the_template_needs_a_period_of_the_form(client, officer_19, annual, semiannual):
    client.force_login(officer_19)
    url = reverse("reporting:import-template")
    assert client.get(url, {"form": "htx-annual", "period": "2025S1"}).status_code == 400
    assert client.get(url, {"form": "khong-co", "period": PERIOD}).status_code == 404
    # A province's summary is not imported by organisation.
    assert client.get(url, {"form": "province-semiannual", "period": "2025S1"}).status_code == 404


def test_the_filled_in_template_imports_and_submits(client, officer_19, htx, tmp_path):
    client.force_login(officer_19)
    response = client.get(
        reverse("reporting:import-template"), {"form": "htx-annual", "period": PERIOD}
    )
    untouched = tmp_path / "mau-nguyen.xlsx"
    untouched.write_bytes(response.content)
    (finding,) = report_import.run(officer_19, htx_form(), PERIOD, untouched, commit=True).errors
    assert finding.row == 2 and "dòng ví dụ của tệp mẫu" in finding.message

    wb = load_workbook(io.BytesIO(response.content))
    wb["Dữ liệu"]["A2"] = htx.tax_code  # the example row, now a real HTX
    path = tmp_path / "mau.xlsx"
    wb.save(path)

    result = report_import.run(officer_19, htx_form(), PERIOD, path, commit=True)

    assert result.findings == []  # the example passes every rule, warnings included
    assert result.committed and result.rows == 1
    assert result.counts == {"created": 1, "updated": 0, "unchanged": 0, "submitted": 1}
    report = Report.objects.get(organisation=htx, period=PERIOD)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == officer_19
    assert isinstance(report.values["revenue"], int) and report.values["members"] >= 5


def htx_form():
    from htxso.reporting.models import ReportForm

    return ReportForm.objects.get(code="htx-annual")


# --- reading files -------------------------------------------------------------------------------


def test_a_windows_1258_csv_with_vietnamese_numbers(officer_19, annual, orgs, tmp_path):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            "Mã số thuế / mã số HTX",
            "Số thành viên (người) *",
            "Số lao động thường xuyên (người) *",
            "Doanh thu thuần (triệu đồng) *",
            "Tổng chi phí (triệu đồng)",
            "Lợi nhuận trước thuế (triệu đồng) *",
            "Tổng giá trị tài sản (triệu đồng)",
            "Ứng dụng công nghệ cao trong sản xuất",
            "Tham gia liên kết chuỗi giá trị",
        ]
    )
    writer.writerow(
        [
            orgs["a"].tax_code,
            "12",
            "8",
            "1.250.000",
            "1.100.000",
            "150.000",
            "2.000.000",
            "Có",
            "Không",
        ]
    )
    writer.writerow([orgs["b"].tax_code, "1.024", "37", "980", "900", "80", "", "không", "có"])
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(to_cp1258(buffer.getvalue()))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really Windows-1258, not UTF-8

    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)

    assert result.encoding == "windows-1258"
    assert not result.errors, result.findings
    assert result.committed and result.counts["submitted"] == 2
    a = Report.objects.get(organisation=orgs["a"], period=PERIOD)
    assert a.values["revenue"] == 1_250_000 and a.values["assets"] == 2_000_000
    assert a.values["high_tech"] is True and a.values["value_chain"] is False
    b = Report.objects.get(organisation=orgs["b"], period=PERIOD)
    assert b.values["members"] == 1024 and "assets" not in b.values  # blank: no value


def test_an_xls_file_is_refused(officer_19, annual, tmp_path):
    path = tmp_path / "bao-cao.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert result.has_errors and not result.committed
    assert ".xls" in result.refused and "xlsx" in result.refused
    assert Report.objects.count() == 0


def test_an_oversized_file_is_refused(settings, officer_19, annual, htx, tmp_path):
    settings.REPORT_IMPORT_MAX_BYTES = 2048
    path = write_xlsx(tmp_path / "lon.xlsx", annual, [line(htx)] * 3)
    assert path.stat().st_size > 2048
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert result.refused.startswith("Tệp quá lớn")
    assert Report.objects.count() == 0


def test_the_default_bounds():
    assert report_import.max_bytes() == 20 * 1024 * 1024
    assert report_import.max_rows() == 20_000


def test_too_many_rows_are_refused(settings, officer_19, annual, orgs, tmp_path):
    settings.REPORT_IMPORT_MAX_ROWS = 2
    path = write_xlsx(tmp_path / "r.xlsx", annual, [line(orgs[k]) for k in "abc"])
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert "quá 2 dòng" in result.refused
    assert not result.committed and Report.objects.count() == 0


def test_a_missing_required_column_refuses_the_file(officer_19, annual, htx, tmp_path):
    path = tmp_path / "thieu.csv"
    path.write_text(f"{TAX},{MEMBERS}\n{htx.tax_code},12\n", encoding="utf-8")
    result = report_import.run(officer_19, annual, PERIOD, path, commit=False)
    assert "thiếu cột" in result.refused.lower()
    missing = {f.column for f in result.errors}
    assert {"Số lao động thường xuyên (người)", "Doanh thu thuần (triệu đồng)", PROFIT} <= missing
    assert MEMBERS not in missing  # prefilled from the registry: may be left out


def test_the_period_must_fit_the_form(officer_19, annual, semiannual, htx, tmp_path):
    path = write_xlsx(tmp_path / "k.xlsx", annual, [line(htx)])
    assert "chu kỳ" in report_import.run(officer_19, annual, "2025S1", path, commit=True).refused
    assert "không hợp lệ" in report_import.run(officer_19, annual, "25", path, commit=True).refused
    assert "tỉnh" in report_import.run(officer_19, semiannual, "2025S1", path, commit=True).refused


# --- all or nothing ------------------------------------------------------------------------------


def test_row_errors_are_findings_by_row_and_column_and_nothing_is_written(
    officer_19, annual, orgs, tmp_path
):
    unknown = valid_tax_code()
    path = write_xlsx(
        tmp_path / "loi.xlsx",
        annual,
        [
            line(orgs["a"]),  # row 2: good
            line(orgs["b"], revenue="1.000", profit="2.000", costs="900"),  # 3: profit > revenue
            line(tax_code=unknown),  # 4: not on HTX Số
            line(orgs["c"], workers="1,5"),  # 5: not an integer
            line(orgs["hn"]),  # 6: Hà Nội, outside the officer's province
        ],
    )
    before = audit_count()

    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)

    assert not result.committed and result.has_errors
    assert result.rows == 5 and result.error_rows == 4
    by_row = {(f.row, f.column): f for f in result.errors}
    assert by_row[(3, PROFIT_COLUMN)].message == "Lợi nhuận không được lớn hơn doanh thu."
    assert by_row[(3, PROFIT_COLUMN)].value == "2.000"
    assert by_row[(4, TAX)].value == unknown
    assert "Không tìm thấy" in by_row[(4, TAX)].message
    assert by_row[(5, WORKERS_COLUMN)].value == "1,5"
    assert "dấu phẩy" in by_row[(5, WORKERS_COLUMN)].message
    assert "ngoài phạm vi" in by_row[(6, TAX)].message
    assert not messages_of(result, 2)
    # Nothing written, not even the good row: no report, no audit entry.
    assert Report.objects.count() == 0
    assert audit_count() == before


def test_an_htx_with_fewer_than_5_members(officer_19, annual, htx, tmp_path):
    path = write_xlsx(tmp_path / "tv.xlsx", annual, [line(htx, members="3")])
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    (finding,) = result.errors
    assert (finding.row, finding.column, finding.value) == (2, f"{MEMBERS} *", "3")
    assert "ít nhất 5 thành viên" in finding.message
    assert Report.objects.count() == 0


def test_a_blank_prefilled_cell_takes_the_registry_figure(officer_19, annual, htx, tmp_path):
    path = write_xlsx(tmp_path / "tv.xlsx", annual, [line(htx, members="")])
    result = report_import.run(officer_19, annual, PERIOD, path, commit=False)
    (finding,) = result.errors  # the HTX has no member in the registry: 0 < 5
    assert finding.column == f"{MEMBERS} *" and finding.value == "0"
    assert "sổ đăng ký" in finding.message


def test_the_dry_run_writes_nothing(officer_19, annual, orgs, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", annual, [line(orgs["a"]), line(orgs["b"])])
    before = audit_count()
    result = report_import.run(officer_19, annual, PERIOD, path, commit=False)
    assert not result.has_errors and not result.committed
    assert result.counts == {"created": 2, "updated": 0, "unchanged": 0, "submitted": 2}
    assert Report.objects.count() == 0
    assert audit_count() == before


def test_the_commit_writes_every_report_with_its_audit(officer_19, annual, orgs, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", annual, [line(orgs["a"]), line(orgs["b"])])
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert result.committed
    reports = Report.objects.filter(period=PERIOD)
    assert {r.organisation_id for r in reports} == {orgs["a"].pk, orgs["b"].pk}
    for report in reports:
        assert report.status == ReportStatus.SUBMITTED
        actions = set(
            AuditEntry.objects.filter(
                object_type="reporting.report", object_id=str(report.pk), actor=officer_19
            ).values_list("action", flat=True)
        )
        assert actions == {"create", "update", "submit"}
    run_entry = AuditEntry.objects.get(action="import", object_type="reporting.reportform")
    assert run_entry.after["submitted"] == 2 and run_entry.after["period"] == PERIOD


def test_reimporting_a_committed_file_reports_every_row_as_submitted(
    officer_19, annual, orgs, tmp_path
):
    path = write_xlsx(tmp_path / "ok.xlsx", annual, [line(orgs["a"]), line(orgs["b"])])
    assert report_import.run(officer_19, annual, PERIOD, path, commit=True).committed
    before = audit_count()
    again = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert not again.committed and again.error_rows == 2
    assert all("đã nộp" in f.message and "vừa ghi tệp này" in f.message for f in again.errors)
    assert audit_count() == before


def test_a_draft_is_completed_and_a_returned_report_resubmitted(officer_19, annual, orgs, tmp_path):
    draft = services.open_report(officer_19, annual, PERIOD, organisation=orgs["a"])
    draft = services.save_values(officer_19, draft.pk, {"workers": "8", "assets": "3.000"})
    returned = services.open_report(officer_19, annual, PERIOD, organisation=orgs["b"])
    services.save_values(officer_19, returned.pk, good_values())
    services.submit(officer_19, returned.pk)
    services.return_report(officer_19, returned.pk, "Kiểm tra lại doanh thu")
    done = services.open_report(officer_19, annual, PERIOD, organisation=orgs["c"])
    services.save_values(officer_19, done.pk, good_values())
    path = write_xlsx(
        tmp_path / "d.xlsx",
        annual,
        [
            {**line(orgs["a"]), "assets": ""},  # blank: the draft's 3.000 is kept
            line(orgs["b"], revenue="1.300"),
            line(orgs["c"]),  # the same values as its draft
        ],
    )
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    assert result.committed, result.findings
    assert result.counts == {"created": 0, "updated": 2, "unchanged": 1, "submitted": 3}
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED and draft.values["assets"] == 3000
    returned.refresh_from_db()
    assert returned.status == ReportStatus.SUBMITTED and returned.values["revenue"] == 1300
    assert Report.objects.count() == 3


def test_an_approved_report_is_never_overwritten(officer_19, annual, htx, tmp_path):
    report = services.open_report(officer_19, annual, PERIOD, organisation=htx)
    services.save_values(officer_19, report.pk, good_values())
    services.submit(officer_19, report.pk)
    services.approve(officer_19, report.pk)
    path = write_xlsx(tmp_path / "a.xlsx", annual, [line(htx, revenue="9.999")])
    result = report_import.run(officer_19, annual, PERIOD, path, commit=True)
    (finding,) = result.errors
    assert finding.column == TAX and "đã duyệt" in finding.message
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.values["revenue"] == 1250


def test_kinds_duplicates_and_the_htx_so_id(officer_19, annual, orgs, tmp_path):
    household = HouseholdFactory(province_id="19")
    path = write_xlsx(
        tmp_path / "k.xlsx",
        annual,
        [
            line(orgs["a"]),  # 2
            line(orgs["a"]),  # 3: the same HTX again
            line(household),  # 4: a household business does not file this form
            {**line(tax_code=""), "organisation_id": str(orgs["b"].pk)},  # 5: by HTX Số id
            {**line(orgs["c"]), "organisation_id": str(orgs["b"].pk)},  # 6: id ≠ tax code
        ],
    )
    result = report_import.run(officer_19, annual, PERIOD, path, commit=False)
    assert "dòng 2" in messages_of(result, 3)[0]
    assert "không báo cáo theo biểu mẫu này" in messages_of(result, 4)[0]
    assert messages_of(result, 5) == []
    assert [(f.column, f.message) for f in result.findings if f.row == 6] == [
        (ORG_ID, "Mã tổ chức trên HTX Số không khớp với mã số thuế.")
    ]


# --- who may import what -------------------------------------------------------------------------


def test_a_manager_imports_their_own_organisation_only(manager, annual, htx, orgs, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", annual, [line(htx), line(orgs["a"])])
    result = report_import.run(manager, annual, PERIOD, path, commit=True)
    assert not result.committed
    assert messages_of(result, 2) == []
    (finding,) = result.errors
    assert finding.row == 3 and finding.column == TAX and "ngoài phạm vi" in finding.message
    assert Report.objects.count() == 0

    alone = write_xlsx(tmp_path / "m1.xlsx", annual, [line(htx)])
    assert report_import.run(manager, annual, PERIOD, alone, commit=True).committed
    assert Report.objects.get().organisation == htx


def test_an_officer_of_another_province(officer_01, annual, orgs, tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", annual, [line(orgs["hn"]), line(orgs["a"])])
    result = report_import.run(officer_01, annual, PERIOD, path, commit=True)
    assert [f.row for f in result.errors] == [3]
    assert Report.objects.count() == 0


def test_the_system_imports_anywhere(annual, orgs, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", annual, [line(orgs["hn"]), line(orgs["a"])])
    result = report_import.run(None, annual, PERIOD, path, commit=True)
    assert result.committed and Report.objects.count() == 2


# --- the page ------------------------------------------------------------------------------------


def upload(path: Path, name: str | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_the_page_is_for_importers(client, public_user, central, annual):
    url = reverse("reporting:import")
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    for user in (public_user, central):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"form": "htx-annual", "period": PERIOD}).status_code == 403
        assert client.get(reverse("reporting:import-template")).status_code == 403


def _send(client, path: Path, name: str | None = None, **data):
    """Upload a file on the page: its job runs inline; the answer and the job."""
    from htxso.reporting.models import ReportImportJob

    response = client.post(
        reverse("reporting:import"),
        {"form": "htx-annual", "period": PERIOD, "file": upload(path, name), **data},
    )
    return response, ReportImportJob.objects.order_by("-pk").first()


def test_the_page_checks_in_a_job_then_commits_it(client, officer_19, annual, orgs, tmp_path):
    client.force_login(officer_19)
    url = reverse("reporting:import")
    page = client.get(url)
    assert page.status_code == 200 and "Kiểm tra (không ghi)" in page.content.decode()
    path = write_xlsx(tmp_path / "tinh-19.xlsx", annual, [line(orgs["a"]), line(orgs["b"])])

    response, job = _send(client, path)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:import-job", args=[job.pk])
    assert job.status == JobStatus.VALID and job.created_by == officer_19
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    checked = client.get(response["Location"])
    body = checked.content.decode()
    assert "Kiểm tra xong, không có lỗi" in body and 'id="commit-button"' in body
    assert Report.objects.count() == 0
    assert "reporting_import" not in client.session  # nothing kept in the session

    committed = client.post(reverse("reporting:import-job-commit", args=[job.pk]), follow=True)
    assert committed.status_code == 200
    assert "Đã ghi: 2 báo cáo đã được nộp." in committed.content.decode()
    assert Report.objects.filter(status=ReportStatus.SUBMITTED).count() == 2
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.summary["submitted"] == 2
    assert AuditEntry.objects.filter(action="import_commit", actor=officer_19).count() == 1

    # Committing twice is refused, and writes nothing more.
    again = client.post(reverse("reporting:import-job-commit", args=[job.pk]), follow=True)
    assert "Chỉ ghi được lượt nhập đã kiểm tra xong" in again.content.decode()
    assert Report.objects.count() == 2

    # Without a file: the form asks for one.
    response = client.post(url, {"form": "htx-annual", "period": PERIOD})
    assert response.status_code == 400 and "Hãy chọn tệp" in response.content.decode()


def test_the_page_shows_the_findings(client, officer_19, annual, orgs, tmp_path):
    client.force_login(officer_19)
    path = write_xlsx(
        tmp_path / "loi.xlsx", annual, [line(orgs["a"]), line(orgs["b"], revenue="10", profit="20")]
    )
    response, job = _send(client, path)
    assert job.status == JobStatus.INVALID
    body = client.get(response["Location"]).content.decode()
    assert 'id="findings-table"' in body
    assert "<td>3</td><td>Lợi nhuận trước thuế (triệu đồng) *</td><td><code>20</code>" in body
    assert "Lợi nhuận không được lớn hơn doanh thu." in body
    assert "không có gì được ghi" in body and 'id="commit-button"' not in body
    assert Report.objects.count() == 0
    # A job with errors is not committed.
    client.post(reverse("reporting:import-job-commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID and Report.objects.count() == 0
    # Its findings as a workbook, the registry's kind.
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("reporting:import-job-findings", args=[job.pk])).content)
    ).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Lợi nhuận không được lớn hơn doanh thu." in cells and "loi.xlsx" in cells
    # The uploaded file, as sent.
    download = client.get(reverse("reporting:import-job-file", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == path.read_bytes()


def test_the_page_refuses_oversized_xls_and_disguised_files(
    settings, client, officer_19, annual, htx, tmp_path
):
    client.force_login(officer_19)
    url = reverse("reporting:import")
    settings.REPORT_IMPORT_MAX_BYTES = 2048
    path = write_xlsx(tmp_path / "lon.xlsx", annual, [line(htx)] * 3)
    response = client.post(
        url, {"form": "htx-annual", "period": PERIOD, "action": "check", "file": upload(path)}
    )
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()
    # Far beyond the bound: refused from the request's length, before the body is read.
    big = tmp_path / "rat-lon.csv"
    big.write_bytes(b"x" * (2048 + import_views.BODY_SLACK + 10))
    response = client.post(
        url, {"form": "htx-annual", "period": PERIOD, "action": "check", "file": upload(big)}
    )
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()

    settings.REPORT_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    xls = tmp_path / "cu.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    response = client.post(
        url, {"form": "htx-annual", "period": PERIOD, "action": "check", "file": upload(xls)}
    )
    assert response.status_code == 400 and "Excel 97-2003" in response.content.decode()
    # Text named .xlsx: the bytes decide, not the name or the browser's content type.
    disguised = tmp_path / "gia.xlsx"
    disguised.write_bytes(b"Ma so thue,Doanh thu\r\n0100109106,1\r\n")
    response = client.post(url, {"form": "htx-annual", "period": PERIOD, "file": upload(disguised)})
    assert response.status_code == 400
    assert "Tệp không phải XLSX hay CSV" in response.content.decode()
    from htxso.reporting.models import ReportImportJob

    assert Report.objects.count() == 0 and not ReportImportJob.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_a_manager_uses_the_page_for_their_htx(client, manager, annual, htx, tmp_path):
    client.force_login(manager)
    path = write_xlsx(tmp_path / "htx.xlsx", annual, [line(htx)])
    response, job = _send(client, path)
    assert response.status_code == 302 and job.status == JobStatus.VALID
    client.post(reverse("reporting:import-job-commit", args=[job.pk]))
    assert Report.objects.get().submitted_by == manager


def test_someone_elses_job_is_not_found_and_not_run(
    client, officer_19, manager, annual, orgs, tmp_path
):
    client.force_login(officer_19)
    path = write_xlsx(tmp_path / "tinh-19.xlsx", annual, [line(orgs["a"])])
    _response, job = _send(client, path)
    client.force_login(manager)
    for name in ("import-job", "import-job-progress", "import-job-findings", "import-job-file"):
        assert client.get(reverse(f"reporting:{name}", args=[job.pk])).status_code == 404
    for name in ("import-job-commit", "import-job-rerun"):
        assert client.post(reverse(f"reporting:{name}", args=[job.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        import_jobs.request_commit(manager, job)
    job.refresh_from_db()
    assert job.status == JobStatus.VALID and Report.objects.count() == 0


def test_a_stale_job_is_reaped_and_can_be_run_again(
    client, officer_19, annual, orgs, tmp_path, settings
):
    client.force_login(officer_19)
    path = write_xlsx(tmp_path / "tinh-19.xlsx", annual, [line(orgs["a"])])
    _response, job = _send(client, path)
    # Its worker died while committing: no heartbeat for longer than JOB_STALE.
    settings.JOB_STALE = 60
    ReportImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.COMMITTING,
        commit_requested=True,
        started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    assert core_jobs.reap() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "dừng đột ngột" in job.message
    page = client.get(reverse("reporting:import-job", args=[job.pk])).content.decode()
    assert 'id="rerun-button"' in page
    client.post(reverse("reporting:import-job-rerun", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert Report.objects.filter(status=ReportStatus.SUBMITTED).count() == 1


def test_a_running_job_polls_its_progress(client, officer_19, annual, orgs, tmp_path):
    client.force_login(officer_19)
    path = write_xlsx(tmp_path / "tinh-19.xlsx", annual, [line(orgs["a"])])
    _response, job = _send(client, path)
    ReportImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    url = reverse("reporting:import-job-progress", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert f'hx-get="{url}"' in response.content.decode()
    ReportImportJob.objects.filter(pk=job.pk).update(status=JobStatus.VALID)
    assert client.get(url)["HX-Refresh"] == "true"


# --- the command ---------------------------------------------------------------------------------


def test_the_command_prints_findings_and_exits_1_on_errors(
    officer_19, annual, orgs, tmp_path, capsys
):
    good = write_xlsx(tmp_path / "ok.xlsx", annual, [line(orgs["a"])])
    args = ["import_reports", str(good), "--form", "htx-annual", "--period", PERIOD]

    call_command(*args, "--dry-run", "--user", officer_19.username)
    assert "chưa ghi" in capsys.readouterr().out and Report.objects.count() == 0

    call_command(*args, "--user", officer_19.username)
    assert "Đã ghi: 1 báo cáo" in capsys.readouterr().out
    assert Report.objects.get().submitted_by == officer_19

    with pytest.raises(SystemExit) as exit_:
        call_command(*args, "--user", officer_19.username)  # already submitted
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "dòng 2" in out and "đã nộp" in out

    bad = write_xlsx(tmp_path / "bad.xlsx", annual, [line(orgs["b"], workers="1,5")])
    with pytest.raises(SystemExit) as exit_:
        call_command("import_reports", str(bad), "--form", "htx-annual", "--period", PERIOD)
    assert exit_.value.code == 1
    assert Report.objects.count() == 1


def test_the_command_names_an_unknown_user_or_form(annual, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="người dùng"):
        call_command(
            "import_reports",
            str(path),
            "--form",
            "htx-annual",
            "--period",
            PERIOD,
            "--user",
            "khong-co",
        )
    with pytest.raises(CommandError, match="biểu mẫu"):
        call_command("import_reports", str(path), "--form", "khong-co", "--period", PERIOD)
