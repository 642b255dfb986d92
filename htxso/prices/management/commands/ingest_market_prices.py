from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from htxso.prices import sales


class Command(BaseCommand):
    help = (
        "Tính giá bán trung vị mỗi tháng trên sàn HTX Số (theo mặt hàng và tỉnh của người bán, "
        "đơn đã giao hoặc đã trả tiền) và ghi thành chuỗi giá. Chạy hằng ngày."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=sales.MONTHS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["months"] <= 120:
            self.stderr.write("--months phải từ 1 đến 120.")
            raise SystemExit(2)
        found = sales.ingest(months=options["months"])
        self.stdout.write(
            f"{found.series} chuỗi: {found.created} tháng mới, {found.updated} tháng đổi, "
            f"{found.unchanged} không đổi, {found.removed} bỏ đi; "
            f"{found.too_few} tháng dưới {sales.MIN_ORDERS} đơn không công bố."
        )
