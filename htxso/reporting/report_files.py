"""A report file before it is read: on disk (`local_path`), of an accepted type and size
(`refuse_file`), with Vietnamese reasons."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

EXTENSIONS = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


def max_bytes() -> int:
    """The largest file accepted (20 MB: a province's few thousand HTX fit in well under 1 MB)."""
    return int(getattr(settings, "REPORT_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "REPORT_IMPORT_MAX_ROWS", 20_000))


@contextmanager
def local_path(source: Any, filename: str) -> Iterator[tuple[Path, str, int]]:
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
