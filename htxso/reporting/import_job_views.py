"""The pages of one report import job: `core.job_views.JobPages`, the same as the registry
import's (progress, findings, "Ghi", "Chạy lại", the findings workbook, the uploaded file)."""

from htxso.core.job_views import JobPages
from htxso.tabular.findings_workbook import findings_workbook

from .models import ReportImportIssue, ReportImportJob

pages = JobPages(
    model=ReportImportJob,
    findings=ReportImportIssue,
    namespace="reporting",
    route="import-job",
    template="reporting/import_job.html",
    workbook=findings_workbook,
    download_prefix="bao-cao-nhap-bc",
    select_related=("form",),
)
