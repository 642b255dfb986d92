from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.reporting import statistics
from htxso.reporting.periods import Period


class Command(BaseCommand):
    help = (
        "Dựng lại khối số liệu: các chỉ tiêu từ báo cáo đã duyệt, và số liệu sổ đăng ký của "
        "các kỳ 6 tháng đã qua (tính lại theo lịch sử đến cuối kỳ), số liệu chợ HTX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", default=[], help="kỳ 6 tháng, vd 2025S1")
        parser.add_argument("--reports", action="store_true", help="dựng lại chỉ tiêu báo cáo")
        parser.add_argument(
            "--provided",
            action="store_true",
            help="đếm lại số liệu chợ HTX (thương mại điện tử) của kỳ 6 tháng đang chạy",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periods = [Period.parse(code) for code in options["period"]]
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        for period in periods:
            if period.half is None:
                raise CommandError(f"{period.code}: số liệu sổ đăng ký tính theo kỳ 6 tháng.")
            with transaction.atomic():
                cells = statistics.rebuild_registry_period(period)
                cells += statistics.rebuild_provided(period)
            self.stdout.write(f"Kỳ {period.code}: {vn(cells)} ô")
        if options["provided"] or not periods:
            with transaction.atomic():
                cells = statistics.rebuild_provided(statistics.running_period())
            self.stdout.write(f"Số liệu chợ HTX kỳ đang chạy: {vn(cells)} ô")
        if options["reports"] or not periods:
            self.stdout.write(f"Chỉ tiêu báo cáo: {vn(statistics.rebuild_reports())} ô")
