from typing import Any

from django.core.management.base import BaseCommand

from htxso.marketplace.demo import create_demo_market


class Command(BaseCommand):
    help = "Chợ HTX demo: gian hàng, sản phẩm có ảnh và sao OCOP, đơn hàng của người mua demo."

    def handle(self, *args: Any, **options: Any) -> None:
        made = create_demo_market()
        self.stdout.write(f"Đã tạo {made} sản phẩm demo của Chợ HTX.")
