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
