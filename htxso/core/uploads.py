"""Uploaded files: stored once, checked by their content, downloaded only by who may see them.

`store_upload` streams an upload to the default storage (under MEDIA_ROOT: never served by the
static files handler nor by a URL of its own — `urls.py` maps no MEDIA_URL), computing its
SHA-256 and size on the way (the hash is computed once, here), then looks at the bytes: an
XLSX is a ZIP holding `[Content_Types].xml` and `xl/workbook.xml`; a CSV is text (no NUL byte:
UTF-8, Windows-1258, TCVN3 and VNI are all 8-bit). The extension and the browser's content type
are not trusted: a file whose bytes disagree with its name is refused, and removed. Refusals
are `UploadRefused` (a `ValidationError`) with a Vietnamese message.

`store_document` does the same for the files of a dossier (registration): PDF, JPEG or PNG by
their first bytes (`%PDF-`, `FF D8 FF`, the PNG signature), the name's extension agreeing.

`attachment` streams a stored file back with `Content-Disposition: attachment`, after
`core.scoping.may(user, "view", owner)` on the object (a job) that owns it.
"""

import hashlib
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .scoping import Action, may

XLSX, CSV = "xlsx", "csv"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
CHUNK = 1 << 20
SNIFF_BYTES = 64 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
PDF, JPEG, PNG = "pdf", "jpeg", "png"
DOCUMENT_SUFFIXES = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
DOCUMENT_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


class UploadRefused(ValidationError):
    """An upload that is not stored: its type, its size. The message is Vietnamese."""


@dataclass(frozen=True)
class StoredUpload:
    """A stored upload: its name in the storage, the name the user gave, its SHA-256, its size
    in bytes and its type by content (`XLSX` or `CSV`)."""

    name: str
    filename: str
    sha256: str
    size: int
    kind: str


def megabytes(size: int) -> str:
    """A size in MB as Vietnamese write it: 20, 2048, 1,5."""
    return f"{size / 2**20:.1f}".rstrip("0").rstrip(".").replace(".", ",") or "0"


def too_large(limit: int) -> str:
    return _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": megabytes(limit)}


def not_tabular(expected: str | None = None) -> str:
    """Why a file is refused by its bytes; for a file named .xlsx, also what to do."""
    message = _("Tệp không phải XLSX hay CSV.")
    if expected == XLSX:
        message += " " + _(
            "Không mở được tệp Excel (.xlsx): tệp không đúng định dạng .xlsx (có thể là tệp "
            "khác được đổi tên). Hãy mở bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8."
        )
    return message


def kind_by_name(filename: str) -> str | None:
    suffix = Path(filename).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return XLSX
    if suffix in CSV_SUFFIXES:
        return CSV
    return None


def sniff(handle: IO[bytes]) -> str | None:
    """The type of a file by its bytes: `XLSX`, `CSV`, or None (neither). Reads from the start
    of a seekable binary file and leaves it there."""
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            handle.seek(0)
        return XLSX if all(part in names for part in XLSX_PARTS) else None
    if not head or b"\x00" in head:
        return None
    return CSV


class _Hashing(File):
    """An upload read once, in chunks, into the storage: its digest and size counted on the way,
    and the storage stopped once it passes the limit."""

    def __init__(self, content: Any, limit: int) -> None:
        super().__init__(content, getattr(content, "name", None))
        self.digest = hashlib.sha256()
        self.counted = 0
        self.limit = limit

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        source: Any = self.file
        if hasattr(source, "seek"):
            source.seek(0)
        if hasattr(source, "chunks"):
            pieces: Any = source.chunks(CHUNK)
        else:
            pieces = iter(lambda: source.read(CHUNK), b"")
        for piece in pieces:
            self.counted += len(piece)
            if self.counted > self.limit:
                raise UploadRefused(too_large(self.limit))
            self.digest.update(piece)
            yield piece


def _target(upload_to: str, filename: str) -> str:
    """The storage name of a new upload: `upload_to` (strftime) + a safe form of its name."""
    safe = get_valid_filename(Path(filename).name) or "tep"
    return posixpath.join(timezone.now().strftime(upload_to), safe)


def sniff_document(handle: IO[bytes]) -> str | None:
    """PDF, JPEG or PNG by the file's first bytes, or None."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    return next((kind for magic, kind in DOCUMENT_MAGIC if head.startswith(magic)), None)


def _check_tabular(stored: IO[bytes], filename: str) -> str:
    kind = sniff(stored)
    expected = kind_by_name(filename)
    if kind is None or (expected is not None and expected != kind):
        raise UploadRefused(not_tabular(expected))
    return kind


def _check_document(stored: IO[bytes], filename: str) -> str:
    kind = sniff_document(stored)
    expected = DOCUMENT_SUFFIXES.get(Path(filename).suffix.lower())
    if kind is None or expected != kind:
        raise UploadRefused(_("Chỉ nhận tệp PDF, JPEG hoặc PNG (đúng định dạng và đuôi tệp)."))
    return kind


def store_document(
    content: Any,
    filename: str,
    *,
    upload_to: str,
    max_bytes: int,
    storage: Storage | None = None,
) -> StoredUpload:
    """Store a dossier document: PDF, JPEG or PNG by its bytes and its name; `UploadRefused`
    (nothing kept) otherwise, or when empty or larger than `max_bytes`."""
    return _store(content, filename, upload_to, max_bytes, storage, _check_document)


def store_upload(
    content: Any,
    filename: str,
    *,
    upload_to: str,
    max_bytes: int,
    storage: Storage | None = None,
) -> StoredUpload:
    """Store an uploaded (or open binary) file and return what was stored; `UploadRefused`
    (nothing kept) when it is empty, larger than `max_bytes`, or neither XLSX nor CSV by its
    bytes — or its bytes disagree with its name (an XLSX named .csv, text named .xlsx)."""
    return _store(content, filename, upload_to, max_bytes, storage, _check_tabular)


def _store(
    content: Any,
    filename: str,
    upload_to: str,
    max_bytes: int,
    storage: Storage | None,
    check: Callable[[IO[bytes], str], str],
) -> StoredUpload:
    storage = storage or default_storage
    declared = getattr(content, "size", None)
    if declared is not None and declared > max_bytes:
        raise UploadRefused(too_large(max_bytes))
    hashing = _Hashing(content, max_bytes)
    name = storage.get_available_name(_target(upload_to, filename))
    try:
        name = storage.save(name, hashing)
        if hashing.counted == 0:
            raise UploadRefused(_("Tệp trống."))
        with storage.open(name, "rb") as stored:
            kind = check(stored, filename)
    except BaseException:
        if storage.exists(name):  # a refused or broken file is not kept
            storage.delete(name)
        raise
    return StoredUpload(
        name=name,
        filename=Path(filename).name[:255],
        sha256=hashing.digest.hexdigest(),
        size=hashing.counted,
        kind=kind,
    )


def attachment(user: Any, owner: Any, stored: FieldFile, filename: str) -> FileResponse:
    """The stored file of `owner` (a job) as a download, if `user` may view `owner`: 403
    otherwise; 404 when the file is gone."""
    if not may(user, Action.VIEW, owner):
        raise PermissionDenied(_("Bạn không được tải tệp này."))
    if not stored.name or not stored.storage.exists(stored.name):
        raise Http404(_("Tệp không còn được lưu."))
    return FileResponse(
        stored.storage.open(stored.name, "rb"),
        as_attachment=True,
        filename=Path(filename).name or Path(stored.name).name,
        content_type="application/octet-stream",
    )
