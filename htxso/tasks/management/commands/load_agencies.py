from typing import Any

from django.core.management.base import BaseCommand

from htxso.tasks.reference import ensure_agencies


class Command(BaseCommand):
    help = "Nạp danh mục cơ quan (bộ, ngành và UBND 34 tỉnh, thành phố). Chạy lại an toàn."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Đã thêm {ensure_agencies()} cơ quan.")
