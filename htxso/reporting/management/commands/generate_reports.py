from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from htxso.core.audit import record
from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.reporting.generator import generate_history
from htxso.reporting.models import Report


class Command(BaseCommand):
    help = (
        "Sinh lịch sử báo cáo đã duyệt (báo cáo năm của HTX, liên hiệp HTX; báo cáo 6 tháng "
        "của tỉnh) và dựng lại số liệu các kỳ đã qua — dữ liệu minh họa, thay toàn bộ báo cáo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="không làm gì nếu đã có báo cáo"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Report.objects.exists():
            self.stdout.write("Đã có báo cáo: bỏ qua.")
            return
        result = generate_history(
            options["years"], options["seed"], progress=lambda m: self.stdout.write(m)
        )
        record(
            None,
            "generate_reports",
            None,
            None,
            {"reports": result.reports, "summaries": result.summaries},
            about=("reporting.report", "generate_reports"),
            about_id=f"years={options['years']} seed={options['seed']}",
        )
        self.stdout.write(
            f"Báo cáo năm: {vn(result.reports)}; báo cáo tỉnh: {vn(result.summaries)}; "
            f"ô số liệu: {vn(result.cells)}"
        )
