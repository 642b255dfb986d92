import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from htxso.tasks.chasing import chase


class Command(BaseCommand):
    help = "Gửi lời nhắc nhiệm vụ sắp đến hạn và quá hạn (mỗi lời nhắc một lần). Chạy hằng ngày."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="ngày (YYYY-MM-DD), mặc định hôm nay")

    def handle(self, *args: Any, **options: Any) -> None:
        on = dt.date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        sent = chase(on)
        self.stdout.write(
            f"Đã gửi {sent['before']} lời nhắc trước hạn, {sent['overdue']} lời nhắc quá hạn."
        )
