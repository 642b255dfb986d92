"""Report import jobs: one uploaded file of reports for a form and a period, its dry run, its
commit and its findings — on the jobs framework of `htxso.core.jobs`, like the registry's."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.jobs import BaseJob
from htxso.core.scoping import Kind, Scope, ScopedQuerySet
from htxso.tabular.findings import Severity

from .models import ReportForm

# The keys of `ReportImportJob.summary` as people read them (`report_rows.COUNTS`).
SUMMARY_LABELS = {
    "created": _("lập mới"),
    "updated": _("cập nhật báo cáo đang soạn"),
    "unchanged": _("không đổi"),
    "submitted": _("nộp"),
}


class ReportImportJobQuerySet(ScopedQuerySet):
    """A user's own report imports; a system administrator sees everyone's."""


class ReportImportJob(BaseJob):
    form = models.ForeignKey(
        ReportForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("biểu mẫu")
    )
    period = models.CharField(_("kỳ báo cáo"), max_length=7)
    file = models.FileField(upload_to="report-imports/%Y/%m/")

    scope = Scope(Kind.JOB, owner="created_by_id")
    objects = ReportImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="report_import_job_owner")
        ]
        verbose_name = _("lượt nhập báo cáo")
        verbose_name_plural = _("lượt nhập báo cáo")

    def summary_items(self) -> list[tuple[str, Any]]:
        """The counts with labels: [("lập mới", 2), …]."""
        return [(str(SUMMARY_LABELS.get(k, k)), n) for k, n in (self.summary or {}).items()]


class ReportImportIssue(models.Model):
    """One finding of the last run: a row, a column, the value, a Vietnamese message."""

    job = models.ForeignKey(ReportImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("dòng"))
    column = models.CharField(_("cột"), max_length=120, blank=True)
    value = models.CharField(_("giá trị"), max_length=400, blank=True)
    message = models.CharField(_("nội dung"), max_length=600)
    severity = models.CharField(max_length=12, choices=Severity.choices)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="report_import_issue_job")]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"
