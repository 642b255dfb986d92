from typing import Any

from django.core.management.base import BaseCommand

from htxso.tasks.demo import create_demo_tasks
from htxso.tasks.forum.demo import create_demo_forum


class Command(BaseCommand):
    help = (
        "Văn bản chỉ đạo, nhiệm vụ và diễn đàn demo (7470/VPCP-NN, Thái Nguyên). Chạy lại an toàn."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Đã tạo {create_demo_tasks()} nhiệm vụ demo.")
        self.stdout.write(f"Đã tạo {create_demo_forum()} kiến nghị demo tại diễn đàn.")
