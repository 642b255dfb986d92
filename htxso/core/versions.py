"""Optimistic locking, one way for every app: a record carries a `version`; an edit names the
version it was based on and is refused with `StaleEdit` when the record has moved on (the API
answers 409 with the current version, a page asks to reload)."""

from typing import Any

from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """The edit was based on an older version of the record."""

    def __init__(self, current_version: int, message: str | None = None) -> None:
        super().__init__(
            message or _("Hồ sơ đã được người khác cập nhật; vui lòng tải lại trước khi sửa.")
        )
        self.current_version = current_version


def check_version(record: Any, expected_version: int) -> None:
    """Raise `StaleEdit` unless `record` (read under `select_for_update`) is still at
    `expected_version`."""
    if record.version != expected_version:
        raise StaleEdit(record.version)
