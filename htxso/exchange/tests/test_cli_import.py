"""`htxso import FILE`: the command officers run on a server for large files."""

import io

import pytest
from django.core.management import call_command

from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.models import ImportJob
from htxso.registry.models import Membership, Organisation, Person
from htxso.registry.tests.factories import OrganisationFactory

from .test_importers import csv_bytes, member, table

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def org(db) -> Organisation:
    return OrganisationFactory()  # type: ignore[return-value]


def run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return out.getvalue(), int(exc.code or 0)
    return out.getvalue(), 0


def test_dry_run_prints_the_summary_in_words_and_writes_nothing(org, officer_19, tmp_path):
    path = tmp_path / "thanh-vien.csv"
    path.write_bytes(csv_bytes(table(MEMBER_LAYOUT, [member(org), member(org)])))

    out, code = run(str(path), "--dry-run", "--user", officer_19.username)

    assert code == 0
    assert "2 dòng, 0 dòng lỗi" in out
    assert "Người: Thêm mới 2, Cập nhật 0, Không đổi 0" in out
    assert "Tư cách thành viên: Thêm mới 2, Cập nhật 0, Không đổi 0" in out
    assert "created" not in out  # the keys stay inside
    assert Person.objects.count() == Membership.objects.count() == 0

    out, code = run(str(path), "--user", officer_19.username)
    assert code == 0
    assert Membership.objects.filter(organisation=org).count() == 2


def test_a_file_with_errors_prints_them_and_exits_non_zero(org, officer_19, tmp_path):
    path = tmp_path / "thanh-vien.csv"
    path.write_bytes(csv_bytes(table(MEMBER_LAYOUT, [member(org, joined_on="31/02/2020")])))

    out, code = run(str(path), "--user", officer_19.username)

    assert code == 1
    assert "dòng 2 [Ngày gia nhập] '31/02/2020'" in out
    assert "1 dòng lỗi" in out
    assert Person.objects.count() == 0


def test_unknown_file_and_unknown_user_are_refused_in_words(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import", str(tmp_path / "khong-co.csv"))
    path = tmp_path / "thanh-vien.csv"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import", str(path), "--user", "khong-ai")


def test_warnings_are_printed_and_a_refused_header_is_not_called_zero_rows(
    org, officer_19, tmp_path
):
    path = tmp_path / "thanh-vien.csv"
    cells = table(MEMBER_LAYOUT, [member(org)], extra={"Ghi chú riêng của tỉnh": ["x"]})
    path.write_bytes(csv_bytes(cells))
    out, code = run(str(path), "--dry-run", "--user", officer_19.username)
    assert code == 0
    assert "cảnh báo: dòng 1 [Ghi chú riêng của tỉnh]" in out  # the column nobody reads

    headers_only = [[h for h in cells[0] if h != "Số CCCD"]]
    path.write_bytes(csv_bytes([*headers_only, ["1"] * len(headers_only[0])]))
    out, code = run(str(path), "--dry-run", "--user", officer_19.username)
    assert code == 1
    assert "chưa kiểm tra dòng dữ liệu nào" in out and "0 dòng" not in out
    assert "lỗi: dòng 1" in out
    job = ImportJob.objects.latest("pk")  # the reason stays with the job (its page shows it)
    assert job.message == (
        "Tệp thiếu cột bắt buộc (dòng tiêu đề là dòng 1): “Số CCCD”. Hãy đổi tên cột cho đúng "
        "tệp mẫu hoặc thêm cột."
    )
    assert job.message in out


def test_blank_lines_above_the_header_are_skipped_and_rows_keep_their_numbers(
    org, officer_19, tmp_path
):
    path = tmp_path / "thanh-vien.csv"
    cells = table(MEMBER_LAYOUT, [member(org), member(org, joined_on="31/02/2020")])
    path.write_bytes(b"\r\n,,,\r\n" + csv_bytes(cells).removeprefix(b"\xef\xbb\xbf"))
    out, code = run(str(path), "--dry-run", "--user", officer_19.username)
    assert code == 1
    assert "2 dòng, 1 dòng lỗi" in out
    assert "dòng 5 [Ngày gia nhập] '31/02/2020'" in out  # line 5 of the file


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("trong.csv", b"\r\n\r\n,,,\r\n , ,\r\n", "Tệp trống: không có dòng tiêu đề."),
        ("doi-ten.xlsx", b"Ho ten,CCCD\r\n", "Không mở được tệp Excel (.xlsx): tệp không đúng"),
    ],
)
def test_unreadable_files_are_refused_in_vietnamese(officer_19, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    out, code = run(str(path), "--dry-run", "--user", officer_19.username)
    assert code == 1
    assert message in out
    assert "zip" not in out.lower() and "error" not in out.lower()


@pytest.mark.parametrize("kind", ["members", "organisations"])
def test_a_nul_byte_past_the_sniffed_head_is_refused_with_its_line(org, officer_19, tmp_path, kind):
    """A NUL byte cannot go into PostgreSQL text (COPY failed: a system error); the upload's
    sniff reads only the first 64 KiB. The whole file is refused, naming the line, and
    nothing is written — on both databases alike."""
    from htxso.exchange.layouts import ORGANISATION_LAYOUT

    from .test_importers import organisation

    layout, row = (
        (MEMBER_LAYOUT, member(org)) if kind == "members" else (ORGANISATION_LAYOUT, organisation())
    )
    data = csv_bytes(table(layout, [row] * 1200))
    assert len(data) > 64 * 1024
    lines = data.split(b"\r\n")
    lines[1000] = lines[1000].replace(b",", b",\x00", 1)
    path = tmp_path / "co-ky-tu-rong.csv"
    path.write_bytes(b"\r\n".join(lines))
    before = Organisation.objects.count()

    out, code = run(str(path), "--kind", kind, "--user", officer_19.username)

    assert code == 1
    assert "Tệp có ký tự rỗng (NUL, mã 0) ở dòng 1001" in out
    assert "Lỗi hệ thống" not in out and "DataError" not in out
    assert Organisation.objects.count() == before and Person.objects.count() == 0
    assert ImportJob.objects.get().message.startswith("Tệp có ký tự rỗng")
