"""Price files: one uploaded file of prices, its dry run, its commit and its findings — on the
jobs framework of `htxso.core.jobs`, like the registry's and the reports' imports."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.jobs import BaseFinding, BaseJob
from htxso.core.scoping import Kind, Scope, ScopedQuerySet
from htxso.tabular.findings import Severity


class PriceImportJob(BaseJob):
    file = models.FileField(upload_to="price-imports/%Y/%m/")

    scope = Scope(Kind.JOB, owner="created_by_id")
    objects = ScopedQuerySet.as_manager()

    # The keys of `summary` as people read them (`price_file.run`).
    SUMMARY_LABELS: ClassVar[dict[str, Any]] = {
        "created": _("Giá ghi mới"),
        "unchanged": _("Giá đã có, bỏ qua"),
        "outliers": _("Giá bất thường (được ghi, có đánh dấu)"),
        "series": _("Chuỗi giá"),
    }

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="price_import_job_owner")
        ]
        verbose_name = _("lượt nhập giá")
        verbose_name_plural = _("lượt nhập giá")


class PriceImportIssue(BaseFinding):
    """One finding of the last run (`core.jobs.BaseFinding`)."""

    job = models.ForeignKey(PriceImportJob, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=12, choices=Severity.choices)

    class Meta(BaseFinding.Meta):
        indexes = [models.Index(fields=["job", "row"], name="price_import_issue_job")]
