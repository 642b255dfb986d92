"""Import jobs: one uploaded file, its dry run, its commit, and the report of each row."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet
from htxso.tabular.findings import Severity

from .layouts import MEMBERS, ORGANISATIONS

__all__ = ["ImportIssue", "ImportJob", "JobStatus", "Severity", "Strategy", "summary_label"]


class Strategy(models.TextChoices):
    CREATE = "create", _("Chỉ thêm mới")
    UPDATE = "update", _("Chỉ cập nhật")
    UPSERT = "upsert", _("Thêm mới và cập nhật")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    VALIDATING = "validating", _("Đang kiểm tra")
    VALID = "valid", _("Kiểm tra xong, sẵn sàng ghi")
    INVALID = "invalid", _("Có lỗi, chưa ghi gì")
    COMMITTING = "committing", _("Đang ghi")
    DONE = "done", _("Đã ghi vào cơ sở dữ liệu")
    FAILED = "failed", _("Thất bại, chưa ghi gì")


RUNNING = frozenset({JobStatus.QUEUED, JobStatus.VALIDATING, JobStatus.COMMITTING})

# The keys of `ImportJob.summary` ({"people": {"created": 12, …}, …}) as people read them.
SUMMARY_LABELS = {
    ORGANISATIONS: _("Tổ chức"),
    "people": _("Người"),
    "memberships": _("Tư cách thành viên"),
    "created": _("Thêm mới"),
    "updated": _("Cập nhật"),
    "unchanged": _("Không đổi"),
    "status_changes": _("Đổi tình trạng"),
}


def summary_label(key: str) -> str:
    """The label of a summary key in the active language (an unknown key as it is)."""
    return str(SUMMARY_LABELS.get(key, key))


class ImportJobQuerySet(ScopedQuerySet):
    """A user's own jobs; a system administrator sees everyone's (`ImportJob.scope`)."""


class ImportJob(models.Model):
    kind = models.CharField(
        _("loại dữ liệu"),
        max_length=16,
        choices=[(ORGANISATIONS, _("Tổ chức")), (MEMBERS, _("Thành viên"))],
    )
    strategy = models.CharField(_("cách ghi"), max_length=8, choices=Strategy.choices)
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    commit_requested = models.BooleanField(default=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(_("bảng mã"), max_length=40, blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    error_rows = models.PositiveIntegerField(_("số dòng lỗi"), default=0)
    issues_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # created/updated/unchanged per model
    message = models.TextField(blank=True)  # why a run failed
    created_by = models.ForeignKey(  # None: the system (the `htxso import` command)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    scope = Scope(Kind.JOB, owner="created_by_id")
    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_job_owner")]
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    def summary_items(self) -> list[tuple[str, list[tuple[str, Any]]]]:
        """The summary with labels: [("Người", [("Thêm mới", 12), …]), …]."""
        items = []
        for model, counts in (self.summary or {}).items():
            if isinstance(counts, dict):
                pairs = [(summary_label(name), n) for name, n in counts.items()]
            else:
                pairs = [("", counts)]
            items.append((summary_label(model), pairs))
        return items


class ImportIssue(models.Model):
    """One finding of the last run: a row, a column, the value, a Vietnamese message."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("dòng"))
    column = models.CharField(_("cột"), max_length=120, blank=True)
    value = models.CharField(_("giá trị"), max_length=400, blank=True)
    message = models.CharField(_("nội dung"), max_length=600)
    severity = models.CharField(max_length=12, choices=Severity.choices)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "severity", "row"], name="import_issue_job")]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"
