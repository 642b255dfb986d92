"""Never oversold: many buyers at once for fewer units than buyers, on PostgreSQL (real row
locks), each buyer in a thread with their own connection. Exactly the stock is sold; the rest
are refused with the Vietnamese reason; the CHECK constraint stands behind the service."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.marketplace import services
from htxso.marketplace.models import Order, OrderLine, Product
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import OrganisationFactory

from .conftest import address, make_product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]


def _race(buyers: list[User], cart_of: dict, payment: str = "cod") -> dict[str, object]:
    barrier = threading.Barrier(len(buyers), timeout=60)
    outcomes: dict[str, object] = {}

    def buy(user: User) -> None:
        try:
            barrier.wait()
            services.place_orders(user, cart_of[user.username], payment=payment, **address())
            outcomes[user.username] = "ok"
        except Exception as exc:  # collected and asserted below
            outcomes[user.username] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(u,)) for u in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _world(stock: int, n: int) -> tuple[Product, list[User]]:
    from htxso.core.tests.units_snapshot import restore_units

    restore_units()  # transactional tests start from flushed tables
    seller = OrganisationFactory(province_id="19")
    manager = make_user("quan-ly-dua", Role.COOPERATIVE_MANAGER, "19", organisation=seller)
    product = make_product(manager, seller, stock=stock)
    buyers = [make_user(f"mua-{i}", Role.BUYER) for i in range(n)]
    return product, buyers


def test_n_buyers_for_m_units_exactly_m_sold(transactional_db):
    product, buyers = _world(stock=7, n=24)
    outcomes = _race(buyers, {u.username: {product.pk: 1} for u in buyers})
    sold = [name for name, outcome in outcomes.items() if outcome == "ok"]
    refused = [o for o in outcomes.values() if o != "ok"]
    assert len(sold) == 7, outcomes
    assert all(isinstance(o, ValidationError) and "Không đủ hàng" in str(o) for o in refused)
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 7
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 7


def test_mixed_quantities_and_two_products_never_oversell(transactional_db):
    first, buyers = _world(stock=10, n=16)
    second = make_product(
        User.objects.get(username="quan-ly-dua"),
        first.seller,
        name="Chè búp khô",
        stock=9,
    )
    carts = {u.username: {first.pk: 1 + i % 3, second.pk: 1 + i % 2} for i, u in enumerate(buyers)}
    outcomes = _race(buyers, carts)
    first.refresh_from_db()
    second.refresh_from_db()
    sold_first = sum(OrderLine.objects.filter(product=first).values_list("quantity", flat=True))
    sold_second = sum(OrderLine.objects.filter(product=second).values_list("quantity", flat=True))
    assert first.stock >= 0 and second.stock >= 0
    assert sold_first + first.stock == 10 and sold_second + second.stock == 9, outcomes
    assert sold_first > 0  # some won
    # A refused cart reserved nothing (all or nothing per buyer).
    assert Order.objects.count() == sum(1 for o in outcomes.values() if o == "ok")


def test_the_database_refuses_a_negative_stock(transactional_db):
    product, _buyers = _world(stock=1, n=0)
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=F("stock") - 2)
    product.refresh_from_db()
    assert product.stock == 1
