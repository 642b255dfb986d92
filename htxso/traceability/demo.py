"""Demo traceability, so `make demo` shows the app alive: the demo manager's cooperative
(`quanly.htx`) keeps a tea diary — a plot, two crops, inputs with their pre-harvest intervals,
two harvests —, mills both lots into a packed product, packs it onto a pallet and ships it; a
second cooperative receives it and sells it. Written through the services (the system acting).
Safe to run again (a second run writes nothing). Never run this on a real system."""

import datetime as dt

from django.db import transaction

from htxso.core import facts
from htxso.core.gs1 import check_digit
from htxso.core.models import Commune, User
from htxso.registry.models import Organisation

from . import services
from .models import Product

UTC = dt.UTC


def _gtin(n: int) -> str:
    body = f"893000000{n:03d}"
    return body + check_digit(body)


def _sscc(n: int) -> str:
    body = f"0893000000{n:07d}"
    return body + check_digit(body)


@transaction.atomic
def create_demo_traceability() -> int:
    """The demo chain; the number of events written (0 when it is already there)."""
    manager = User.objects.filter(username="quanly.htx").first()
    organisation = (
        Organisation.objects.filter(pk=manager.organisation_id).first()
        if manager and manager.organisation_id
        else None
    )
    if organisation is None or Product.objects.filter(gtin=_gtin(101).zfill(14)).exists():
        return 0
    buyer = (
        Organisation.objects.exclude(pk=organisation.pk)
        .filter(province_id="01", status="active")
        .order_by("id")
        .first()
    )
    commune = Commune.objects.filter(province_id=organisation.province_id).order_by("code")[0]
    tea = services.create_product(
        None, organisation.pk, "Chè búp tươi", _gtin(101), public=True,
        certificates=[{"kind": "VietGAP", "number": "VG-19-0042", "valid_until": "31/12/2027"}],
    )  # fmt: skip
    packed = services.create_product(
        None, organisation.pk, "Chè Tân Cương đặc biệt hộp 200 g", _gtin(102),
        description="Chè xanh sao sấy thủ công, hái một tôm hai lá.",
        certificates=[{"kind": "OCOP", "stars": 4}, {"kind": "VietGAP", "number": "VG-19-0042"}],
    )  # fmt: skip
    plot = services.create_plot(None, organisation.pk, commune.pk, "Đồi chè Khuôn Ngàn", 12000)
    north = services.create_plot(
        None, organisation.pk, commune.pk, "Đồi chè Bắc Sơn", 8000, public=False
    )
    tea_calendar = "che" if "che" in dict(facts.commodities()) else ""  # prices' crop calendar
    crop = services.add_crop(
        None, plot.pk, "Chè Kim Tuyên", "crop", dt.date(2025, 2, 10), tea_calendar
    )
    crop_2 = services.add_crop(
        None, north.pk, "Chè Trung du", "crop", dt.date(2025, 3, 1), tea_calendar
    )
    services.add_treatment(None, crop.pk, "Phân hữu cơ vi sinh Sông Gianh", "800 kg/ha",
                           dt.date(2026, 3, 5), 0)  # fmt: skip
    services.add_treatment(None, crop.pk, "Chế phẩm sinh học Bt", "1 kg/ha",
                           dt.date(2026, 4, 10), 7)  # fmt: skip
    services.add_treatment(None, crop_2.pk, "NPK 16-16-8", "300 kg/ha", dt.date(2026, 3, 20), 0)
    services.record_harvest(None, crop.pk, tea.pk, "KN-2604", dt.date(2026, 4, 20), 850)
    services.record_harvest(None, crop_2.pk, tea.pk, "BS-2604", dt.date(2026, 4, 21), 600)
    at = dt.datetime(2026, 4, 22, 1, tzinfo=UTC)
    services.transform(
        None, organisation.pk, [(tea.gtin, "KN-2604", 850), (tea.gtin, "BS-2604", 600)],
        [(packed.gtin, "TC-2604-A", 290)], at,
    )  # fmt: skip
    services.pack(None, organisation.pk, _sscc(1), [(packed.gtin, "TC-2604-A", 290)],
                  at + dt.timedelta(hours=5))  # fmt: skip
    services.ship(None, organisation.pk, [_sscc(1)], at + dt.timedelta(days=1))
    written = 5
    if buyer is not None:
        services.ship(None, buyer.pk, [_sscc(1)], at + dt.timedelta(days=2), step="receiving")
        services.ship(
            None, buyer.pk, [f"{packed.gtin}/TC-2604-A"], at + dt.timedelta(days=3),
            step="retail_selling",
        )  # fmt: skip
        written += 2
    return written
