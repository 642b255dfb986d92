import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from htxso.registry.generator import COUNTS, SCALES


class Command(BaseCommand):
    help = (
        "Dữ liệu demo trọn bộ, như một bản cài đặt thật sau khi nạp lịch sử: sổ đăng ký mẫu ở "
        "quy mô cả nước, dữ liệu tham chiếu báo cáo, lịch sử báo cáo đã duyệt, công bố các kỳ "
        "đã kết thúc và tài khoản demo. Chạy lại an toàn: dữ liệu đã có thì không sinh lại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="national")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=10)
        for name in COUNTS:
            parser.add_argument(f"--{name}", help="xem `htxso generate --help`")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        out = {"stdout": self.stdout, "stderr": self.stderr}
        seed = str(options["seed"])
        counts = [
            argument
            for name in COUNTS
            if options.get(name) is not None
            for argument in (f"--{name}", str(options[name]))
        ]
        steps: list[tuple[str, ...]] = [
            ("generate", "--scale", options["scale"], "--seed", seed, "--if-empty", *counts),
            ("load_reporting",),
            ("generate_reports", "--years", str(options["years"]), "--seed", seed, "--if-empty"),
            ("release", "--past"),
            ("demo_users",),
            ("demo_registration",),  # registration applications in every state
            ("demo_tasks",),  # steering-committee directives, tasks and reports
            ("demo_prices",),  # prices: World Bank series, reports, forecasts, the catalogue
            ("demo_market",),  # the marketplace: shops, products (tea in the price catalogue)
            ("ingest_market_prices",),  # the marketplace's past sales as price series
            ("demo_traceability",),  # a diary and an EPCIS chain: /01/<gtin>/10/<lot>
            ("demo_assessment",),  # classification rounds of 5 years, DX assessments
        ]
        for name, *arguments in steps:
            call_command(name, *arguments, **out)
        self.stdout.write(f"Dữ liệu demo sẵn sàng sau {time.monotonic() - started:.0f} giây.")
