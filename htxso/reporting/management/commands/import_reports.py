"""`htxso import_reports FILE --form htx-annual --period 2025 [--dry-run] [--user USERNAME]`:
check a file of reports (--dry-run) or check and write it, all or nothing; exit code 1 when the
file has errors. The same job and service functions as the page (`import_jobs`), run here."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.jobs import JobStatus
from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.reporting import import_jobs
from htxso.reporting.models import ReportForm, ReportImportIssue
from htxso.reporting.report_rows import COUNTS


class Command(BaseCommand):
    help = (
        "Nhập báo cáo của các tổ chức cho một biểu mẫu và một kỳ từ tệp XLSX/CSV: mỗi dòng được "
        "lập, ghi số liệu và nộp như trên trang báo cáo; tệp có lỗi thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--form", required=True, help="mã biểu mẫu, ví dụ htx-annual")
        parser.add_argument("--period", required=True, help="kỳ báo cáo: 2025, 2025S1…")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument("--user", help="tên đăng nhập người thực hiện (mặc định: hệ thống)")
        parser.add_argument("--show", type=int, default=100, help="số ghi chú in ra")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        form = ReportForm.objects.filter(code=options["form"]).first()
        if form is None:
            codes = ", ".join(ReportForm.objects.values_list("code", flat=True))
            raise CommandError(f"Không có biểu mẫu {options['form']} (có: {codes})")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng {options['user']}")
        try:
            with open(path, "rb") as handle:
                job = import_jobs.create_job(user, form, options["period"], File(handle), path.name)
        except ValidationError as exc:  # the period, or the file refused by its bytes or size
            self.stdout.write(exc.messages[0])
            sys.exit(1)
        status = import_jobs.run_now(user, job, commit=not options["dry_run"])
        job.refresh_from_db()
        counts = {**dict.fromkeys(COUNTS, 0), **job.summary}
        self.stdout.write(
            f"{job.filename} ({job.encoding or '—'}): biểu mẫu {form.code}, kỳ "
            f"{job.period} — {vn(job.rows)} dòng, {vn(job.error_rows)} dòng lỗi, "
            f"{vn(job.issues_total)} ghi chú"
        )
        self.stdout.write(
            f"  lập mới {counts['created']}, cập nhật {counts['updated']}, "
            f"không đổi {counts['unchanged']}, nộp {counts['submitted']}"
        )
        findings = ReportImportIssue.objects.filter(job=job).order_by("row", "id")
        for finding in findings[: options["show"]]:
            level = "LỖI" if finding.severity == "error" else "lưu ý"
            column = f" [{finding.column}]" if finding.column else ""
            value = f" {finding.value!r}" if finding.value else ""
            self.stdout.write(f"  dòng {finding.row}{column}{value} — {level}: {finding.message}")
        if job.issues_total > options["show"]:
            self.stdout.write(f"  … và {job.issues_total - options['show']} ghi chú khác")
        if status == JobStatus.DONE:
            self.stdout.write(f"Đã ghi: {counts['submitted']} báo cáo đã nộp.")
        elif status != JobStatus.VALID:
            self.stdout.write(job.message or "Có lỗi: không ghi gì.")
            sys.exit(1)
        else:
            self.stdout.write("Kiểm tra xong, không lỗi (chưa ghi: chạy lại không có --dry-run).")
