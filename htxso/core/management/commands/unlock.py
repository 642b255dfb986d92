from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.lockout import unlock
from htxso.core.models import User
from htxso.core.twofactor import reset_devices


class Command(BaseCommand):
    help = (
        "Mở khóa tài khoản bị khóa do đăng nhập sai (ghi nhật ký); "
        "--reset-otp xóa thiết bị xác thực hai lớp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset-otp",
            action="store_true",
            help="xóa thiết bị xác thực hai lớp (mất điện thoại): người dùng đăng ký lại",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("Không có người dùng này.")
        if unlock(None, user):
            self.stdout.write(f"Đã mở khóa {user.username}.")
        else:
            self.stdout.write(f"{user.username} không bị khóa.")
        if options["reset_otp"]:
            self.stdout.write(f"Đã xóa {reset_devices(None, user)} thiết bị xác thực.")
