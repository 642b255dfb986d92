"""The write path: products and the seller's status, placing orders (split per seller, stock
reserved, all or nothing), the lifecycle and every refusal, payments."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit
from htxso.marketplace import products as writes
from htxso.marketplace import services
from htxso.marketplace.models import Order, Product
from htxso.registry import services as registry_services

from .conftest import address, make_product


def place(buyer, cart, payment="vietqr", **extra):
    return services.place_orders(buyer, cart, payment=payment, **{**address(), **extra})


def test_a_suspended_or_dissolved_sellers_products_disappear_at_once(tea, buyer, tea_coop):
    assert Product.objects.visible_to(buyer).filter(pk=tea.pk).exists()
    registry_services.change_status(None, tea_coop.pk, "suspended", dt.date.today())
    assert not Product.objects.visible_to(buyer).filter(pk=tea.pk).exists()
    assert not Product.objects.visible_to(None).filter(pk=tea.pk).exists()
    with pytest.raises(ValidationError, match="không còn được bán"):
        place(buyer, {tea.pk: 1})
    registry_services.change_status(None, tea_coop.pk, "active", dt.date.today())
    assert Product.objects.visible_to(buyer).filter(pk=tea.pk).exists()


def test_an_expired_ocop_certificate_shows_no_stars(tea):
    assert tea.stars() == 4
    assert tea.stars(today=tea.ocop_expires_on + dt.timedelta(days=1)) == 0
    tea.ocop_certificate = ""
    assert tea.stars() == 0


def test_product_refusals(manager, tea_coop, rice_manager):
    with pytest.raises(ValidationError) as exc:
        make_product(manager, tea_coop, price=0, ocop_stars=3)
    assert set(exc.value.message_dict) == {"price", "ocop_certificate"}
    with pytest.raises(ValidationError, match="thấp hơn giá bán lẻ"):
        make_product(manager, tea_coop, wholesale_price=300_000, wholesale_from=5)
    with pytest.raises(PermissionDenied):
        make_product(rice_manager, tea_coop)
    assert not Product.objects.exists()


def test_a_stale_product_edit_is_refused(tea, manager):
    writes.update_product(manager, tea.pk, 1, {"price": 240_000})
    with pytest.raises(StaleEdit):
        writes.update_product(manager, tea.pk, 1, {"price": 230_000})
    tea.refresh_from_db()
    assert tea.price == 240_000


def test_stock_adjustments_never_go_below_zero(tea, manager):
    writes.adjust_stock(manager, tea.pk, -4)
    with pytest.raises(ValidationError, match="bớt quá"):
        writes.adjust_stock(manager, tea.pk, -7)
    tea.refresh_from_db()
    assert tea.stock == 6


def test_the_cart_splits_per_seller_and_reserves_stock(tea, rice, buyer):
    orders = place(buyer, {tea.pk: 10, rice.pk: 3}, payment="cod")
    assert len(orders) == 2
    by_seller = {o.seller_id: o for o in orders}
    tea_order = by_seller[tea.seller_id]
    assert tea_order.total == 10 * 200_000  # the wholesale price from 10 packets
    assert by_seller[rice.seller_id].total == 90_000
    assert tea_order.province_id == "19" and by_seller[rice.seller_id].province_id == "01"
    tea.refresh_from_db()
    rice.refresh_from_db()
    assert (tea.stock, rice.stock) == (0, 97)
    assert AuditEntry.objects.filter(object_type="marketplace.order", action="create").count() == 2


def test_not_enough_stock_writes_nothing(tea, rice, buyer):
    with pytest.raises(ValidationError, match="chỉ còn 10"):
        place(buyer, {rice.pk: 3, tea.pk: 11}, payment="cod")
    rice.refresh_from_db()
    assert rice.stock == 100 and not Order.objects.exists()


@pytest.mark.parametrize(
    "cart, extra, message",
    [
        ({}, {}, "trống"),
        ({"x": 1}, {}, "số nguyên"),
        ({1: 0}, {}, "từ 1"),
        (None, {"phone": "abc"}, "điện thoại"),
        (None, {"commune_id": "99999"}, "xã/phường"),
        (None, {"street": " "}, "địa chỉ"),
        (None, {"payment": "bitcoin"}, "thanh toán"),
    ],
)
def test_bad_orders_are_refused_in_vietnamese(tea, buyer, cart, extra, message):
    with pytest.raises(ValidationError, match=message):
        place(buyer, {tea.pk: 1} if cart is None else cart, **extra)
    assert not Order.objects.exists()


def test_vietqr_needs_the_sellers_bank_account(rice, buyer):
    with pytest.raises(ValidationError, match="chưa nhận chuyển khoản"):
        place(buyer, {rice.pk: 1})
    assert place(buyer, {rice.pk: 1}, payment="cod")


def test_anonymous_and_own_organisation_cannot_buy(tea, manager):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        place(AnonymousUser(), {tea.pk: 1})
    with pytest.raises(ValidationError, match="tự mua"):
        place(manager, {tea.pk: 1})


def test_the_whole_lifecycle_with_vietqr(tea, buyer, manager):
    (order,) = place(buyer, {tea.pk: 2})
    order = services.step(manager, order.pk, 1, "confirm")
    with pytest.raises(ValidationError, match="sau khi đã nhận tiền"):
        services.step(manager, order.pk, order.version, "ship")
    order = services.confirm_paid(manager, order.pk, order.version)
    assert order.paid_via == "seller"
    order = services.step(manager, order.pk, order.version, "ship")
    order = services.step(manager, order.pk, order.version, "deliver")
    assert order.status == "delivered" and order.version == 5
    actions = list(
        AuditEntry.objects.filter(object_type="marketplace.order")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "confirm", "paid", "ship", "deliver"]


def test_cancelling_releases_the_stock(tea, buyer):
    (order,) = place(buyer, {tea.pk: 4}, payment="cod")
    services.step(buyer, order.pk, 1, "cancel")
    tea.refresh_from_db()
    assert tea.stock == 10


def test_the_buyer_cannot_cancel_once_confirmed_nor_move_the_order(tea, buyer, manager):
    (order,) = place(buyer, {tea.pk: 1}, payment="cod")
    with pytest.raises(PermissionDenied):
        services.step(buyer, order.pk, 1, "confirm")
    with pytest.raises(PermissionDenied):
        services.confirm_paid(buyer, order.pk, 1)
    services.step(manager, order.pk, 1, "confirm")
    with pytest.raises(ValidationError, match="Đã xác nhận"):
        services.step(buyer, order.pk, 2, "cancel")


def test_refusals_of_the_lifecycle(tea, buyer, manager, buyer_2, officer_19, officer_01):
    (order,) = place(buyer, {tea.pk: 1}, payment="cod")
    with pytest.raises(StaleEdit):
        services.step(manager, order.pk, 7, "confirm")
    with pytest.raises(ValidationError, match="Đã đặt"):
        services.step(manager, order.pk, 1, "deliver")
    with pytest.raises(ValidationError, match="sang «Đã hoàn tiền»"):
        services.step(manager, order.pk, 1, "refund")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        services.step(manager, order.pk, 1, "teleport")
    with pytest.raises(Order.DoesNotExist):  # another buyer: not even seen
        services.step(buyer_2, order.pk, 1, "cancel")
    with pytest.raises(Order.DoesNotExist):  # another province's officer
        services.step(officer_01, order.pk, 1, "confirm")
    with pytest.raises(PermissionDenied):  # the province's officer sees, read-only
        services.step(officer_19, order.pk, 1, "confirm")
    order.refresh_from_db()
    assert order.status == "placed" and order.version == 1
    services.step(manager, order.pk, 1, "confirm")
    with pytest.raises(ValidationError, match="đã thanh toán"):  # a COD order not yet paid
        services.step(manager, order.pk, 2, "refund")


def test_a_refund_before_shipping_puts_the_stock_back(tea, buyer, manager):
    (order,) = place(buyer, {tea.pk: 3})
    services.confirm_paid(manager, order.pk, 1)
    services.step(manager, order.pk, 2, "confirm")
    services.step(manager, order.pk, 3, "refund")
    tea.refresh_from_db()
    assert tea.stock == 10


def test_payment_received_from_the_bank(tea, buyer):
    (order,) = place(buyer, {tea.pk: 2})
    with pytest.raises(ValidationError, match="không khớp"):
        services.payment_received(order.reference, 1)
    with pytest.raises(Order.DoesNotExist):
        services.payment_received("DH000", order.total)
    paid = services.payment_received(order.reference, order.total)
    again = services.payment_received(order.reference, order.total)
    assert paid.paid_via == "bank" and again.version == paid.version == 2


def test_a_cancelled_order_takes_no_payment(tea, buyer):
    (order,) = place(buyer, {tea.pk: 2})
    services.step(buyer, order.pk, 1, "cancel")
    with pytest.raises(ValidationError, match="đã hủy"):
        services.payment_received(order.reference, order.total)


def test_officers_see_their_provinces_orders_only(tea, rice, buyer, officer_19, officer_01):
    place(buyer, {tea.pk: 1, rice.pk: 1}, payment="cod")
    assert set(Order.objects.visible_to(officer_19).values_list("province_id", flat=True)) == {"19"}
    assert set(Order.objects.visible_to(officer_01).values_list("province_id", flat=True)) == {"01"}
