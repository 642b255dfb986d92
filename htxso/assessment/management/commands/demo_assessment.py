from typing import Any

from django.core.management.base import BaseCommand

from htxso.assessment.demo import create_demo_assessments


class Command(BaseCommand):
    help = (
        "Phân loại HTX 5 năm qua, vòng phân loại năm nay ở Thái Nguyên và đánh giá chuyển đổi "
        "số của tư vấn viên demo. Chạy lại an toàn."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = create_demo_assessments()
        self.stdout.write(f"Đã tạo {made} bản phân loại các năm trước.")
