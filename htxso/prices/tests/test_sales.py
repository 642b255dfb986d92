"""The marketplace's own sales as price series, with real orders placed, delivered, paid,
cancelled and refunded through the marketplace's services; the link between a product and a
commodity is the seller's (`Product.price_commodity`, `kg_per_unit`), never its name."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from htxso.core import facts
from htxso.core.models import AuditEntry, Commune
from htxso.core.roles import Role
from htxso.marketplace import products
from htxso.marketplace import services as market
from htxso.marketplace.models import Order
from htxso.marketplace.sales import weighted_median
from htxso.prices import sales
from htxso.prices.models import Observation, Series
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_BACKEND = "inline"


def last_month(day: int = 10) -> dt.datetime:
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    moment = dt.datetime.combine(first.replace(day=day), dt.time(9))
    return timezone.make_aware(moment)


def organisation(province: str, name: str = "HTX Thử") -> Any:
    return OrganisationFactory(province_id=province, name=name)


class Market:
    def __init__(self) -> None:
        self.coop = organisation("19", "HTX Chè Tân Cương")
        self.manager = make_user(
            "quan-ly-che", Role.COOPERATIVE_MANAGER, "19", organisation=self.coop
        )
        self.buyer = make_user("nguoi-mua", Role.BUYER)
        products.save_shop(
            self.manager,
            self.coop.pk,
            {"bank_bin": "970436", "account_number": "0011001234567", "account_name": "HTX CHE"},
        )
        self.commune = Commune.objects.filter(province_id="01").order_by("code")[0]
        base = {"category": "tea", "stock": 1000, "description": ""}
        self.packet = products.create_product(  # 0,5 kg a packet
            self.manager,
            self.coop.pk,
            {
                **base,
                "name": "Chè búp khô gói 500 g",
                "unit": "goi",
                "price": 150_000,
                "price_commodity": "che",
                "kg_per_unit": Decimal("0.5"),
            },
        )
        self.loose = products.create_product(
            self.manager,
            self.coop.pk,
            {
                **base,
                "name": "Chè xanh rời",
                "unit": "kg",
                "price": 280_000,
                "price_commodity": "che",
            },
        )
        self.unlinked = products.create_product(  # no commodity named: never counted
            self.manager,
            self.coop.pk,
            {**base, "name": "Chè Tân Cương đặc biệt", "unit": "kg", "price": 900_000},
        )

    def order(self, product, quantity: int, when: dt.datetime, payment: str = "cod") -> Order:
        (order,) = market.place_orders(
            self.buyer,
            {product.pk: quantity},
            payment=payment,
            recipient="Nguyễn Thị Mua",
            phone="0912345678",
            commune_id=self.commune.pk,
            street="12 Phố Huế",
        )
        Order.objects.filter(pk=order.pk).update(created_at=when)  # placed last month
        return Order.objects.get(pk=order.pk)

    def step(self, order: Order, *actions: str) -> Order:
        for action in actions:
            order = market.step(self.manager, order.pk, order.version, action)
        return order

    def deliver(self, order: Order) -> Order:
        return self.step(order, "confirm", "ship", "deliver")


@pytest.fixture
def shop(catalogue):
    return Market()


def test_the_weighted_median_by_hand():
    assert weighted_median([(Decimal(10), Decimal(1)), (Decimal(20), Decimal(1))]) == 15
    three = [(Decimal(p), Decimal(1)) for p in (30, 10, 20)]
    assert weighted_median(three) == 20
    assert weighted_median([(Decimal(10), Decimal(1)), (Decimal(20), Decimal(3))]) == 20
    with pytest.raises(ValueError):
        weighted_median([])


def test_delivered_and_paid_orders_make_a_monthly_median_per_kg(shop):
    a = shop.deliver(shop.order(shop.packet, 2, last_month(3)))  # 300.000 đ/kg × 1 kg
    b = shop.deliver(shop.order(shop.loose, 10, last_month(5)))  # 280.000 đ/kg × 10 kg
    c = shop.order(shop.packet, 4, last_month(7), payment="vietqr")  # 300.000 × 2 kg, paid
    market.confirm_paid(shop.manager, c.pk, c.version)
    shop.order(shop.packet, 40, last_month(8))  # placed, neither delivered nor paid
    cancelled = shop.order(shop.loose, 30, last_month(9))
    shop.step(cancelled, "cancel")
    shop.deliver(shop.order(shop.unlinked, 50, last_month(9)))  # named no commodity
    (sale,) = facts.sale_prices(last_month().date(), last_month().date())
    assert sale.commodity == "che" and sale.province_id == "19"
    assert sale.orders == 3 and sale.sellers == 1 and sale.kg == Decimal("13")
    # 13 kg: 10 at 280.000, 3 at 300.000 — the middle kilogram is sold at 280.000
    assert sale.vnd_per_kg == Decimal("280000.00")
    found = sales.ingest()
    assert (found.created, found.series) == (1, 1)
    series = Series.objects.get(source=sales.MARKET_SOURCE)
    assert (series.province_id, series.price_type, series.frequency) == ("19", "retail", "monthly")
    point = series.observations.get()
    assert point.period == last_month().date().replace(day=1)
    assert point.vnd_per_kg == Decimal("280000.00") and not point.outlier
    assert series.observations_count == 1 and series.last_period == point.period
    assert AuditEntry.objects.filter(action="import", object_type="prices.series").count() == 1
    assert a.status == b.status == "delivered"


def test_a_rerun_changes_nothing_and_a_refund_withdraws_a_thin_month(shop):
    orders = [shop.deliver(shop.order(shop.loose, 5, last_month(d))) for d in (2, 3, 4)]
    assert sales.ingest().created == 1
    audits = AuditEntry.objects.filter(action="import").count()
    again = sales.ingest()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEntry.objects.filter(action="import").count() == audits  # nothing to record
    paid = market.confirm_paid(shop.manager, orders[0].pk, orders[0].version)
    shop.step(paid, "refund")  # two orders left: under MIN_ORDERS, not published
    after = sales.ingest()
    assert after.removed == 1 and after.too_few == 1
    assert not Observation.objects.filter(series__source=sales.MARKET_SOURCE).exists()


def test_the_current_month_and_older_months_wait_or_drop_out(shop):
    now = timezone.now()
    for _ in range(3):
        shop.deliver(shop.order(shop.loose, 5, now))  # this month: not complete yet
    assert sales.ingest().created == 0
    call_command("ingest_market_prices", "--months", "1")
    assert not Observation.objects.exists()


def test_a_product_named_in_the_catalogue_says_its_weight(catalogue):
    shop_ = organisation("19")
    manager = make_user("quan-ly-2", Role.COOPERATIVE_MANAGER, "19", organisation=shop_)
    values = {"name": "Chè hộp", "category": "tea", "unit": "thung", "price": 100_000}
    with pytest.raises(ValidationError) as refused:
        products.create_product(manager, shop_.pk, {**values, "price_commodity": "che"})
    assert refused.value.message_dict["kg_per_unit"] == [
        "Sản phẩm bán theo thùng: hãy ghi mỗi thùng nặng bao nhiêu kg."
    ]
    with pytest.raises(ValidationError) as unknown:
        products.create_product(manager, shop_.pk, {**values, "price_commodity": "sau-rieng"})
    assert unknown.value.message_dict["price_commodity"] == [
        "Không có mặt hàng này trong bảng giá nông sản."
    ]
    kept = products.create_product(
        manager, shop_.pk, {**values, "price_commodity": "che", "kg_per_unit": Decimal("2.5")}
    )
    assert kept.kg_per_unit == Decimal("2.5")
    plain = products.create_product(manager, shop_.pk, {**values, "kg_per_unit": Decimal(3)})
    assert plain.price_commodity == "" and plain.kg_per_unit is None


def test_the_beat_schedule_names_the_task(settings):
    from htxso.prices.tasks import ingest_market

    assert settings.CELERY_BEAT_SCHEDULE["prices-market"]["task"] == ingest_market.name


@pytest.mark.django_db
def test_queuing_forecasts_inside_a_transaction_keeps_its_connection(settings):
    """The thread backend queued the forecasts after `close_old_connections()`, which inside a
    transaction (the ingest's) closes the caller's connection: the next query of the demo's
    steps failed on PostgreSQL ("the connection is closed")."""
    from django.db import connection, transaction

    from htxso.core.models import Province
    from htxso.prices import jobs

    settings.JOBS_BACKEND = "thread"
    with transaction.atomic():  # never committed here: the thread is queued, never started
        assert jobs.schedule([987654321]) == 1
        assert Province.objects.filter(code="01").count() in (0, 1)  # the connection answers
        assert connection.connection is not None
