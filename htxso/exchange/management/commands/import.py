"""`htxso import FILE`: check a file (--dry-run) or check and write it, with a progress bar."""

import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.uploads import UploadRefused
from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.exchange import jobs, mapping, services
from htxso.exchange.layouts import LAYOUTS, MEMBERS, ORGANISATIONS
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus, Severity, Strategy
from htxso.tabular.columns import header_key
from htxso.tabular.sources import FileError


class Command(BaseCommand):
    help = "Nhập tổ chức hoặc thành viên từ tệp XLSX/CSV (kiểm tra trước; tất cả hoặc không gì)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=list(LAYOUTS), default=None)
        parser.add_argument("--strategy", choices=Strategy.values, default=Strategy.UPSERT)
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument("--user", help="tên đăng nhập người thực hiện (mặc định: hệ thống)")
        parser.add_argument("--show", type=int, default=20, help="số lỗi in ra")
        parser.add_argument(
            "--header-row", type=int, help="số dòng tiêu đề (mặc định: dòng nêu nhiều cột nhất)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="TIÊU_ĐỀ=TRƯỜNG",
            help="cột của tệp → trường (mã trường, hoặc để trống sau dấu = để bỏ qua cột)",
        )
        parser.add_argument(
            "--remember",
            action="store_true",
            help="ghi nhớ cách đọc cột này cho các tệp cùng dạng của tỉnh/thành phố",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}")
        kind = options["kind"] or (MEMBERS if "thanh" in path.name.lower() else ORGANISATIONS)
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng {options['user']}")
        with open(path, "rb") as handle:
            try:
                job = services.create_job(user, kind, options["strategy"], File(handle), path.name)
            except UploadRefused as exc:  # the file is refused whole, like an unreadable one
                self.stdout.write(exc.messages[0])
                sys.exit(1)
        self._mapping(user, job, options)
        started = time.monotonic()
        bar = ProgressBar(job.pk, self.stderr)
        bar.start()
        try:
            status = services.run_now(user, job, commit=not options["dry_run"])
        finally:
            bar.stop()
        job.refresh_from_db()
        seconds = time.monotonic() - started
        checked = (
            f"{vn(job.rows)} dòng, {vn(job.error_rows)} dòng lỗi"
            if job.rows
            else "chưa kiểm tra dòng dữ liệu nào (tệp bị từ chối trước các dòng)"
        )
        self.stdout.write(
            f"Lượt nhập #{job.pk} ({job.get_kind_display()}, {job.encoding or '—'}): "
            f"{job.get_status_display()} — {checked}, "
            f"{vn(job.issues_total)} ghi chú, {seconds:.1f} s"
        )
        for model, counts in job.summary_items():
            self.stdout.write(f"  {model}: " + ", ".join(f"{label} {vn(n)}" for label, n in counts))
        if job.message:
            self.stdout.write(job.message)
        issues = ImportIssue.objects.filter(job=job).order_by("row", "id")
        # Errors first, then warnings and notes (unrecognised columns, conversions): both are
        # what a person at the command line must read, not only the stored report.
        for severity, label in ((Severity.ERROR, "lỗi"), (Severity.WARNING, "cảnh báo")):
            for issue in issues.filter(severity=severity)[: options["show"]]:
                self.stdout.write(
                    f"  {label}: dòng {issue.row} [{issue.column}] {issue.value!r}: {issue.message}"
                )
        if status not in (JobStatus.DONE, JobStatus.VALID):
            sys.exit(1)

    def _mapping(self, user: Any, job: ImportJob, options: dict[str, Any]) -> None:
        """The mapping step: the header row and each column's field, printed; corrected by
        --header-row and --map, kept on the job (and remembered with --remember)."""
        try:
            proposal = mapping.propose(job, options["header_row"])
        except FileError:
            return  # the run says why
        keys = proposal.keys
        by_header = {header_key(h): i for i, h in enumerate(proposal.headers) if header_key(h)}
        known = {c.key for c in proposal.layout.readable}
        for item in options["map"]:
            header, _sep, key = item.partition("=")
            position = by_header.get(header_key(header))
            if position is None:
                raise CommandError(f"Tệp không có cột “{header}” ở dòng {proposal.header_row}.")
            if key.strip() and key.strip() not in known:
                raise CommandError(
                    f"Không có trường “{key.strip()}”; các trường: {', '.join(sorted(known))}"
                )
            keys[position] = key.strip()
        if options["map"]:
            proposal.keys_override(keys)
        self.stdout.write(f"Dòng tiêu đề: {proposal.header_row}")
        for (header, how, _samples), match in zip(proposal.rows(), proposal.matches, strict=True):
            if match.column is None:
                self.stdout.write(f"  [{header}] → (bỏ qua: không nhận ra)")
            else:
                field = f"{match.column.key} ({match.column.header})"
                self.stdout.write(f"  [{header}] → {field}{f' — {how}' if how else ''}")
        if proposal.unmapped:
            self.stdout.write("Cột bỏ qua: " + ", ".join(proposal.unmapped))
        guessed = options["header_row"] or options["map"] or options["remember"]
        if guessed or proposal.remembered:
            try:
                services.confirm_mapping(
                    user, job, proposal.header_row, keys, remember=options["remember"]
                )
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from None


class ProgressBar:
    """Draws the job's progress (read from the jobs cache, as a page would) on stderr."""

    def __init__(self, job_id: int, out: Any) -> None:
        import threading

        self.job_id, self.out = job_id, out
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        if sys.stderr.isatty():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            self.out.write("\n")

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            state = jobs.progress_of(self.job_id)
            fraction = float(state.get("fraction", 0))
            filled = int(fraction * 30)
            self.out.write(
                f"\r{state.get('phase', '…'):>6} [{'#' * filled}{'.' * (30 - filled)}] "
                f"{fraction:6.1%}",
                ending="",
            )
            self.out.flush()
