from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from htxso.reporting import services


class Command(BaseCommand):
    help = (
        "Công bố số liệu của các kỳ đã kết thúc (với tư cách hệ thống, có ghi nhật ký): "
        "các kỳ được nêu, hoặc --past: mọi kỳ đã kết thúc có số liệu mà chưa công bố."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periods", nargs="*", help="kỳ cần công bố, ví dụ 2025 hoặc 2026S1")
        parser.add_argument(
            "--past",
            action="store_true",
            help="công bố mọi kỳ đã kết thúc có số liệu mà chưa công bố (chạy lại an toàn)",
        )
        parser.add_argument("--note", default="", help="ghi chú kèm theo lần công bố")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["periods"] and not options["past"]:
            raise CommandError("Hãy nêu kỳ cần công bố (ví dụ 2025) hoặc dùng --past.")
        note = options["note"]
        try:
            with transaction.atomic():  # all the periods named, or none
                released = [services.release(None, code, note) for code in options["periods"]]
                if options["past"]:
                    released += services.release_past(None, note)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if released:
            codes = ", ".join(r.period for r in released)
            self.stdout.write(f"Đã công bố {len(released)} kỳ: {codes}.")
        else:
            self.stdout.write("Không có kỳ nào cần công bố thêm.")
