"""The mapping step (#17 item 1): between the upload and the dry run, the header row found and
each column matched to a field, confirmed or changed by the person, remembered per province and
file shape so the next file goes straight through; the same on the command line."""

import contextlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from htxso.core.audit import AuditEntry
from htxso.exchange.models import ColumnMapping, ImportJob, JobStatus
from htxso.registry.models import Organisation
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import valid_tax_code

from .test_provincial_files import FORMS, HEADERS, provincial_rows

pytestmark = pytest.mark.usefixtures("media")
NOTES = HEADERS.index("Ghi chú")  # the province's last column


def upload(client, rows, name="danh-sach-htx.xlsx"):
    data = FORMS["excel.xlsx" if name.endswith(".xlsx") else "utf-8.csv"](rows)
    return client.post(
        reverse("exchange:index"),
        {"kind": "organisations", "strategy": "upsert", "file": SimpleUploadedFile(name, data)},
    )


def codes() -> list[str]:
    return [valid_tax_code("19"), valid_tax_code("19")]


def test_a_provincial_file_waits_on_the_mapping_page_then_goes_through(client, officer_19):
    client.force_login(officer_19)
    response = upload(client, provincial_rows(codes()))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:job-mapping", args=[job.pk])
    assert job.needs_mapping and job.status == JobStatus.QUEUED  # no dry run yet
    # The job's page sends the person back to the step they have not done.
    assert client.get(reverse("exchange:job", args=[job.pk]))["Location"].endswith("/mapping/")

    page = client.get(response["Location"])
    assert page.status_code == 200
    rows = {r[1]: r for r in page.context["rows"]}
    assert page.context["proposal"].header_row == 4  # below two title rows and a blank row
    assert rows["Tên hợp tác xã"][2] == "name"
    assert rows["Mã số HTX"][2:4] == ("tax_code", "theo từ đồng nghĩa")
    assert rows["Ngày thành lập"][3] == "theo tệp mẫu"
    assert rows["STT"][2] == "" and rows["Ghi chú"][2] == ""  # listed, left out
    assert "Hợp tác xã Chè Tân Cương Xanh" in rows["Tên hợp tác xã"][4]  # sample values
    content = page.content.decode()
    assert "không nhận ra: bỏ qua" in content and 'name="column-0"' in content

    keys = page.context["proposal"].keys
    form = {f"column-{i}": key for i, key in enumerate(keys)}
    response = client.post(
        reverse("exchange:job-mapping", args=[job.pk]), {**form, "header_row": 4, "confirm": "1"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert not job.needs_mapping and job.header_row == 4 and job.column_keys == keys
    assert job.status == JobStatus.VALID, list(job.issues.values_list("message", flat=True))
    assert job.summary["organisations"]["created"] == 3
    remembered = ColumnMapping.objects.get()
    assert (remembered.province, remembered.layout, remembered.column_keys) == (
        "19",
        "organisations",
        keys,
    )
    assert AuditEntry.objects.filter(action="import_mapping").count() == 1

    # The next file of that shape (other rows, other title) goes straight to its dry run.
    rows = provincial_rows(codes())
    rows[0][0] = "UBND TỈNH THÁI NGUYÊN — SỞ TÀI CHÍNH"
    response = upload(client, rows, name="danh-sach-htx-2025.xlsx")
    second = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("exchange:job", args=[second.pk])
    assert second.column_keys == keys and second.status == JobStatus.VALID


def test_the_person_corrects_the_header_row_and_a_column(client, officer_19):
    client.force_login(officer_19)
    rows = provincial_rows(codes())
    rows[3][NOTES] = "Khu dân cư"
    upload(client, rows)
    job = ImportJob.objects.get()
    url = reverse("exchange:job-mapping", args=[job.pk])
    page = client.get(url, {"header_row": 2})  # a title row: nothing matches
    assert page.context["proposal"].header_row == 2
    assert "Loại hình" in page.context["missing"]
    page = client.get(url, {"header_row": 4})
    keys = page.context["proposal"].keys
    assert keys[NOTES] == ""
    keys[NOTES] = "street"
    form = {f"column-{i}": key for i, key in enumerate(keys)}
    client.post(url, {**form, "header_row": 4, "confirm": "1"})
    job.refresh_from_db()
    assert job.status == JobStatus.VALID
    assert job.column_keys[NOTES] == "street"


def test_a_field_chosen_twice_or_a_stranger_is_refused(client, officer_19):
    client.force_login(officer_19)
    upload(client, provincial_rows(codes()))
    job = ImportJob.objects.get()
    url = reverse("exchange:job-mapping", args=[job.pk])
    keys = client.get(url).context["proposal"].keys
    keys[0] = "name"  # "STT" as the name too
    form = {f"column-{i}": key for i, key in enumerate(keys)}
    response = client.post(url, {**form, "header_row": 4, "confirm": "1"})
    assert response.status_code == 400
    assert "Mỗi trường chỉ chọn cho một cột: “Tên tổ chức”." in response.content.decode()
    job.refresh_from_db()
    assert job.needs_mapping and job.column_keys is None
    client.force_login(make_user("can-bo-19-khac", "provincial_officer", "19"))
    assert client.post(url, {**form, "confirm": "1"}).status_code in (403, 404)
    assert not Organisation.objects.exists()


def run_cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # a dry run with findings exits 1
        call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_the_mapping_and_takes_corrections(officer_19, tmp_path):
    path = tmp_path / "danh-sach-htx.csv"
    rows = provincial_rows(codes())
    rows[3][NOTES] = "Khu dân cư"
    path.write_bytes(FORMS["utf-8.csv"](rows))
    out = run_cli(str(path), "--dry-run", "--user", officer_19.username)
    assert "Dòng tiêu đề: 4" in out
    assert "[Mã số HTX] → tax_code (Mã số thuế) — theo từ đồng nghĩa" in out
    assert "Cột bỏ qua: STT, Khu dân cư" in out
    assert "0 dòng lỗi" in out
    assert not ColumnMapping.objects.exists()

    out = run_cli(
        str(path), "--dry-run", "--user", officer_19.username,
        "--map", "Khu dân cư=street", "--map", "STT=", "--remember",
    )  # fmt: skip
    assert "[Khu dân cư] → street" in out and "Cột bỏ qua: STT" in out
    assert ColumnMapping.objects.get().province == "19"
    # Remembered: the next run reads the file so without being told.
    out = run_cli(str(path), "--dry-run", "--user", officer_19.username)
    assert "[Khu dân cư] → street (Số nhà, đường, thôn) — đã xác nhận trước đây" in out

    quiet = {"stdout": io.StringIO()}
    with pytest.raises(CommandError, match="Tệp không có cột “Không có” ở dòng 4"):
        call_command("import", str(path), "--dry-run", "--map", "Không có=name", **quiet)
    with pytest.raises(CommandError, match="Không có trường “ten”"):
        call_command("import", str(path), "--dry-run", "--map", "STT=ten", **quiet)


def test_after_a_dry_run_the_mapping_can_change_until_the_file_is_written(client, officer_19):
    client.force_login(officer_19)
    rows = provincial_rows(codes())
    rows[3][NOTES] = "Khu dân cư"
    upload(client, rows)
    job = ImportJob.objects.get()
    url = reverse("exchange:job-mapping", args=[job.pk])
    keys = client.get(url).context["proposal"].keys
    form = {f"column-{i}": key for i, key in enumerate(keys)}
    client.post(url, {**form, "header_row": 4, "confirm": "1"})
    job.refresh_from_db()
    assert job.status == JobStatus.VALID
    page = client.get(reverse("exchange:job", args=[job.pk]))
    assert 'id="mapping-link"' in page.content.decode()

    form[f"column-{NOTES}"] = "street"  # read the notes as the street after all
    client.post(url, {**form, "header_row": 4, "confirm": "1"})
    job.refresh_from_db()
    assert job.status == JobStatus.VALID and job.column_keys[NOTES] == "street"
    assert AuditEntry.objects.filter(action="import_mapping").count() == 2

    client.post(reverse("exchange:job-commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Organisation.objects.get(name="Hợp tác xã Chè Tân Cương Xanh").street == "Xóm Hồng Thái"
    response = client.post(url, {**form, "header_row": 4, "confirm": "1"})
    assert response.status_code == 400
    assert "không đổi được cách đọc cột" in response.content.decode()
