import argparse
import dataclasses
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.values import format_number as vn  # 2.812, not 2,812
from htxso.registry.generator import COUNTS, SCALES, RegistryNotEmpty, generate


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"“{text}” không phải số nguyên không âm.")
    return value


class Command(BaseCommand):
    help = "Sinh dữ liệu mẫu có tính xác định (cùng seed, cùng dữ liệu) cho sổ đăng ký HTX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--province", help="mã tỉnh cho quy mô 'province' (mặc định 19)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="xóa toàn bộ tổ chức, cá nhân, thành viên hiện có trước khi sinh",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="không làm gì nếu cơ sở dữ liệu đã có tổ chức"
        )
        for name, label in COUNTS.items():
            parser.add_argument(
                f"--{name}", type=_count, help=f"{label} (thay số của quy mô đã chọn)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        from htxso.registry.models import Organisation

        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("Đã có dữ liệu sổ đăng ký; bỏ qua bước sinh dữ liệu mẫu.")
            return
        given = {name: options[name] for name in COUNTS if options.get(name) is not None}
        scale = dataclasses.replace(SCALES[options["scale"]], **given)
        try:
            result = generate(
                scale,
                options["seed"],
                options["province"],
                options["replace"],
                progress=lambda message: print(message, file=sys.stderr, flush=True),
            )
        except (RegistryNotEmpty, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã sinh {vn(result.organisations)} tổ chức, {vn(result.people)} cá nhân, "
            f"{vn(result.memberships)} tư cách thành viên, "
            f"{vn(result.status_changes)} thay đổi tình trạng trong {result.seconds:.1f} giây."
        )
