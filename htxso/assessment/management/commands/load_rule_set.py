import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.assessment import services


class Command(BaseCommand):
    help = (
        "Nạp một phiên bản bộ tiêu chí (phân loại HTX hoặc chuyển đổi số) từ tệp JSON: kiểm tra "
        "trước khi nạp, áp dụng từ năm ghi trong tệp; phiên bản đã nạp không sửa được."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definition = json.loads(Path(options["path"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        try:
            rule_set = services.load_rule_set(None, definition)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã nạp {rule_set.code}, áp dụng từ năm {rule_set.applies_from}.")
