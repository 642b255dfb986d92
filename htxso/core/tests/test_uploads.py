"""`core.uploads`: the type by the bytes (not the name, not the browser), the size limit, the
SHA-256 computed while storing, nothing kept of a refused file, and the guarded download."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from htxso.core.uploads import CSV, XLSX, UploadRefused, attachment, sniff, store_upload

CSV_BYTES = "Mã số thuế,Tên\r\n0100109106,HTX Hòa Bình\r\n".encode()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_sniff_reads_the_bytes():
    assert sniff(io.BytesIO(_xlsx())) == XLSX
    assert sniff(io.BytesIO(CSV_BYTES)) == CSV
    assert sniff(io.BytesIO(b"T\xean\r\nHTX H\xf2a\r\n")) == CSV
    assert sniff(io.BytesIO(_zip_without_workbook())) is None
    assert sniff(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")) is None  # .xls
    assert sniff(io.BytesIO(b"")) is None


def test_stores_once_with_its_hash_and_size(media):
    upload = SimpleUploadedFile("to-chuc.csv", CSV_BYTES, content_type="application/pdf")
    stored = store_upload(upload, "to-chuc.csv", upload_to="t/%Y/", max_bytes=1 << 20)
    assert stored.sha256 == hashlib.sha256(CSV_BYTES).hexdigest()
    assert stored.size == len(CSV_BYTES) and stored.kind == CSV
    assert (media / stored.name).read_bytes() == CSV_BYTES
    xlsx = store_upload(io.BytesIO(_xlsx()), "bao-cao.xlsx", upload_to="t/", max_bytes=1 << 20)
    assert xlsx.kind == XLSX


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bao-cao.xlsx", CSV_BYTES),  # text named .xlsx
        ("bao-cao.csv", _xlsx()),  # a workbook named .csv
        ("bao-cao.xlsx", _zip_without_workbook()),
        ("bao-cao.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"),
    ],
)
def test_a_file_whose_bytes_are_not_xlsx_or_csv_is_refused_and_not_kept(media, name, data):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    with pytest.raises(UploadRefused, match="Tệp không phải XLSX hay CSV"):
        store_upload(upload, name, upload_to="t/", max_bytes=1 << 20)
    assert not list(media.rglob("*.*"))


def test_oversize_and_empty_files_are_refused(media):
    with pytest.raises(UploadRefused, match=r"Tệp quá lớn \(tối đa 1 MB\)"):
        store_upload(
            SimpleUploadedFile("a.csv", b"x" * (2 << 20)),
            "a.csv",
            upload_to="t/",
            max_bytes=1 << 20,
        )
    # An open file of unknown size is stopped while it is stored, and removed.
    with pytest.raises(UploadRefused, match="Tệp quá lớn"):
        store_upload(io.BytesIO(b"x" * 2048), "a.csv", upload_to="t/", max_bytes=1024)
    with pytest.raises(UploadRefused, match="Tệp trống"):
        store_upload(io.BytesIO(b""), "a.csv", upload_to="t/", max_bytes=1024)
    assert not list(media.rglob("*.*"))


class _Owner:
    """An object `may(user, "view", …)` refuses to everyone but the system."""


def test_the_download_asks_may_view(media, monkeypatch):
    from django.core.files.storage import default_storage
    from django.db.models import FileField
    from django.db.models.fields.files import FieldFile

    stored = store_upload(io.BytesIO(CSV_BYTES), "a.csv", upload_to="t/", max_bytes=1024)
    field = FieldFile(None, FileField(storage=default_storage), stored.name)
    monkeypatch.setattr("htxso.core.uploads.may", lambda user, action, obj: user == "owner")
    with pytest.raises(PermissionDenied):
        attachment("stranger", _Owner(), field, "a.csv")
    response = attachment("owner", _Owner(), field, "tệp gốc.csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == CSV_BYTES
