"""Report import jobs: one uploaded file of reports for a form and a period, its dry run, its
commit and its findings — on the jobs framework of `htxso.core.jobs`, like the registry's."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.jobs import BaseFinding, BaseJob
from htxso.core.scoping import Kind, Scope, ScopedQuerySet
from htxso.tabular.findings import Severity

from .models import ReportForm


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

    # The keys of `summary` as people read them (`report_rows.COUNTS`).
    SUMMARY_LABELS: ClassVar[dict[str, Any]] = {
        "created": _("lập mới"),
        "updated": _("cập nhật báo cáo đang soạn"),
        "unchanged": _("không đổi"),
        "submitted": _("nộp"),
    }

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="report_import_job_owner")
        ]
        verbose_name = _("lượt nhập báo cáo")
        verbose_name_plural = _("lượt nhập báo cáo")

    def describe(self) -> list[tuple[Any, Any]]:
        return [(_("Biểu mẫu"), self.form.code), (_("Kỳ báo cáo"), self.period)]


class ReportImportIssue(BaseFinding):
    """One finding of the last run (`core.jobs.BaseFinding`)."""

    job = models.ForeignKey(ReportImportJob, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=12, choices=Severity.choices)

    class Meta(BaseFinding.Meta):
        indexes = [models.Index(fields=["job", "row"], name="report_import_issue_job")]
