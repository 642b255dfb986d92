"""Price files through the jobs pipeline (`core.jobs`): dry run, row errors in Vietnamese, all
or nothing, re-import changes nothing, legacy encodings and XLSX, who may import."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from htxso.core.models import AuditEntry
from htxso.core.roles import Role
from htxso.prices import import_jobs, services
from htxso.prices.models import Observation, PriceImportJob, Series
from htxso.registry.tests.conftest import make_user
from htxso.tabular.tests.test_sources import to_cp1258, to_tcvn3

HEADER = ",".join(
    f'"{h}"'
    for h in (
        "Ngày",
        "Mặt hàng",
        "Tỉnh/thành phố",
        "Chợ, điểm thu mua",
        "Loại giá",
        "Giá (đồng)",
        "Đơn vị",
        "Nguồn",
    )
)
OFFICIAL = "Sở Công Thương Đắk Lắk"
ROBUSTA = "Cà phê Robusta (nhân xô)"
FARM_GATE = "giá tại vườn (thu mua)"


@pytest.fixture(autouse=True)
def _jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_BACKEND = "inline"


def day(days_ago: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).strftime("%d/%m/%Y")


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def good_rows() -> list[str]:
    return [
        f'{day(9)},{ROBUSTA},Đắk Lắk,Buôn Ma Thuột,{FARM_GATE},"118.500",kg,{OFFICIAL}',
        f'{day(8)},ca-phe-robusta,66,Buôn Ma Thuột,{FARM_GATE},"119.000",kg,{OFFICIAL}',
        f'{day(8)},Hồ tiêu,Đắk Lắk,,giá bán buôn,"14.200.000",tạ (100 kg),',
    ]


def upload(user, content: bytes, name: str = "gia.csv") -> PriceImportJob:
    job = import_jobs.create_job(user, ContentFile(content), name)
    import_jobs.start(user, job)
    job.refresh_from_db()
    return job


def messages(job: PriceImportJob) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.message) for i in job.issues.filter(severity="error")]


def test_a_clean_file_is_checked_without_writing_then_committed(catalogue, officer_66):
    job = upload(officer_66, csv_bytes(*good_rows()))
    assert job.status == "valid", messages(job)
    assert job.rows == 3 and job.summary["created"] == 3
    assert not Observation.objects.exists()  # a dry run writes nothing
    import_jobs.request_commit(officer_66, job)
    job.refresh_from_db()
    assert job.status == "done"
    official = Series.objects.get(source="Sở Công Thương Đắk Lắk")
    assert official.frequency == "daily" and official.market == "Buôn Ma Thuột"
    assert sorted(official.observations.values_list("value", flat=True)) == [
        Decimal("118500"),
        Decimal("119000"),
    ]
    pepper = Series.objects.get(commodity__code="ho-tieu")
    assert pepper.source == services.REPORTED and pepper.unit == "ta"
    assert pepper.observations.get().vnd_per_kg == Decimal("142000.00")  # 14,2 M per 100 kg
    assert official.observations_count == 2 and pepper.observations_count == 1
    assert AuditEntry.objects.filter(action="import", object_type="prices.observation").count() == 1


def test_importing_the_same_file_again_changes_nothing(catalogue, officer_66):
    content = csv_bytes(*good_rows())
    first = upload(officer_66, content)
    import_jobs.request_commit(officer_66, first)
    second = upload(officer_66, content)
    assert second.status == "valid"
    assert second.summary["created"] == 0 and second.summary["unchanged"] == 3
    import_jobs.request_commit(officer_66, second)
    assert Observation.objects.count() == 3


def test_bad_rows_are_listed_in_vietnamese_and_nothing_is_written(catalogue, officer_66):
    rows = [
        *good_rows(),
        f"{day(3)},Cà phê Mocha,Đắk Lắk,,giá tại vườn (thu mua),100.000,kg,",
        "31/02/2025,Hồ tiêu,Đắk Lắk,,giá bán buôn,140.000,kg,",
        f"{day(3)},Hồ tiêu,Đắk Lắk,,giá bán buôn,-5,kg,",
        f"{day(-3)},Hồ tiêu,Đắk Lắk,,giá bán buôn,140.000,kg,",
        f"{day(3)},Hồ tiêu,Tỉnh Mặt Trăng,,giá bán buôn,140.000,kg,",
        f"{day(3)},Hồ tiêu,Đắk Lắk,,giá thế giới,140.000,kg,",
        f"{day(3)},Hồ tiêu,Đắk Lắk,,giá bán buôn,,kg,",
        f"{day(3)},Hồ tiêu,Đắk Lắk,,giá bán buôn,1.5,kg,",
        f"{day(3)},Hồ tiêu,Đắk Lắk,,giá bán buôn,900.000.000,kg,",
    ]
    job = upload(officer_66, csv_bytes(*rows))
    assert job.status == "invalid"
    assert job.error_rows == 9
    found = messages(job)
    by_row = {row: (column, message) for row, column, message in found}
    assert by_row[5][0] == "Mặt hàng" and "không có trong danh mục" in by_row[5][1]
    assert by_row[6] == ("Ngày", "Ngày không tồn tại trong lịch.")
    assert "lớn hơn 0" in by_row[7][1] or "âm" in by_row[7][1]
    assert by_row[8] == ("Ngày", "Ngày báo giá không được ở tương lai.")
    assert "Tỉnh Mặt Trăng" in by_row[9][1]
    assert by_row[10][0] == "Loại giá"
    assert by_row[11] == ("Giá (đồng)", "Ô bắt buộc, không được để trống.")
    assert by_row[12][0] == "Giá (đồng)"
    assert "Giá quá lớn" in by_row[13][1]
    assert not Series.objects.exists() and not Observation.objects.exists()
    with pytest.raises(Exception, match="không có lỗi"):
        import_jobs.request_commit(officer_66, job)
    assert not Observation.objects.exists()


def test_a_file_without_a_required_column_is_refused_whole(catalogue, officer_66):
    content = "Ngày,Mặt hàng,Giá (đồng)\r\n01/11/2025,Hồ tiêu,140.000\r\n".encode()
    job = upload(officer_66, content)
    assert job.status == "invalid"
    assert job.message == "Tệp thiếu cột bắt buộc; hãy dùng tệp mẫu."
    assert {m for _r, _c, m in messages(job)} >= {
        "Thiếu cột bắt buộc “Tỉnh/thành phố”.",
        "Thiếu cột bắt buộc “Loại giá”.",
    }


def test_a_file_that_is_not_a_table_is_refused_before_a_job(catalogue, officer_66):
    from htxso.core.uploads import UploadRefused

    with pytest.raises(UploadRefused, match="không phải XLSX hay CSV"):
        import_jobs.create_job(officer_66, ContentFile(b"\x89PNG\r\n\x1a\n\0\0\0"), "gia.csv")
    assert not PriceImportJob.objects.exists()


def test_a_provincial_officer_imports_only_their_province(catalogue, officer_66):
    rows = [f"{day(3)},Hồ tiêu,Gia Lai,,giá bán buôn,140.000,kg,"]
    job = upload(officer_66, csv_bytes(*rows))
    assert job.status == "invalid"
    assert messages(job) == [
        (2, "Tỉnh/thành phố", "Bạn không được báo giá cho tỉnh/thành phố này.")
    ]


@pytest.mark.parametrize(("encode", "encoding"), [(to_cp1258, "windows-1258"), (to_tcvn3, "tcvn3")])
def test_legacy_encodings_are_read_as_vietnamese(catalogue, officer_66, encode, encoding):
    text = "\r\n".join([HEADER, *good_rows()]) + "\r\n"
    job = upload(officer_66, encode(text))
    assert job.status == "valid", messages(job)
    assert encoding in job.encoding
    import_jobs.request_commit(officer_66, job)
    assert Series.objects.filter(source="Sở Công Thương Đắk Lắk").exists()
    assert Series.objects.filter(commodity__code="ho-tieu", province_id="66").exists()


def test_an_xlsx_file_and_the_template_agree(catalogue, officer_66, client):
    client.force_login(officer_66)
    response = client.get(reverse("prices:import-template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Ngày *", "Mặt hàng *", "Tỉnh/thành phố *"] or "Ngày" in headers[0]
    book = Workbook()
    data = book.active
    data.append(headers)
    data.append(
        [
            dt.date.today() - dt.timedelta(days=2),
            "Cà phê Robusta (nhân xô)",
            "Đắk Lắk",
            "",
            "giá tại vườn (thu mua)",
            118000,
            "kg",
            "",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    job = upload(officer_66, buffer.getvalue(), "gia.xlsx")
    assert job.status == "valid", messages(job)
    import_jobs.request_commit(officer_66, job)
    assert Observation.objects.get().value == Decimal("118000")


def test_an_outlier_is_written_and_flagged_with_a_warning(catalogue, officer_66):
    rows = [f"{day(20 - i)},Hồ tiêu,Đắk Lắk,,giá bán buôn,{140 + i}.000,kg," for i in range(8)] + [
        f"{day(2)},Hồ tiêu,Đắk Lắk,,giá bán buôn,1.400.000,kg,"
    ]
    job = upload(officer_66, csv_bytes(*rows))
    assert job.status == "valid"
    warnings = list(job.issues.filter(severity="warning").values_list("row", "message"))
    assert warnings and warnings[0][0] == 10 and "Giá bất thường" in warnings[0][1]
    import_jobs.request_commit(officer_66, job)
    flagged = Observation.objects.get(outlier=True)
    assert flagged.value == Decimal("1400000") and "trung vị" in flagged.outlier_note
    assert Observation.objects.count() == 9


def test_who_may_open_the_import_page(catalogue, officer_66, member, client):
    client.force_login(member)
    assert client.get(reverse("prices:import")).status_code == 403
    central = make_user("trung-uong", Role.CENTRAL_OFFICER)
    client.force_login(central)
    assert client.get(reverse("prices:import")).status_code == 403
    client.force_login(officer_66)
    page = client.get(reverse("prices:import"))
    assert page.status_code == 200 and "Nhập giá từ Excel/CSV" in page.content.decode()


def test_the_upload_page_runs_the_job_and_shows_its_findings(catalogue, officer_66, client):
    client.force_login(officer_66)
    bad = csv_bytes(f"{day(3)},Cà phê Mocha,Đắk Lắk,,giá tại vườn (thu mua),100.000,kg,")
    response = client.post(reverse("prices:import"), {"file": ContentFile(bad, name="gia.csv")})
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "1 dòng có lỗi" in text and "Cà phê Mocha" in text
    empty = client.post(reverse("prices:import"), {})
    assert empty.status_code == 422 and "Hãy chọn tệp XLSX hoặc CSV." in empty.content.decode()
    other = make_user("can-bo-khac", Role.PROVINCIAL_OFFICER, "66")
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404  # one's own jobs only


def test_the_command_checks_then_writes_and_fails_on_errors(catalogue, tmp_path):
    from django.core.management import call_command

    good = tmp_path / "gia.csv"
    good.write_bytes(csv_bytes(*good_rows()))
    out = io.StringIO()
    call_command("import_prices", str(good), "--dry-run", stdout=out)
    assert "3 dòng, 0 dòng lỗi; 3 giá mới" in out.getvalue() and not Observation.objects.exists()
    call_command("import_prices", str(good), stdout=out)
    assert "Đã ghi." in out.getvalue() and Observation.objects.count() == 3
    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes(f"{day(3)},Cà phê Mocha,Đắk Lắk,,{FARM_GATE},100.000,kg,"))
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_prices", str(bad), stdout=out)
    assert exit_code.value.code == 1
    assert "dòng 2 · Mặt hàng: Giá trị không có trong danh mục" in out.getvalue()
    assert Observation.objects.count() == 3
