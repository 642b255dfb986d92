from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from htxso.prices import ingest


class Command(BaseCommand):
    help = (
        "Nạp giá hằng tháng của Ngân hàng Thế giới (Pink Sheet; mặc định: tệp kèm theo mã "
        "nguồn) cùng danh mục mặt hàng, tỷ giá và lịch thời vụ. Chạy lại an toàn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(ingest.WORLD_BANK))

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = ingest.load_world_bank(Path(options["file"]))
        self.stdout.write(
            f"{loaded.series} chuỗi, {loaded.observations} quan sát, "
            f"{loaded.outliers} giá bất thường (đánh dấu), {len(loaded.errors)} dòng lỗi."
        )
        for error in loaded.errors[:20]:
            self.stderr.write(error)
