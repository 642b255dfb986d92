from typing import Any

from django.core.management.base import BaseCommand

from htxso.registration.demo import create_demo_applications


class Command(BaseCommand):
    help = "Hồ sơ đăng ký demo ở mọi trạng thái (Thái Nguyên). Chạy lại an toàn."

    def handle(self, *args: Any, **options: Any) -> None:
        created = create_demo_applications()
        self.stdout.write(f"Đã tạo {created} hồ sơ đăng ký demo.")
