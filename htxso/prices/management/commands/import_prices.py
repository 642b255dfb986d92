"""`htxso import_prices FILE [--dry-run] [--user USERNAME]`: check a price file (--dry-run) or
check and write it, all or nothing; exit code 1 when the file has errors. The same job and
functions as the page (`prices/import_jobs.py`), run here."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.jobs import JobStatus
from htxso.core.values import format_number as vn
from htxso.prices import import_jobs


class Command(BaseCommand):
    help = (
        "Nhập giá nông sản từ tệp XLSX/CSV (mẫu: /prices/import/template.xlsx): mỗi dòng được "
        "kiểm tra như giá báo trên trang; tệp có lỗi thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument("--user", help="tên đăng nhập người thực hiện (mặc định: hệ thống)")
        parser.add_argument("--show", type=int, default=100, help="số ghi chú in ra")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng {options['user']}")
        try:
            with open(path, "rb") as handle:
                job = import_jobs.create_job(user, File(handle), path.name)
        except ValidationError as exc:  # refused by its bytes or its size
            self.stdout.write(exc.messages[0])
            sys.exit(1)
        status = import_jobs.run_now(user, job, commit=not options["dry_run"])
        job.refresh_from_db()
        summary = job.summary or {}
        self.stdout.write(
            f"{job.filename} ({job.encoding or '—'}): {vn(job.rows)} dòng, "
            f"{vn(job.error_rows)} dòng lỗi; {vn(summary.get('created', 0))} giá mới, "
            f"{vn(summary.get('unchanged', 0))} đã có, {vn(summary.get('outliers', 0))} bất thường"
        )
        if job.message:
            self.stdout.write(job.message)
        for issue in job.issues.all()[: options["show"]]:
            self.stdout.write(f"dòng {issue.row} · {issue.column or '—'}: {issue.message}")
        if status == JobStatus.DONE:
            self.stdout.write("Đã ghi.")
        elif status == JobStatus.VALID:
            self.stdout.write("Kiểm tra xong, không có lỗi; chưa ghi gì (--dry-run).")
        else:
            self.stdout.write("Không ghi gì.")
            sys.exit(1)
