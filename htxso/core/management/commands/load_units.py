from typing import Any

from django.core.management.base import BaseCommand

from htxso.core.units import load_units


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính hiện hành (34 tỉnh, 3.321 xã) và đơn vị cũ (63 tỉnh) "
        "— chạy lại an toàn."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_units()
        self.stdout.write(
            f"Tỉnh/thành: {result.provinces}; xã/phường: {result.communes}; "
            f"tỉnh cũ: {result.legacy_provinces}; huyện cũ: {result.legacy_districts}; "
            f"xã cũ: {result.legacy_communes} (chưa ánh xạ: {result.unmapped_legacy_communes})"
        )
