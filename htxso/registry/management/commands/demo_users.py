from typing import Any

from django.core.management.base import BaseCommand

from htxso.registry.demo import DEMO_PASSWORD, create_demo_users


class Command(BaseCommand):
    help = "Tạo (hoặc đặt lại) một tài khoản thử nghiệm cho mỗi vai trò — chỉ dùng cho bản demo."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, label in create_demo_users():
            self.stdout.write(f"  {username:<18} {role} — {label}")
        self.stdout.write("  (công chúng: không cần đăng nhập)")
