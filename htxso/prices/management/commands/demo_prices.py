from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from htxso.prices import demo


class Command(BaseCommand):
    help = "Giá demo: chuỗi giá Ngân hàng Thế giới, giá báo tại Đắk Lắk, dự báo (chỉ để demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.run(options["seed"])
        self.stdout.write(f"Giá demo: {result}")
