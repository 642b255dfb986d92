import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from htxso.core.audit import record
from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.reporting import services, statistics
from htxso.reporting.models import ReportForm

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference.json"


class Command(BaseCommand):
    help = (
        "Nạp biểu mẫu báo cáo, danh mục chỉ tiêu và mục tiêu (Quyết định 1318, Nghị quyết 20, "
        "tỉnh) — chạy lại an toàn; rồi đếm số liệu sổ đăng ký của kỳ hiện tại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(REFERENCE), help="tệp JSON dữ liệu tham chiếu")

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        counts = services.load_reference(data)
        cells = statistics.refresh_registry(None)
        form = ReportForm.objects.order_by("code").first()
        if form is not None and counts["versions"]:
            record(None, "load_reporting", form, None, counts)
        self.stdout.write(
            f"Biểu mẫu: {counts['forms']} (phiên bản mới: {counts['versions']}); "
            f"chỉ tiêu: {counts['indicators']}; mục tiêu: {counts['targets']}; "
            f"ô số liệu kỳ hiện tại: {vn(cells)}"
        )
