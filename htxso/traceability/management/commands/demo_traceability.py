from typing import Any

from django.core.management.base import BaseCommand

from htxso.traceability.demo import create_demo_traceability


class Command(BaseCommand):
    help = "Nhật ký sản xuất và chuỗi sự kiện EPCIS demo (HTX của quanly.htx). Chạy lại an toàn."

    def handle(self, *args: Any, **options: Any) -> None:
        written = create_demo_traceability()
        self.stdout.write(f"Đã ghi {written} sự kiện truy xuất demo.")
