"""Demo marketplace, so `make demo` shows it alive: the demo manager's cooperative and a few
other active organisations sell tea, rice, honey… (with drawn photos, OCOP stars, one expired),
a demo buyer (`nguoimua`, the demo password) with orders in several states, a seller staff
member of the first shop (`nguoiban`), and six months of delivered orders of the tea packets
named in the price catalogue (run after `demo_prices`, which loads it: `ingest_market_prices`
then keeps their median price per kg). Written through the services. Never run this on a real
system."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from htxso.core import facts, gs1
from htxso.core.audit import record
from htxso.core.models import Commune, User
from htxso.core.roles import Role
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.demo import DEMO_PASSWORD
from htxso.registry.models import Organisation

from . import products as writes
from . import services
from .models import Order, Product

# The goods named in the price catalogue (code, kg per unit): their sales become its prices.
PRICED = {"Chè búp khô Tân Cương": ("che", "0.2"), "Chè Tân Cương đặc biệt": ("che", "0.5")}
# name, category, unit, price, wholesale (price, from), stars, colour of the drawn photo
TRACED_TEA = "893000000102" + gs1.check_digit("893000000102")
GOODS: list[tuple[str, str, str, int, tuple[int, int] | None, int | None, tuple[int, int, int]]] = [
    ("Chè Tân Cương đặc biệt", "tea", "goi", 250_000, (210_000, 10), 4, (46, 125, 50)),
    ("Chè búp khô Tân Cương", "tea", "goi", 180_000, None, 3, (85, 139, 47)),
    ("Trà xanh túi lọc", "tea", "thung", 95_000, None, None, (124, 179, 66)),
    ("Gạo ST25", "rice", "kg", 38_000, (33_000, 50), 5, (240, 230, 200)),
    ("Gạo nếp cái hoa vàng", "rice", "kg", 42_000, None, 4, (250, 240, 190)),
    ("Mật ong hoa nhãn", "processed", "chai", 160_000, None, 3, (255, 179, 0)),
    ("Bưởi Diễn", "fruit", "kg", 55_000, None, None, (205, 220, 57)),
    ("Cá tra phi lê", "seafood", "kg", 85_000, (75_000, 20), None, (176, 190, 197)),
    ("Miến dong Việt Cường", "processed", "goi", 70_000, None, 3, (215, 204, 200)),
    ("Giỏ mây tre đan", "craft", "cai", 120_000, None, None, (161, 136, 127)),
    ("Sâm Ngọc Linh", "herbal", "goi", 900_000, None, 5, (121, 85, 72)),
    ("Nước mắm Phú Quốc", "processed", "chai", 95_000, None, 4, (141, 110, 99)),
]
BANKS = ["970436", "970415", "970418", "970405"]


def _photo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((170, 90, 470, 390), fill=tuple(max(0, c - 40) for c in colour))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("anh.png", out.getvalue())


@transaction.atomic
def create_demo_market() -> int:
    if Product.objects.exists():
        return 0
    manager = User.objects.filter(username="quanly.htx").first()
    sellers: list[Any] = []
    if manager is not None and manager.organisation_id:  # the demo manager's shop, if it trades
        own = Organisation.objects.get(pk=manager.organisation_id)
        if own.status == OrganisationStatus.ACTIVE:
            sellers.append(own)
    others = Organisation.objects.filter(status=OrganisationStatus.ACTIVE).exclude(
        pk__in=[s.pk for s in sellers]
    )
    sellers += list(others.order_by("id")[: 6 - len(sellers)])
    today = timezone.localdate()
    made = 0
    for i, seller in enumerate(sellers):
        writes.save_shop(
            None,
            seller.pk,
            {
                "description": "Sản phẩm của thành viên hợp tác xã, giao hàng toàn quốc.",
                "bank_bin": BANKS[i % len(BANKS)],
                "account_number": f"00110012{seller.pk:05d}"[-13:],
                "account_name": "HTX",
            },
        )
        origin = Commune.objects.filter(province_id=seller.province_id).order_by("code").first()
        for j, (name, category, unit, price, wholesale, stars, colour) in enumerate(GOODS):
            if (i + j) % 2:
                continue
            expired = i == 1 and stars
            writes.create_product(
                None,
                seller.pk,
                {
                    "name": name,
                    "description": f"{name} — sản phẩm của {seller.name}.",
                    "category": category,
                    "unit": unit,
                    "price": price,
                    "wholesale_price": wholesale[0] if wholesale else None,
                    "wholesale_from": wholesale[1] if wholesale else None,
                    "stock": 20 + 7 * j,
                    "ocop_stars": stars,
                    "ocop_certificate": f"OCOP-{seller.province_id}-{2024 + j % 2}-{j:04d}"
                    if stars
                    else "",
                    "ocop_expires_on": (today - dt.timedelta(days=30))
                    if expired
                    else (today + dt.timedelta(days=700) if stars else None),
                    "origin_id": origin.pk if origin else None,
                    **_priced(name),
                    # The first shop's special tea is the diary's boxed tea (demo_traceability's
                    # GTIN 893000000102x): its page links to the trace page.
                    "gtin": TRACED_TEA if (i, j) == (0, 0) else "",
                },
                _photo(colour),
            )
            made += 1
    _buyer_orders()
    _past_sales()
    if sellers:
        _staff(sellers[0])
    return made


def _priced(name: str) -> dict[str, Any]:
    if name not in PRICED:
        return {}
    code, kg = PRICED[name]
    if code not in dict(facts.commodities()):
        return {}  # prices' catalogue not loaded: the product stays unlinked
    return {"price_commodity": code, "kg_per_unit": Decimal(kg), "stock": 500}


@transaction.atomic
def _past_sales(months: int = 6) -> None:
    """Four delivered orders a month of each priced product, over the last `months` months."""
    buyer = User.objects.get(username="nguoimua")
    commune = Commune.objects.filter(province_id="01").order_by("code").first()
    linked = Product.objects.visible_to(buyer).exclude(price_commodity="").order_by("id")
    if commune is None:
        return
    address = {"recipient": "Nguyễn Thị Lan", "phone": "0912345678", "street": "12 Phố Huế"}
    now = timezone.now()
    for product in linked:
        for back in range(months, 0, -1):
            for k in range(4):
                (order,) = services.place_orders(
                    buyer, {product.pk: 1 + (k + back) % 3}, payment="cod",
                    commune_id=commune.pk, **address,
                )  # fmt: skip
                for step in ("confirm", "ship", "deliver"):
                    order = services.step(None, order.pk, order.version, step)
                placed = now - dt.timedelta(days=30 * back + 3 * k)
                Order.objects.filter(pk=order.pk).update(created_at=placed)  # back-dated demo


def _staff(seller: Organisation) -> None:
    """A demo seller staff member (`nguoiban`, the demo password) invited to the first shop,
    and one invitation still waiting."""
    from . import staff

    person, new = User.objects.get_or_create(
        username="nguoiban",
        defaults={"role": Role.BUYER, "email": "nguoiban@htxso.vn", "first_name": "Người bán"},
    )
    if new:
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])
        record(None, "create", person)
    invitation = staff.invite(None, seller.pk, person.email, str)
    staff.accept(person, staff.token_for(invitation))
    staff.invite(None, seller.pk, "ban.hang.moi@htxso.vn", str)


def _buyer_orders() -> None:
    buyer, new = User.objects.get_or_create(
        username="nguoimua",
        defaults={"role": Role.BUYER, "email": "nguoimua@example.vn", "first_name": "Người mua"},
    )
    buyer.set_password(DEMO_PASSWORD)
    buyer.save(update_fields=["password"])
    if new:
        record(None, "create", buyer)
    commune = Commune.objects.filter(province_id="01").order_by("code").first()
    products = list(Product.objects.visible_to(buyer).order_by("id")[:4])
    if commune is None or len(products) < 2:
        return
    address = {"recipient": "Nguyễn Thị Lan", "phone": "0912345678", "street": "12 Phố Huế"}
    for k, product in enumerate(products):
        (order,) = services.place_orders(
            buyer, {product.pk: 1 + k}, payment="vietqr", commune_id=commune.pk, **address
        )
        if k >= 1:
            order = services.step(None, order.pk, order.version, "confirm")
        if k >= 2:
            order = services.confirm_paid(None, order.pk, order.version)
            order = services.step(None, order.pk, order.version, "ship")
        if k >= 3:
            services.step(None, order.pk, order.version, "deliver")
