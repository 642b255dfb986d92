"""Import jobs: one uploaded file, its dry run, its commit, and the report of each row."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.jobs import RUNNING, BaseFinding, BaseJob, JobStatus
from htxso.core.scoping import Kind, Scope, ScopedQuerySet
from htxso.tabular.findings import Severity

from .layouts import MEMBERS, ORGANISATIONS

__all__ = [
    "RUNNING",
    "ImportIssue",
    "ImportJob",
    "JobStatus",
    "Severity",
    "Strategy",
]


class Strategy(models.TextChoices):
    CREATE = "create", _("Chỉ thêm mới")
    UPDATE = "update", _("Chỉ cập nhật")
    UPSERT = "upsert", _("Thêm mới và cập nhật")


class ImportJobQuerySet(ScopedQuerySet):
    """A user's own jobs; a system administrator sees everyone's (`ImportJob.scope`)."""


class ImportJob(BaseJob):
    """A registry import: the status, counters and upload of `core.jobs.BaseJob`, and what the
    file holds (`kind`) and how it is written (`strategy`)."""

    kind = models.CharField(
        _("loại dữ liệu"),
        max_length=16,
        choices=[(ORGANISATIONS, _("Tổ chức")), (MEMBERS, _("Thành viên"))],
    )
    strategy = models.CharField(_("cách ghi"), max_length=8, choices=Strategy.choices)
    # How the file is read, once confirmed (`mapping.py`): the header's row number and, for
    # each of its columns, the field it holds ("" for a column left out). None: found by the
    # importer (the header row that names most columns, headers matched by name).
    header_row = models.PositiveIntegerField(_("dòng tiêu đề"), null=True, blank=True)
    column_keys = models.JSONField(_("cột → trường"), null=True, blank=True)
    needs_mapping = models.BooleanField(_("chờ xác nhận cột"), default=False)

    scope = Scope(Kind.JOB, owner="created_by_id")
    objects = ImportJobQuerySet.as_manager()

    # The keys of `summary` ({"people": {"created": 12, …}, …}) as people read them.
    SUMMARY_LABELS: ClassVar[dict[str, Any]] = {
        ORGANISATIONS: _("Tổ chức"),
        "people": _("Người"),
        "memberships": _("Tư cách thành viên"),
        "created": _("Thêm mới"),
        "updated": _("Cập nhật"),
        "unchanged": _("Không đổi"),
        "status_changes": _("Đổi tình trạng"),
    }

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_job_owner")]
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")

    def describe(self) -> list[tuple[Any, Any]]:
        return [
            (_("Loại dữ liệu"), self.get_kind_display()),
            (_("Cách ghi"), self.get_strategy_display()),
        ]


class ImportIssue(BaseFinding):
    """One finding of the last run (`core.jobs.BaseFinding`)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=12, choices=Severity.choices)

    class Meta(BaseFinding.Meta):
        indexes = [models.Index(fields=["job", "severity", "row"], name="import_issue_job")]


class SynonymKind(models.TextChoices):
    HEADER = "header", _("Tiêu đề cột")
    VALUE = "value", _("Giá trị trong ô")


class Synonym(models.Model):
    """A word provinces use for a column or a value, kept as data (`exchange/synonyms.py`):
    a header ("Tên hợp tác xã" → `name`) or a value of a column ("Ngừng hoạt động" →
    `not_operating` in `status`). The catalogue ships in `exchange/fixtures/synonyms.json`
    (loaded by a migration) and is edited by system administrators in the admin (audited)."""

    kind = models.CharField(_("loại"), max_length=8, choices=SynonymKind.choices)
    layout = models.CharField(
        _("tệp"),
        max_length=16,
        blank=True,
        choices=[("", _("Mọi tệp")), (ORGANISATIONS, _("Tổ chức")), (MEMBERS, _("Thành viên"))],
    )
    column = models.CharField(_("cột (mã trường)"), max_length=40)
    text = models.CharField(_("cách viết"), max_length=200)
    value = models.CharField(
        _("giá trị (mã)"), max_length=100, blank=True, help_text=_("Chỉ với loại “Giá trị”.")
    )

    class Meta:
        ordering = ["kind", "layout", "column", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "layout", "column", "text"], name="exchange_synonym_unique"
            )
        ]
        verbose_name = _("từ đồng nghĩa khi nhập")
        verbose_name_plural = _("từ đồng nghĩa khi nhập")

    def __str__(self) -> str:
        target = self.value or self.column
        return f"{self.text} → {target}"


class ColumnMapping(models.Model):
    """A confirmed way of reading a file, remembered for a province (blank: national users)
    and a file shape (the SHA-256 of its normalised header row and layout), so that the next
    file of that shape goes straight to its dry run."""

    province = models.CharField(_("tỉnh/thành phố"), max_length=2, blank=True)
    layout = models.CharField(_("loại dữ liệu"), max_length=16)
    shape = models.CharField(_("dạng tệp"), max_length=64)
    headers = models.JSONField(_("tiêu đề"))
    column_keys = models.JSONField(_("cột → trường"))
    confirmed_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("lúc xác nhận"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["province", "layout", "shape"], name="exchange_mapping_unique"
            )
        ]
        verbose_name = _("cách đọc cột đã xác nhận")
        verbose_name_plural = _("cách đọc cột đã xác nhận")

    def __str__(self) -> str:
        return f"{self.province or '—'} {self.layout} {self.shape[:12]}"
