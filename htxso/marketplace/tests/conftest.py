"""Fixtures of the marketplace tests: a tea cooperative of Thái Nguyên (19) selling with a bank
account, its manager, a buyer, officers of 19 and 01, products."""

import datetime as dt
from typing import Any

import pytest

from htxso.core.models import Commune, User
from htxso.core.roles import Role
from htxso.marketplace import products as writes
from htxso.marketplace.models import Product
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory

BANK_BIN = "970436"  # Vietcombank's BIN
ACCOUNT = "0011001234567"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MARKETPLACE_BANK_WEBHOOK_SECRET = "bi-mat-thu-nghiem"


def commune(province: str = "19") -> Commune:
    return Commune.objects.filter(province_id=province).order_by("code")[0]


@pytest.fixture
def tea_coop(db) -> Any:
    return OrganisationFactory(province_id="19", name="Hợp tác xã Chè Tân Cương")


@pytest.fixture
def rice_coop(db) -> Any:
    return OrganisationFactory(province_id="01", name="HTX Gạo Sạch Sóc Sơn")


@pytest.fixture
def manager(tea_coop) -> User:
    return make_user("quan-ly-che", Role.COOPERATIVE_MANAGER, "19", organisation=tea_coop)


@pytest.fixture
def rice_manager(rice_coop) -> User:
    return make_user("quan-ly-gao", Role.COOPERATIVE_MANAGER, "01", organisation=rice_coop)


@pytest.fixture
def buyer(db) -> User:
    return make_user("nguoi-mua", Role.BUYER, email="mua@example.vn")


@pytest.fixture
def buyer_2(db) -> User:
    return make_user("nguoi-mua-2", Role.BUYER)


@pytest.fixture
def officer_19(db) -> User:
    return make_user("can-bo-19", Role.PROVINCIAL_OFFICER, "19")


@pytest.fixture
def officer_01(db) -> User:
    return make_user("can-bo-01", Role.PROVINCIAL_OFFICER, "01")


def make_product(manager: User, seller: Any, **values: Any) -> Product:
    data = {
        "name": "Chè Tân Cương đặc biệt",
        "category": "tea",
        "unit": "goi",
        "price": 250_000,
        "stock": 10,
        **values,
    }
    return writes.create_product(manager, seller.pk, data)


@pytest.fixture
def shop(manager, tea_coop) -> Any:
    return writes.save_shop(
        manager,
        tea_coop.pk,
        {"bank_bin": BANK_BIN, "account_number": ACCOUNT, "account_name": "HTX CHE TAN CUONG"},
    )


@pytest.fixture
def tea(manager, tea_coop, shop) -> Product:
    return make_product(
        manager,
        tea_coop,
        wholesale_price=200_000,
        wholesale_from=10,
        ocop_stars=4,
        ocop_certificate="OCOP-TN-2025-0012",
        ocop_expires_on=dt.date.today() + dt.timedelta(days=400),
        origin_id=commune().pk,
    )


@pytest.fixture
def rice(rice_manager, rice_coop) -> Product:
    return make_product(
        rice_manager,
        rice_coop,
        name="Gạo tám thơm",
        category="rice",
        unit="kg",
        price=30_000,
        stock=100,
    )


def address(province: str = "01") -> dict[str, str]:
    return {
        "recipient": "Nguyễn Thị Mua",
        "phone": "0912345678",
        "commune_id": commune(province).pk,
        "street": "12 Phố Huế",
    }
