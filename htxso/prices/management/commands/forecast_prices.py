from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from htxso.prices import jobs


class Command(BaseCommand):
    help = (
        "Dự báo và kiểm tra lại (backtest) mọi chuỗi giá đủ lịch sử. Mặc định chạy ngay tại "
        "đây; --queue đưa vào hàng đợi nền (Celery khi có)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            count = jobs.schedule()
            self.stdout.write(f"Đã xếp hàng {count} chuỗi.")
            return
        with override_settings(JOBS_BACKEND="inline"):
            count = jobs.schedule()
        self.stdout.write(f"Đã dự báo {count} chuỗi.")
